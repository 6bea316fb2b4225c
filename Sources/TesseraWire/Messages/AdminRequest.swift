import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// Tool → region node: one admin action on the node's regions (the admin console's agents,
/// kick, alert, teleport and restart). Answered by one `AdminReply`.
public struct AdminRequest: WireMessageBody {
    public static let messageType = WireMessageType.adminRequest

    /// Who an alert is for.
    public enum Audience: Hashable, Sendable {
        case everyone
        case region(RegionHandle)
        case agent(AgentID)
    }

    public enum Action: Hashable, Sendable {
        /// Every root avatar of the node's regions.
        case listAgents
        /// The agent's avatar leaves its region and its client is closed with `message`.
        case kick(AgentID, message: String)
        case alert(Audience, message: String)
        /// To a region by name (empty: the grid position) and, optionally, a point in it.
        case teleport(AgentID, region: String, gridPosition: GridPosition, position: Vector3?)
        /// The region's avatars go to a neighbour (or are told and logged out), then the region
        /// starts again from its stored scene.
        case restart(RegionHandle, message: String)
        /// The region's script link and its scripts by recent time (Top Scripts); answered
        /// `AdminReply.Outcome.scripts` by that region.
        case scripts(RegionHandle)
        /// Resets, stops or starts the script item named `item` of the object `object` in the region.
        case controlScript(RegionHandle, object: UUID, item: String, ScriptControlAction)
        /// Moves the running region to the region node named `toNode` (docs/migration.md);
        /// answered `AdminReply.Outcome.moved` by the node that ran it. An empty name lets the
        /// node choose any other region node it is linked to.
        case moveRegion(RegionHandle, toNode: String)
    }

    public var action: Action

    public init(_ action: Action) {
        self.action = action
    }

    public init(from buffer: inout ByteBuffer) throws {
        let kind = try buffer.readLE(UInt8.self, "adminRequest.action")
        switch kind {
        case 1: action = .listAgents
        case 2: action = .kick(try buffer.readUUID("adminRequest.agent"), message: try buffer.readText("adminRequest.message", maxBytes: 1024))
        case 3:
            let audience: Audience
            switch try buffer.readLE(UInt8.self, "adminRequest.audience") {
            case 0: audience = .everyone
            case 1: audience = .region(RegionHandle(rawValue: try buffer.readLE(UInt64.self, "adminRequest.region")))
            case 2: audience = .agent(try buffer.readUUID("adminRequest.agent"))
            case let other: throw CodecError.invalidValue(field: "adminRequest.audience", reason: "unknown value \(other)")
            }
            action = .alert(audience, message: try buffer.readText("adminRequest.message", maxBytes: 1024))
        case 4:
            let agent = try buffer.readUUID("adminRequest.agent")
            let region = try buffer.readText("adminRequest.region", maxBytes: maxNameBytes)
            let grid = try GridPosition.decoded(
                x: try buffer.readLE(UInt32.self, "adminRequest.gridX"), y: try buffer.readLE(UInt32.self, "adminRequest.gridY"),
                field: "adminRequest.gridX")
            action = .teleport(agent, region: region, gridPosition: grid, position: try buffer.readOptionalVector("adminRequest.position"))
        case 5:
            action = .restart(
                RegionHandle(rawValue: try buffer.readLE(UInt64.self, "adminRequest.region")),
                message: try buffer.readText("adminRequest.message", maxBytes: 1024))
        case 6:
            action = .scripts(RegionHandle(rawValue: try buffer.readLE(UInt64.self, "adminRequest.region")))
        case 7:
            let region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "adminRequest.region"))
            let object = try buffer.readUUID("adminRequest.object")
            let item = try buffer.readText("adminRequest.item", maxBytes: maxNameBytes)
            guard !item.isEmpty else { throw CodecError.invalidValue(field: "adminRequest.item", reason: "empty") }
            action = .controlScript(region, object: object, item: item, try buffer.readEnum(ScriptControlAction.self, "adminRequest.scriptAction"))
        case 8:
            action = .moveRegion(
                RegionHandle(rawValue: try buffer.readLE(UInt64.self, "adminRequest.region")),
                toNode: try buffer.readText("adminRequest.toNode", maxBytes: 255))
        default:
            throw CodecError.invalidValue(field: "adminRequest.action", reason: "unknown value \(kind)")
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        switch action {
        case .listAgents:
            buffer.writeLE(UInt8(1))
        case .kick(let agent, let message):
            buffer.writeLE(UInt8(2))
            buffer.writeUUID(agent)
            buffer.writeText(message)
        case .alert(let audience, let message):
            buffer.writeLE(UInt8(3))
            switch audience {
            case .everyone: buffer.writeLE(UInt8(0))
            case .region(let handle):
                buffer.writeLE(UInt8(1))
                buffer.writeLE(handle.rawValue)
            case .agent(let agent):
                buffer.writeLE(UInt8(2))
                buffer.writeUUID(agent)
            }
            buffer.writeText(message)
        case .teleport(let agent, let region, let grid, let position):
            buffer.writeLE(UInt8(4))
            buffer.writeUUID(agent)
            buffer.writeText(region)
            buffer.writeLE(grid.x)
            buffer.writeLE(grid.y)
            buffer.writeOptionalVector(position)
        case .restart(let handle, let message):
            buffer.writeLE(UInt8(5))
            buffer.writeLE(handle.rawValue)
            buffer.writeText(message)
        case .scripts(let handle):
            buffer.writeLE(UInt8(6))
            buffer.writeLE(handle.rawValue)
        case .controlScript(let handle, let object, let item, let action):
            buffer.writeLE(UInt8(7))
            buffer.writeLE(handle.rawValue)
            buffer.writeUUID(object)
            buffer.writeText(item, maxBytes: maxNameBytes)
            buffer.writeLE(action.rawValue)
        case .moveRegion(let handle, let node):
            buffer.writeLE(UInt8(8))
            buffer.writeLE(handle.rawValue)
            buffer.writeText(node, maxBytes: 255)
        }
    }
}
