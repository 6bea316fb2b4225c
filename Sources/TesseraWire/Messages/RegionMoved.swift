import NIOCore
import TesseraCodec
import TesseraWorld

/// Region node → client manager: this node now runs the region (a live migration committed,
/// docs/migration.md). The client manager routes the region's avatars here, with the same local
/// IDs, and replays each one's commands after `appliedSequence` on this link.
public struct RegionMoved: WireMessageBody {
    public static let messageType = WireMessageType.regionMoved

    public struct Avatar: Hashable, Sendable {
        public var agentID: AgentID
        public var localID: LocalID
        /// The last command of the avatar's client the region applied before it froze.
        public var appliedSequence: UInt32

        public init(agentID: AgentID, localID: LocalID, appliedSequence: UInt32) {
            self.agentID = agentID
            self.localID = localID
            self.appliedSequence = appliedSequence
        }
    }

    public var migrationID: UInt64
    public var region: RegionDescriptor
    /// The avatars of this client manager in the region.
    public var avatars: [Avatar]

    public init(migrationID: UInt64, region: RegionDescriptor, avatars: [Avatar]) {
        self.migrationID = migrationID
        self.region = region
        self.avatars = avatars
    }

    public init(from buffer: inout ByteBuffer) throws {
        migrationID = try buffer.readLE(UInt64.self, "regionMoved.migrationID")
        region = try RegionDescriptor(from: &buffer)
        let count = try buffer.readCount("regionMoved.avatars", minElementBytes: 24)
        avatars = try (0..<count).map { _ in
            Avatar(
                agentID: try buffer.readUUID("regionMoved.agentID"), localID: try buffer.readLE(UInt32.self, "regionMoved.localID"),
                appliedSequence: try buffer.readLE(UInt32.self, "regionMoved.appliedSequence"))
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(migrationID)
        region.encode(into: &buffer)
        buffer.writeCount(avatars.count)
        for avatar in avatars {
            buffer.writeUUID(avatar.agentID)
            buffer.writeLE(avatar.localID)
            buffer.writeLE(avatar.appliedSequence)
        }
    }
}

/// What a live region migration moved, and what it cost (the answer to a move request).
public struct RegionMoveReport: Hashable, Sendable {
    public var region: RegionHandle
    public var regionName: String
    public var fromNode: String
    public var toNode: String
    public var avatars: UInt32
    public var objects: UInt32
    /// Script items in the moved objects (they run on from their latest checkpoints).
    public var scripts: UInt32
    /// From the source's last frame to the target's answer that it runs the region: how long
    /// the region ran no frame.
    public var pauseMicros: UInt64
    /// From the request to the answer.
    public var totalMicros: UInt64

    public init(
        region: RegionHandle, regionName: String, fromNode: String, toNode: String, avatars: UInt32, objects: UInt32, scripts: UInt32,
        pauseMicros: UInt64, totalMicros: UInt64
    ) {
        self.region = region
        self.regionName = regionName
        self.fromNode = fromNode
        self.toNode = toNode
        self.avatars = avatars
        self.objects = objects
        self.scripts = scripts
        self.pauseMicros = pauseMicros
        self.totalMicros = totalMicros
    }

    init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "moveReport.region"))
        regionName = try buffer.readText("moveReport.regionName", maxBytes: maxNameBytes)
        fromNode = try buffer.readText("moveReport.fromNode", maxBytes: 255)
        toNode = try buffer.readText("moveReport.toNode", maxBytes: 255)
        avatars = try buffer.readLE(UInt32.self, "moveReport.avatars")
        objects = try buffer.readLE(UInt32.self, "moveReport.objects")
        scripts = try buffer.readLE(UInt32.self, "moveReport.scripts")
        pauseMicros = try buffer.readLE(UInt64.self, "moveReport.pauseMicros")
        totalMicros = try buffer.readLE(UInt64.self, "moveReport.totalMicros")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeText(regionName, maxBytes: maxNameBytes)
        buffer.writeText(fromNode, maxBytes: 255)
        buffer.writeText(toNode, maxBytes: 255)
        buffer.writeLE(avatars)
        buffer.writeLE(objects)
        buffer.writeLE(scripts)
        buffer.writeLE(pauseMicros)
        buffer.writeLE(totalMicros)
    }
}
