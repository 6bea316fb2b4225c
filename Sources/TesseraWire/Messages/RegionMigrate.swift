import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// Source node ↔ target node, on a connection the source dials for one live region migration
/// (docs/migration.md): the region's frozen state in parts, the target's answer, the commit.
public struct RegionMigrate: WireMessageBody {
    public static let messageType = WireMessageType.regionMigrate

    /// Why a target refuses a migration.
    public enum Refusal: UInt8, Sendable, CaseIterable {
        /// The target already runs a region at that grid position.
        case alreadyHosted = 1
        /// The region is not in the grid config the target read (it cannot know its terrain and limits).
        case unknownRegion = 2
        /// An avatar's client manager is not connected to the target.
        case managerUnknown = 3
        /// The target runs without grid services (no registry, no storage).
        case noGrid = 4
        /// The state does not add up (objects missing, a local ID used twice, another migration of it under way).
        case invalidState = 5
        /// The target is shutting down.
        case stopping = 6
    }

    public enum Step: Hashable, Sendable {
        /// Some of the region's objects (sent before `prepare`, in order).
        case objects([MigratingObject])
        /// Everything else of the frozen region; the target answers `accepted` or `refused`.
        case prepare(RegionSnapshot)
        /// The target holds the region, not running, and will run it under this registry address.
        case accepted(address: String, node: String)
        case refused(Refusal, message: String)
        /// The registry points at the target: start the region.
        case commit
        /// The target runs the region (its frame loop started).
        case started
        /// Drop what was prepared: the region stays on the source.
        case abort
    }

    public var migrationID: UInt64
    public var region: RegionHandle
    public var step: Step

    public init(migrationID: UInt64, region: RegionHandle, step: Step) {
        self.migrationID = migrationID
        self.region = region
        self.step = step
    }

    public init(from buffer: inout ByteBuffer) throws {
        migrationID = try buffer.readLE(UInt64.self, "regionMigrate.migrationID")
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "regionMigrate.region"))
        switch try buffer.readLE(UInt8.self, "regionMigrate.step") {
        case 1:
            let count = try buffer.readCount("regionMigrate.objects", minElementBytes: 40)
            step = .objects(try (0..<count).map { _ in try MigratingObject(from: &buffer) })
        case 2: step = .prepare(try RegionSnapshot(from: &buffer))
        case 3:
            step = .accepted(
                address: try buffer.readText("regionMigrate.address", maxBytes: 255),
                node: try buffer.readText("regionMigrate.node", maxBytes: 255))
        case 4:
            step = .refused(
                try buffer.readEnum(Refusal.self, "regionMigrate.refusal"),
                message: try buffer.readText("regionMigrate.message", maxBytes: 1024))
        case 5: step = .commit
        case 6: step = .started
        case 7: step = .abort
        case let other: throw CodecError.invalidValue(field: "regionMigrate.step", reason: "unknown value \(other)")
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(migrationID)
        buffer.writeLE(region.rawValue)
        switch step {
        case .objects(let objects):
            buffer.writeLE(UInt8(1))
            buffer.writeCount(objects.count)
            for object in objects { object.encode(into: &buffer) }
        case .prepare(let snapshot):
            buffer.writeLE(UInt8(2))
            snapshot.encode(into: &buffer)
        case .accepted(let address, let node):
            buffer.writeLE(UInt8(3))
            buffer.writeText(address, maxBytes: 255)
            buffer.writeText(node, maxBytes: 255)
        case .refused(let reason, let message):
            buffer.writeLE(UInt8(4))
            buffer.writeLE(reason.rawValue)
            buffer.writeText(message, maxBytes: 1024)
        case .commit: buffer.writeLE(UInt8(5))
        case .started: buffer.writeLE(UInt8(6))
        case .abort: buffer.writeLE(UInt8(7))
        }
    }
}

