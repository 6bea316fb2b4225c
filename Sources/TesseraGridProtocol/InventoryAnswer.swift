import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// The successful answer to an `InventoryCall`; failures travel as an error code and text
/// beside it (see `CallStatus`).
public enum InventoryAnswer: Hashable, Sendable {
    case done
    /// The id of what the call made: a folder, an item, the recipient's item of a give.
    case id(UUID)
    /// How many items a purge removed.
    case count(UInt32)
    case page(FolderPage)
    case asset(AssetID)
    case assetChunk(AssetChunk)
    /// The object a rez made: its persistent id and its local id in the region.
    case rezzed(object: UUID, localID: LocalID)

    public enum Code: UInt8, Sendable, CaseIterable {
        case done = 0, id, count, page, asset, assetChunk, rezzed
    }

    public var code: Code {
        switch self {
        case .done: .done
        case .id: .id
        case .count: .count
        case .page: .page
        case .asset: .asset
        case .assetChunk: .assetChunk
        case .rezzed: .rezzed
        }
    }

    public init(from buffer: inout ByteBuffer) throws {
        switch try buffer.readEnum(Code.self, "answer.kind") {
        case .done: self = .done
        case .id: self = .id(try buffer.readUUID("answer.id"))
        case .count: self = .count(try buffer.readLE(UInt32.self, "answer.count"))
        case .page: self = .page(try FolderPage(from: &buffer))
        case .asset: self = .asset(try AssetID(from: &buffer, "answer.asset"))
        case .assetChunk: self = .assetChunk(try AssetChunk(from: &buffer))
        case .rezzed: self = .rezzed(object: try buffer.readUUID("answer.object"), localID: try buffer.readLE(UInt32.self, "answer.localID"))
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(code.rawValue)
        switch self {
        case .done: break
        case .id(let id): buffer.writeUUID(id)
        case .count(let count): buffer.writeLE(count)
        case .page(let page): page.encode(into: &buffer)
        case .asset(let id): id.encode(into: &buffer)
        case .assetChunk(let chunk): chunk.encode(into: &buffer)
        case .rezzed(let object, let localID):
            buffer.writeUUID(object)
            buffer.writeLE(localID)
        }
    }
}

/// One page of a folder's direct contents: sub-folders first, then items, each by name.
public struct FolderPage: Hashable, Sendable {
    /// Entries (folders plus items) per page at most, so a page fits one client message.
    public static let maxEntries = 200

    public var folder: UUID
    /// Entries in the folder in all; `start` is where this page begins.
    public var total: UInt32
    public var start: UInt32
    public var folders: [FolderEntry]
    public var items: [ItemEntry]

    public init(folder: UUID, total: UInt32, start: UInt32, folders: [FolderEntry], items: [ItemEntry]) {
        self.folder = folder
        self.total = total
        self.start = start
        self.folders = folders
        self.items = items
    }

    init(from buffer: inout ByteBuffer) throws {
        folder = try buffer.readUUID("page.folder")
        total = try buffer.readLE(UInt32.self, "page.total")
        start = try buffer.readLE(UInt32.self, "page.start")
        let folderCount = try buffer.readCount("page.folders", minElementBytes: 35)
        folders = try (0..<folderCount).map { _ in try FolderEntry(from: &buffer) }
        let itemCount = try buffer.readCount("page.items", minElementBytes: 104)
        items = try (0..<itemCount).map { _ in try ItemEntry(from: &buffer) }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(folder)
        buffer.writeLE(total)
        buffer.writeLE(start)
        buffer.writeCount(folders.count)
        for folder in folders { folder.encode(into: &buffer) }
        buffer.writeCount(items.count)
        for item in items { item.encode(into: &buffer) }
    }
}

public struct FolderEntry: Hashable, Sendable {
    public var id: UUID
    /// Nil for the root.
    public var parent: UUID?
    /// 0 ordinary, 1 root, 2 objects, 3 textures, 4 notecards, 5 scripts, 6 trash, 7 lost and found.
    public var kind: UInt8
    public var name: String

    public init(id: UUID, parent: UUID?, kind: UInt8, name: String) {
        self.id = id
        self.parent = parent
        self.kind = kind
        self.name = name
    }

    init(from buffer: inout ByteBuffer) throws {
        id = try buffer.readUUID("folder.id")
        parent = try buffer.readOptionalUUID("folder.parent")
        kind = try buffer.readLE(UInt8.self, "folder.kind")
        name = try buffer.readText("folder.name", maxBytes: maxNameBytes)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(id)
        buffer.writeOptionalUUID(parent)
        buffer.writeLE(kind)
        buffer.writeText(name, maxBytes: maxNameBytes)
    }
}

/// An inventory item with Second Life's five permission masks (bit 0x8000 copy, 0x4000
/// modify, 0x2000 transfer).
public struct ItemEntry: Hashable, Sendable {
    public var id: UUID
    public var folder: UUID
    public var asset: AssetID
    public var assetType: Int16
    public var name: String
    public var creator: UUID?
    public var base: UInt32
    public var owner: UInt32
    public var group: UInt32
    public var everyone: UInt32
    public var nextOwner: UInt32

