import NIOCore
import TesseraCodec
import TesseraWorld

/// Region → client manager: the avatar is in, with this local id and these region settings.
public struct AgentJoined: WireMessageBody {
    public static let messageType = WireMessageType.agentJoined

    public var region: RegionHandle
    public var agentID: AgentID
    public var localID: LocalID
    public var regionName: String
    public var frameRate: UInt16
    public var viewDistance: Float

    public init(
        region: RegionHandle, agentID: AgentID, localID: LocalID,
        regionName: String, frameRate: UInt16, viewDistance: Float
    ) {
        self.region = region
        self.agentID = agentID
        self.localID = localID
        self.regionName = regionName
        self.frameRate = frameRate
        self.viewDistance = viewDistance
    }

    public init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "agentJoined.region"))
        agentID = try buffer.readUUID("agentJoined.agentID")
        localID = try buffer.readLE(UInt32.self, "agentJoined.localID")
        regionName = try buffer.readText("agentJoined.regionName", maxBytes: maxNameBytes)
        frameRate = try buffer.readLE(UInt16.self, "agentJoined.frameRate")
        viewDistance = try buffer.readFloatLE("agentJoined.viewDistance")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeUUID(agentID)
        buffer.writeLE(localID)
        buffer.writeText(regionName)
        buffer.writeLE(frameRate)
        buffer.writeFloatLE(viewDistance)
    }
}