/// A frozen region's state besides its objects: enough for another node to run it on from the
/// frame it stopped at, with the same local IDs, so its clients' views stay valid.
public struct RegionSnapshot: Hashable, Sendable {
    public var name: String
    /// Its id in the registry (and in storage).
    public var regionID: UUID
    /// The last frame it ran.
    public var frame: UInt64
    /// The next local ID it would have given.
    public var nextLocalID: LocalID
    /// How many objects the `objects` parts carried.
    public var objectCount: UInt32
    public var avatars: [MigratingAvatar]
    /// Local IDs of the ghosts it held: the target removes them (its neighbours ghost afresh).
    public var ghosts: [LocalID]

    public init(name: String, regionID: UUID, frame: UInt64, nextLocalID: LocalID, objectCount: UInt32, avatars: [MigratingAvatar], ghosts: [LocalID]) {
        self.name = name
        self.regionID = regionID
        self.frame = frame
        self.nextLocalID = nextLocalID
        self.objectCount = objectCount
        self.avatars = avatars
        self.ghosts = ghosts
    }

    init(from buffer: inout ByteBuffer) throws {
        name = try buffer.readText("snapshot.name", maxBytes: maxNameBytes)
        regionID = try buffer.readUUID("snapshot.regionID")
        frame = try buffer.readLE(UInt64.self, "snapshot.frame")
        nextLocalID = try buffer.readLE(UInt32.self, "snapshot.nextLocalID")
        objectCount = try buffer.readLE(UInt32.self, "snapshot.objectCount")
        let avatarCount = try buffer.readCount("snapshot.avatars", minElementBytes: 80)
        avatars = try (0..<avatarCount).map { _ in try MigratingAvatar(from: &buffer) }
        let ghostCount = try buffer.readCount("snapshot.ghosts", minElementBytes: 4)
        ghosts = try (0..<ghostCount).map { _ in try buffer.readLE(UInt32.self, "snapshot.ghost") }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeText(name)
        buffer.writeUUID(regionID)
        buffer.writeLE(frame)
        buffer.writeLE(nextLocalID)
        buffer.writeLE(objectCount)
        buffer.writeCount(avatars.count)
        for avatar in avatars { avatar.encode(into: &buffer) }
        buffer.writeCount(ghosts.count)
        for ghost in ghosts { buffer.writeLE(ghost) }
    }
}

/// A root avatar of a migrating region: its local ID, its whole state (positions in the
/// region's own metres), what it sees, and when it arrived.
public struct MigratingAvatar: Hashable, Sendable {
    public var localID: LocalID
    public var state: TravellingAvatar
    /// The local IDs of the entities in its view (itself included).
    public var visible: [LocalID]
    public var arrivedMillis: UInt64

    public init(localID: LocalID, state: TravellingAvatar, visible: [LocalID], arrivedMillis: UInt64) {
        self.localID = localID
        self.state = state
        self.visible = visible
        self.arrivedMillis = arrivedMillis
    }

    init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "migratingAvatar.localID")
        state = try TravellingAvatar(from: &buffer)
        arrivedMillis = try buffer.readLE(UInt64.self, "migratingAvatar.arrivedMillis")
        let count = try buffer.readCount("migratingAvatar.visible", minElementBytes: 4)
        visible = try (0..<count).map { _ in try buffer.readLE(UInt32.self, "migratingAvatar.visible") }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        state.encode(into: &buffer)
        buffer.writeLE(arrivedMillis)
        buffer.writeCount(visible.count)
        for id in visible { buffer.writeLE(id) }
    }
}

/// An object of a migrating region: its local ID and its whole state (record, whether stored,
/// velocity); scripts travel in the record's contents with their latest checkpoints.
public struct MigratingObject: Hashable, Sendable {
    public var localID: LocalID
    public var object: TravellingObject

    public init(localID: LocalID, object: TravellingObject) {
        self.localID = localID
        self.object = object
    }

    init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "migratingObject.localID")
        object = try TravellingObject(from: &buffer)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        object.encode(into: &buffer)
    }
}