    public init(
        id: UUID, folder: UUID, asset: AssetID, assetType: Int16, name: String, creator: UUID?,
        base: UInt32, owner: UInt32, group: UInt32, everyone: UInt32, nextOwner: UInt32
    ) {
        self.id = id
        self.folder = folder
        self.asset = asset
        self.assetType = assetType
        self.name = name
        self.creator = creator
        self.base = base
        self.owner = owner
        self.group = group
        self.everyone = everyone
        self.nextOwner = nextOwner
    }

    init(from buffer: inout ByteBuffer) throws {
        id = try buffer.readUUID("item.id")
        folder = try buffer.readUUID("item.folder")
        asset = try AssetID(from: &buffer, "item.asset")
        assetType = try buffer.readLE(Int16.self, "item.assetType")
        name = try buffer.readText("item.name", maxBytes: maxNameBytes)
        creator = try buffer.readOptionalUUID("item.creator")
        base = try buffer.readLE(UInt32.self, "item.base")
        owner = try buffer.readLE(UInt32.self, "item.owner")
        group = try buffer.readLE(UInt32.self, "item.group")
        everyone = try buffer.readLE(UInt32.self, "item.everyone")
        nextOwner = try buffer.readLE(UInt32.self, "item.nextOwner")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(id)
        buffer.writeUUID(folder)
        asset.encode(into: &buffer)
        buffer.writeLE(assetType)
        buffer.writeText(name, maxBytes: maxNameBytes)
        buffer.writeOptionalUUID(creator)
        for mask in [base, owner, group, everyone, nextOwner] { buffer.writeLE(mask) }
    }
}

/// A slice of an asset's bytes with its metadata.
public struct AssetChunk: Hashable, Sendable {
    /// Bytes per chunk at most, so a chunk fits one client message.
    public static let maxBytes = 60_000

    public var asset: AssetID
    public var type: Int16
    public var name: String
    public var creator: UUID?
    /// Milliseconds since 1970.
    public var createdMillis: UInt64
    public var totalSize: UInt32
    public var offset: UInt32
    public var data: Data

    public init(asset: AssetID, type: Int16, name: String, creator: UUID?, createdMillis: UInt64, totalSize: UInt32, offset: UInt32, data: Data) {
        self.asset = asset
        self.type = type
        self.name = name
        self.creator = creator
        self.createdMillis = createdMillis
        self.totalSize = totalSize
        self.offset = offset
        self.data = data
    }

    init(from buffer: inout ByteBuffer) throws {
        asset = try AssetID(from: &buffer, "chunk.asset")
        type = try buffer.readLE(Int16.self, "chunk.type")
        name = try buffer.readText("chunk.name", maxBytes: maxNameBytes)
        creator = try buffer.readOptionalUUID("chunk.creator")
        createdMillis = try buffer.readLE(UInt64.self, "chunk.created")
        totalSize = try buffer.readLE(UInt32.self, "chunk.totalSize")
        offset = try buffer.readLE(UInt32.self, "chunk.offset")
        data = try buffer.readBlob("chunk.data", maxBytes: Self.maxBytes)
    }

    func encode(into buffer: inout ByteBuffer) {
        asset.encode(into: &buffer)
        buffer.writeLE(type)
        buffer.writeText(name, maxBytes: maxNameBytes)
        buffer.writeOptionalUUID(creator)
        buffer.writeLE(createdMillis)
        buffer.writeLE(totalSize)
        buffer.writeLE(offset)
        buffer.writeBlob(data)
    }
}

/// How a call ended: `ok` with an answer, or an error code (docs/client-protocol.md,
/// "Error codes") with a message naming what was wrong. Codes this side does not know are
/// kept as they came (a newer peer may send them).
public struct CallStatus: Hashable, Sendable, Error, CustomStringConvertible {
    /// 0 for success.
    public var rawCode: UInt16
    public var message: String

    public static let ok = CallStatus(code: nil, message: "")

    public init(code: ErrorCode?, message: String) {
        self.rawCode = code?.rawValue ?? 0
        self.message = message
    }

    public init(_ code: ErrorCode, _ message: String) {
        self.init(code: code, message: message)
    }

    public init(rawCode: UInt16, message: String) {
        self.rawCode = rawCode
        self.message = message
    }

    public var isOK: Bool { rawCode == 0 }

    /// This status as a failure: a failure without a code would read as a success without
    /// an answer, so it goes out as `serviceUnavailable`.
    public var asFailure: CallStatus {
        isOK ? CallStatus(.serviceUnavailable, message.isEmpty ? "the call failed" : message) : self
    }
    /// The error, when this side knows the code.
    public var code: ErrorCode? { ErrorCode(rawValue: rawCode) }

    public init(from buffer: inout ByteBuffer) throws {
        rawCode = try buffer.readLE(UInt16.self, "status.code")
        message = try buffer.readText("status.message", maxBytes: 1024)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(rawCode)
        var text = message
        while text.utf8.count > 1024 { text.removeLast() }
        buffer.writeText(text)
    }

    public var description: String {
        if isOK { return "ok" }
        return "\(code.map { "\($0)" } ?? "error") (\(rawCode)): \(message)"
    }
}
