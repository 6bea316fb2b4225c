import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// What an avatar asks of its inventory and of the asset store. The same bytes travel inside
/// the client protocol's InventoryRequest and Tessera wire's GridRequest
/// (docs/client-protocol.md, "Inventory and assets").
public enum InventoryCall: Hashable, Sendable {
    /// One page of a folder's direct contents; `folder` nil is the root.
    case listFolder(folder: UUID?, start: UInt32)
    case createFolder(parent: UUID, name: String)
    case renameFolder(UUID, name: String)
    case moveFolder(UUID, to: UUID)
    /// Moves the folder, with everything in it, to the trash.
    case deleteFolder(UUID)
    /// An item for an asset the caller stored; the caller becomes creator and owner with full
    /// rights, and chooses what the next owner may do.
    case createItem(folder: UUID, asset: AssetID, name: String, nextOwner: UInt32)
    case renameItem(UUID, name: String)
    case moveItem(UUID, to: UUID)
    case deleteItem(UUID)
    case purgeTrash
    /// Gives an item to the avatar with this account name.
    case give(UUID, to: String)
    case storeAsset(type: Int16, name: String, data: Data)
    /// Up to `length` bytes of an asset from `offset`, with its metadata.
    case fetchAsset(AssetID, offset: UInt32, length: UInt32)
    /// Rezzes an item into the caller's region at `position` (region coordinates).
    case rez(UUID, at: Vector3)
    /// Takes an object of the caller's region back into the Objects folder.
    case take(LocalID)

    public enum Code: UInt8, Sendable, CaseIterable {
        case listFolder = 1, createFolder, renameFolder, moveFolder, deleteFolder, createItem, renameItem, moveItem
        case deleteItem, purgeTrash, give, storeAsset, fetchAsset, rez, take
    }

    /// Largest asset one call may carry on the wire; above the asset store's own limit, so an
    /// oversized asset is refused by the store with `assetTooLarge`, not as a malformed call.
    public static let maxAssetBytes = 4 << 20

    public var code: Code {
        switch self {
        case .listFolder: .listFolder
        case .createFolder: .createFolder
        case .renameFolder: .renameFolder
        case .moveFolder: .moveFolder
        case .deleteFolder: .deleteFolder
        case .createItem: .createItem
        case .renameItem: .renameItem
        case .moveItem: .moveItem
        case .deleteItem: .deleteItem
        case .purgeTrash: .purgeTrash
        case .give: .give
        case .storeAsset: .storeAsset
        case .fetchAsset: .fetchAsset
        case .rez: .rez
        case .take: .take
        }
    }

    /// Rez and take change the scene, so they go to the avatar's region, which asks the grid.
    public var isSceneCall: Bool { code == .rez || code == .take }

