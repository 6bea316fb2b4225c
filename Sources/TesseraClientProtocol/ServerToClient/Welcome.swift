import Foundation
import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// 0x81 — login accepted: who the avatar is and where.
public struct Welcome: Hashable, Sendable {
    public var agentID: AgentID
    public var localID: LocalID
    public var regionName: String
    public var regionHandle: RegionHandle
    public var frameRate: UInt16
    public var updateRate: UInt16
    public var viewDistance: Float
    /// Logs in again without the password (Login with credential kind 2) until it expires or
    /// is revoked: the token a password login got, or the one a token login used.
    public var sessionToken: String

    public init(
        agentID: AgentID, localID: LocalID, regionName: String, regionHandle: RegionHandle,
        frameRate: UInt16, updateRate: UInt16, viewDistance: Float, sessionToken: String = ""
    ) {
        self.sessionToken = sessionToken
        self.agentID = agentID
        self.localID = localID
        self.regionName = regionName
        self.regionHandle = regionHandle
        self.frameRate = frameRate
        self.updateRate = updateRate
        self.viewDistance = viewDistance
    }

    init(from buffer: inout ByteBuffer) throws {
        agentID = try buffer.readUUID("welcome.agentID")
        localID = try buffer.readLE(UInt32.self, "welcome.localID")
        regionName = try buffer.readText("welcome.regionName", maxBytes: maxNameBytes)
        regionHandle = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "welcome.regionHandle"))
        frameRate = try buffer.readLE(UInt16.self, "welcome.frameRate")
        updateRate = try buffer.readLE(UInt16.self, "welcome.updateRate")
        viewDistance = try buffer.readFloatLE("welcome.viewDistance")
        sessionToken = try buffer.readText("welcome.sessionToken", maxBytes: maxTokenBytes)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(agentID)
        buffer.writeLE(localID)
        buffer.writeText(regionName)
        buffer.writeLE(regionHandle.rawValue)
        buffer.writeLE(frameRate)
        buffer.writeLE(updateRate)
        buffer.writeFloatLE(viewDistance)
        buffer.writeText(sessionToken)
    }
}
