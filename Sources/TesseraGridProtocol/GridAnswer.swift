import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// The successful answer to a `GridCall`.
public enum GridAnswer: Hashable, Sendable {
    case done
    case session(SessionGrant)
    case region(UUID)
    case location(RegionLocation)
    case inventory(InventoryAnswer)
    case scene([SceneObjectRecord])
    case sceneObject(SceneObjectRecord)
    /// The item a take made.
    case item(UUID)
    case sessions([SessionGrant])
    /// The online regions (`listRegions`).
    case locations([RegionLocation])
    /// The asset `storeScript` stored.
    case asset(AssetID)
    /// A script item of an inventory (`scriptItem`).
    case scriptItem(ScriptItem)

    public enum Code: UInt8, Sendable, CaseIterable {
        case done = 0, session, region, location, inventory, scene, sceneObject, item, sessions, locations, asset, scriptItem
    }

    public var code: Code {
        switch self {
        case .done: .done
        case .session: .session
        case .region: .region
        case .location: .location
        case .inventory: .inventory
        case .scene: .scene
        case .sceneObject: .sceneObject
        case .item: .item
        case .sessions: .sessions
        case .locations: .locations
        case .asset: .asset
        case .scriptItem: .scriptItem
        }
    }

    public init(from buffer: inout ByteBuffer) throws {
        switch try buffer.readEnum(Code.self, "gridAnswer.kind") {
        case .done: self = .done
        case .session: self = .session(try SessionGrant(from: &buffer))
        case .region: self = .region(try buffer.readUUID("gridAnswer.region"))
        case .location: self = .location(try RegionLocation(from: &buffer))
        case .inventory: self = .inventory(try InventoryAnswer(from: &buffer))
        case .scene:
            let count = try buffer.readCount("gridAnswer.scene", minElementBytes: SceneObjectRecord.minBytes)
            self = .scene(try (0..<count).map { _ in try SceneObjectRecord(from: &buffer) })
        case .sceneObject: self = .sceneObject(try SceneObjectRecord(from: &buffer))
        case .item: self = .item(try buffer.readUUID("gridAnswer.item"))
        case .sessions:
            let count = try buffer.readCount("gridAnswer.sessions", minElementBytes: 28)
            self = .sessions(try (0..<count).map { _ in try SessionGrant(from: &buffer) })
        case .locations:
            let count = try buffer.readCount("gridAnswer.locations", minElementBytes: 28)
            self = .locations(try (0..<count).map { _ in try RegionLocation(from: &buffer) })
        case .asset: self = .asset(try AssetID(from: &buffer, "gridAnswer.asset"))
        case .scriptItem: self = .scriptItem(try ScriptItem(from: &buffer))
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(code.rawValue)
        switch self {
        case .done: break
        case .session(let grant): grant.encode(into: &buffer)
        case .region(let id), .item(let id): buffer.writeUUID(id)
        case .location(let location): location.encode(into: &buffer)
        case .inventory(let answer): answer.encode(into: &buffer)
        case .scene(let objects):
            buffer.writeCount(objects.count)
            for object in objects { object.encode(into: &buffer) }
        case .sceneObject(let object): object.encode(into: &buffer)
        case .sessions(let grants):
            buffer.writeCount(grants.count)
            for grant in grants { grant.encode(into: &buffer) }
        case .locations(let locations):
            buffer.writeCount(locations.count)
            for location in locations { location.encode(into: &buffer) }
        case .asset(let asset): asset.encode(into: &buffer)
        case .scriptItem(let item): item.encode(into: &buffer)
        }
    }
}

/// A script in an inventory: what an object's contents item is made from.
public struct ScriptItem: Hashable, Sendable {
    /// The inventory item's name.
    public var name: String
    /// The LSL source asset (type 10).
    public var asset: AssetID
    /// The source text (at most `ContentItem.maxSourceBytes` of UTF-8).
    public var source: String

    public init(name: String, asset: AssetID, source: String) {
        self.name = name
        self.asset = asset
        self.source = source
    }

    init(from buffer: inout ByteBuffer) throws {
        name = try buffer.readText("scriptItem.name", maxBytes: maxNameBytes)
        asset = try AssetID(from: &buffer, "scriptItem.asset")
        source = try buffer.readLongText("scriptItem.source", maxBytes: ContentItem.maxSourceBytes)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeText(name, maxBytes: maxNameBytes)
        asset.encode(into: &buffer)
        buffer.writeLongText(source)
    }
}

/// A logged-in account and its session token.
public struct SessionGrant: Hashable, Sendable {
    public var account: UUID
    public var name: String
    public var token: String
    /// Milliseconds since 1970.
    public var expiresMillis: UInt64

    public init(account: UUID, name: String, token: String, expiresMillis: UInt64) {
        self.account = account
        self.name = name
        self.token = token
        self.expiresMillis = expiresMillis
    }

    init(from buffer: inout ByteBuffer) throws {
        account = try buffer.readUUID("session.account")
        name = try buffer.readText("session.name", maxBytes: maxNameBytes)
        token = try buffer.readText("session.token", maxBytes: maxTokenBytes)
        expiresMillis = try buffer.readLE(UInt64.self, "session.expires")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(account)
        buffer.writeText(name, maxBytes: maxNameBytes)
        buffer.writeText(token, maxBytes: maxTokenBytes)
        buffer.writeLE(expiresMillis)
    }
}

extension SessionGrant: CustomStringConvertible {
    public var description: String { "SessionGrant(\(name), \(account))" }
}

/// A registered region and the node that serves it.
public struct RegionLocation: Hashable, Sendable {
    public var id: UUID
    public var name: String
    public var gridX: UInt32
    public var gridY: UInt32
    /// host:port of the region node's Tessera wire listener.
    public var address: String