    public init(from buffer: inout ByteBuffer) throws {
        switch try buffer.readEnum(Code.self, "inventory.call") {
        case .listFolder:
            self = .listFolder(folder: try buffer.readOptionalUUID("listFolder.folder"), start: try buffer.readLE(UInt32.self, "listFolder.start"))
        case .createFolder:
            self = .createFolder(parent: try buffer.readUUID("createFolder.parent"), name: try buffer.readText("createFolder.name", maxBytes: maxNameBytes))
        case .renameFolder:
            self = .renameFolder(try buffer.readUUID("renameFolder.folder"), name: try buffer.readText("renameFolder.name", maxBytes: maxNameBytes))
        case .moveFolder:
            self = .moveFolder(try buffer.readUUID("moveFolder.folder"), to: try buffer.readUUID("moveFolder.parent"))
        case .deleteFolder:
            self = .deleteFolder(try buffer.readUUID("deleteFolder.folder"))
        case .createItem:
            self = .createItem(
                folder: try buffer.readUUID("createItem.folder"), asset: try AssetID(from: &buffer, "createItem.asset"),
                name: try buffer.readText("createItem.name", maxBytes: maxNameBytes),
                nextOwner: try buffer.readLE(UInt32.self, "createItem.nextOwner"))
        case .renameItem:
            self = .renameItem(try buffer.readUUID("renameItem.item"), name: try buffer.readText("renameItem.name", maxBytes: maxNameBytes))
        case .moveItem:
            self = .moveItem(try buffer.readUUID("moveItem.item"), to: try buffer.readUUID("moveItem.folder"))
        case .deleteItem:
            self = .deleteItem(try buffer.readUUID("deleteItem.item"))
        case .purgeTrash:
            self = .purgeTrash
        case .give:
            self = .give(try buffer.readUUID("give.item"), to: try buffer.readText("give.recipient", maxBytes: maxNameBytes))
        case .storeAsset:
            let type = try buffer.readLE(Int16.self, "storeAsset.type")
            let name = try buffer.readText("storeAsset.name", maxBytes: maxNameBytes)
            self = .storeAsset(type: type, name: name, data: try buffer.readBlob("storeAsset.data", maxBytes: Self.maxAssetBytes))
        case .fetchAsset:
            self = .fetchAsset(
                try AssetID(from: &buffer, "fetchAsset.asset"), offset: try buffer.readLE(UInt32.self, "fetchAsset.offset"),
                length: try buffer.readLE(UInt32.self, "fetchAsset.length"))
        case .rez:
            self = .rez(try buffer.readUUID("rez.item"), at: try buffer.readVector("rez.position"))
        case .take:
            self = .take(try buffer.readLE(UInt32.self, "take.localID"))
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(code.rawValue)
        switch self {
        case .listFolder(let folder, let start):
            buffer.writeOptionalUUID(folder)
            buffer.writeLE(start)
        case .createFolder(let parent, let name):
            buffer.writeUUID(parent)
            buffer.writeText(name, maxBytes: maxNameBytes)
        case .renameFolder(let id, let name), .renameItem(let id, let name):
            buffer.writeUUID(id)
            buffer.writeText(name, maxBytes: maxNameBytes)
        case .moveFolder(let id, let target), .moveItem(let id, let target):
            buffer.writeUUID(id)
            buffer.writeUUID(target)
        case .deleteFolder(let id), .deleteItem(let id):
            buffer.writeUUID(id)
        case .createItem(let folder, let asset, let name, let nextOwner):
            buffer.writeUUID(folder)
            asset.encode(into: &buffer)
            buffer.writeText(name, maxBytes: maxNameBytes)
            buffer.writeLE(nextOwner)
        case .purgeTrash:
            break
        case .give(let item, let recipient):
            buffer.writeUUID(item)
            buffer.writeText(recipient, maxBytes: maxNameBytes)
        case .storeAsset(let type, let name, let data):
            buffer.writeLE(type)
            buffer.writeText(name, maxBytes: maxNameBytes)
            buffer.writeBlob(data)
        case .fetchAsset(let asset, let offset, let length):
            asset.encode(into: &buffer)
            buffer.writeLE(offset)
            buffer.writeLE(length)
        case .rez(let item, let position):
            buffer.writeUUID(item)
            buffer.writeVector(position)
        case .take(let localID):
            buffer.writeLE(localID)
        }
    }
}

/// An asset's id: the SHA-256 of its bytes.
public struct AssetID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: Data

    /// Nil unless exactly 32 bytes.
    public init?(_ bytes: Data) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    public init(from buffer: inout ByteBuffer, _ field: String) throws {
        guard let bytes = buffer.readBytes(length: 32) else { throw CodecError.truncated(field: field) }
        self.bytes = Data(bytes)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeBytes(bytes)
    }

    public var description: String { bytes.map { String(format: "%02x", $0) }.joined() }
}

extension ByteBuffer {
    /// A UUID whose all-zero value means "none".
    public mutating func readOptionalUUID(_ field: String) throws -> UUID? {
        let id = try readUUID(field)
        return id == UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) ? nil : id
    }

    public mutating func writeOptionalUUID(_ id: UUID?) {
        writeUUID(id ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
    }

    /// u32 length, then that many bytes.
    mutating func readBlob(_ field: String, maxBytes: Int) throws -> Data {
        let length = Int(try readLE(UInt32.self, field + ".length"))
        guard length <= maxBytes else {
            throw CodecError.invalidValue(field: field, reason: "\(length) bytes exceed the limit of \(maxBytes)")
        }
        guard let bytes = readBytes(length: length) else { throw CodecError.truncated(field: field) }
        return Data(bytes)
    }

    mutating func writeBlob(_ data: Data) {
        writeLE(UInt32(data.count))
        writeBytes(data)
    }
}
