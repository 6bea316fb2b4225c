import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// Region → neighbour, every frame in which something changed: the entities within the ghost
/// margin of their shared border (docs/handoff.md, "Ghosts"). Local ids and positions are the
/// source's; the neighbour shifts them into its own metres and gives each ghost an id of its own.
public struct GhostFrame: WireMessageBody {
    public static let messageType = WireMessageType.ghostFrame

    public var source: RegionHandle
    public var destination: RegionHandle
    public var frame: UInt64
    public var appeared: [GhostEntity]
    public var moved: [MovedEntity]
    public var removed: [LocalID]

    public init(source: RegionHandle, destination: RegionHandle, frame: UInt64, appeared: [GhostEntity] = [], moved: [MovedEntity] = [], removed: [LocalID] = []) {
        self.source = source
        self.destination = destination
        self.frame = frame
        self.appeared = appeared
        self.moved = moved
        self.removed = removed
    }

    public var isEmpty: Bool { appeared.isEmpty && moved.isEmpty && removed.isEmpty }

    public init(from buffer: inout ByteBuffer) throws {
        source = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "ghostFrame.source"))
        destination = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "ghostFrame.destination"))
        frame = try buffer.readLE(UInt64.self, "ghostFrame.frame")
        let appearedCount = try buffer.readCount("ghostFrame.appeared", minElementBytes: 17)
        appeared = try (0..<appearedCount).map { _ in try GhostEntity(from: &buffer) }
        let movedCount = try buffer.readCount("ghostFrame.moved", minElementBytes: 22)
        moved = try (0..<movedCount).map { _ in try MovedEntity(from: &buffer) }
        let removedCount = try buffer.readCount("ghostFrame.removed", minElementBytes: 4)
        removed = try (0..<removedCount).map { _ in try buffer.readLE(UInt32.self, "ghostFrame.removed") }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(source.rawValue)
        buffer.writeLE(destination.rawValue)
        buffer.writeLE(frame)
        buffer.writeCount(appeared.count)
        for entity in appeared { entity.encode(into: &buffer) }
        buffer.writeCount(moved.count)
        for entity in moved { entity.encode(into: &buffer) }
        buffer.writeCount(removed.count)
        for id in removed { buffer.writeLE(id) }
    }
}

/// An entity as a neighbour sees it: what a client needs to draw it, and for an avatar its
/// agent id (so the neighbour drops the ghost when the avatar itself arrives).
public struct GhostEntity: Hashable, Sendable {
    public var info: EntityInfo
    public var agentID: AgentID?

    public init(info: EntityInfo, agentID: AgentID?) {
        self.info = info
        self.agentID = agentID
    }

    init(from buffer: inout ByteBuffer) throws {
        info = try EntityInfo(from: &buffer)
        agentID = try buffer.readOptionalUUID("ghost.agentID")
    }

    func encode(into buffer: inout ByteBuffer) {
        info.encode(into: &buffer)
        buffer.writeOptionalUUID(agentID)
    }
}