    public init(id: UUID, name: String, gridX: UInt32, gridY: UInt32, address: String) {
        self.id = id
        self.name = name
        self.gridX = gridX
        self.gridY = gridY
        self.address = address
    }

    /// The registry and the decoder refuse positions beyond the grid; the shifts cannot trap
    /// whatever the fields hold.
    public var handle: RegionHandle { RegionHandle(rawValue: UInt64(gridX) << 40 | UInt64(gridY) << 8) }

    init(from buffer: inout ByteBuffer) throws {
        id = try buffer.readUUID("location.id")
        name = try buffer.readText("location.name", maxBytes: maxNameBytes)
        gridX = try buffer.readLE(UInt32.self, "location.gridX")
        gridY = try buffer.readLE(UInt32.self, "location.gridY")
        _ = try GridPosition.decoded(x: gridX, y: gridY, field: "location.gridX")
        address = try buffer.readText("location.address", maxBytes: 255)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(id)
        buffer.writeText(name, maxBytes: maxNameBytes)
        buffer.writeLE(gridX)
        buffer.writeLE(gridY)
        buffer.writeText(address, maxBytes: 255)
    }
}

/// A region's object as it is stored.
public struct SceneObjectRecord: Hashable, Sendable {
    static let minBytes = 16 * 3 + 1 + 2 + 1 + 12 + 16 + 12 + 20 + 1

    public var id: UUID
    public var owner: UUID
    public var creator: UUID?
    /// The object asset it was rezzed from; nil for objects built in the world.
    public var asset: AssetID?
    public var name: String
    public var shape: Shape
    public var position: Vector3
    public var rotation: Quaternion
    public var scale: Vector3
    /// base, owner, group, everyone, next owner.
    public var masks: [UInt32]
    /// Moved by physics rather than static.
    public var physical: Bool
    /// Its collision starts and ends are asked of physics.
    public var reportsCollisions: Bool
    /// Its colour and floating text.
    public var look: ObjectLook
    /// Its inventory: scripts (with their latest checkpoint) and objects it can rez.
    public var contents: [ContentItem]

    public init(
        id: UUID, owner: UUID, creator: UUID?, asset: AssetID?, name: String, shape: Shape,
        position: Vector3, rotation: Quaternion, scale: Vector3, masks: [UInt32], physical: Bool = false, reportsCollisions: Bool = false,
        look: ObjectLook = .plain, contents: [ContentItem] = []
    ) {
        self.look = look
        self.contents = contents
        self.physical = physical
        self.reportsCollisions = reportsCollisions
        self.id = id
        self.owner = owner
        self.creator = creator
        self.asset = asset
        self.name = name
        self.shape = shape
        self.position = position
        self.rotation = rotation
        self.scale = scale
        self.masks = masks
    }

    public init(from buffer: inout ByteBuffer) throws {
        id = try buffer.readUUID("object.id")
        owner = try buffer.readUUID("object.owner")
        creator = try buffer.readOptionalUUID("object.creator")
        switch try buffer.readLE(UInt8.self, "object.hasAsset") {
        case 0: asset = nil
        case 1: asset = try AssetID(from: &buffer, "object.asset")
        case let other: throw CodecError.invalidValue(field: "object.hasAsset", reason: "expected 0 or 1, got \(other)")
        }
        name = try buffer.readText("object.name", maxBytes: maxNameBytes)
        shape = try buffer.readEnum(Shape.self, "object.shape")
        position = try buffer.readVector("object.position")
        rotation = try buffer.readQuaternion("object.rotation")
        scale = try buffer.readVector("object.scale")
        masks = try (0..<5).map { _ in try buffer.readLE(UInt32.self, "object.masks") }
        let flags = try buffer.readLE(UInt8.self, "object.flags")
        guard flags & ~7 == 0 else { throw CodecError.invalidValue(field: "object.flags", reason: "unknown bits in \(flags)") }
        physical = flags & 1 != 0
        reportsCollisions = flags & 2 != 0
        if flags & 4 != 0 {
            // Look and contents follow (absent for plain objects without contents).
            look = try ObjectLook(from: &buffer, "object.look")
            contents = try ContentItem.readList(from: &buffer, "object.contents")
        } else {
            look = .plain
            contents = []
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(id)
        buffer.writeUUID(owner)
        buffer.writeOptionalUUID(creator)
        if let asset {
            buffer.writeLE(UInt8(1))
            asset.encode(into: &buffer)
        } else {
            buffer.writeLE(UInt8(0))
        }
        buffer.writeText(name, maxBytes: maxNameBytes)
        buffer.writeLE(shape.rawValue)
        buffer.writeVector(position)
        buffer.writeQuaternion(rotation)
        buffer.writeVector(scale)
        precondition(masks.count == 5, "an object has five permission masks")
        for mask in masks { buffer.writeLE(mask) }
        let extended = look != .plain || !contents.isEmpty
        buffer.writeLE(UInt8((physical ? 1 : 0) | (reportsCollisions ? 2 : 0) | (extended ? 4 : 0)))
        if extended {
            look.encode(into: &buffer)
            ContentItem.writeList(contents, into: &buffer)
        }
    }
}
