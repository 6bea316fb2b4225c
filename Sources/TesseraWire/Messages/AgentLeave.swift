import NIOCore
import TesseraCodec
import TesseraWorld

/// Either direction: the avatar leaves the region. From the client manager it is a logout or a
/// lost connection; from the region it is a refusal of `AgentJoin` or a removal.
public struct AgentLeave: WireMessageBody {
    public static let messageType = WireMessageType.agentLeave

    public enum Reason: UInt8, Sendable, CaseIterable {
        case logout = 1
        case connectionLost = 2
        case refused = 3
        case removed = 4
        case regionStopping = 5
        /// The same agent joined again (a new login); the old avatar is gone.
        case replaced = 6
        /// An admin removed the avatar (the admin console's kick); `message` is theirs.
        case kicked = 7
        /// The region restarts and no neighbour took the avatar.
        case restarting = 8
    }

    public var region: RegionHandle
    public var agentID: AgentID
    public var reason: Reason
    public var message: String

    public init(region: RegionHandle, agentID: AgentID, reason: Reason, message: String = "") {
        self.region = region
        self.agentID = agentID
        self.reason = reason
        self.message = message
    }

    public init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "agentLeave.region"))
        agentID = try buffer.readUUID("agentLeave.agentID")
        reason = try buffer.readEnum(Reason.self, "agentLeave.reason")
        message = try buffer.readText("agentLeave.message", maxBytes: 1024)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeUUID(agentID)
        buffer.writeLE(reason.rawValue)
        buffer.writeText(message)
    }
}
