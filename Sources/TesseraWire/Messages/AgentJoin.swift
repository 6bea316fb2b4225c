import NIOCore
import TesseraCodec
import TesseraWorld

/// Client manager → region: place this avatar in the region as its root.
public struct AgentJoin: WireMessageBody {
    public static let messageType = WireMessageType.agentJoin

    public var region: RegionHandle
    public var agentID: AgentID
    public var name: String

    public init(region: RegionHandle, agentID: AgentID, name: String) {
        self.region = region
        self.agentID = agentID
        self.name = name
    }

    public init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "agentJoin.region"))
        agentID = try buffer.readUUID("agentJoin.agentID")
        name = try buffer.readText("agentJoin.name", maxBytes: maxNameBytes)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeUUID(agentID)
        buffer.writeText(name)
    }
}
