import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// Region → client manager: show these avatars' clients an alert from the grid's admins
/// (client `Alert`, docs/client-protocol.md).
public struct AgentNotice: WireMessageBody {
    public static let messageType = WireMessageType.agentNotice

    /// Whom the admin addressed: the whole grid, the region, or the avatar alone.
    public enum Scope: UInt8, Sendable, CaseIterable {
        case grid = 0
        case region = 1
        case personal = 2
    }

    public var region: RegionHandle
    public var scope: Scope
    public var agents: [AgentID]
    public var text: String

    public init(region: RegionHandle, scope: Scope, agents: [AgentID], text: String) {
        self.scope = scope
        self.region = region
        self.agents = agents
        self.text = text
    }

    public init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "agentNotice.region"))
        scope = try buffer.readEnum(Scope.self, "agentNotice.scope")
        let count = try buffer.readCount("agentNotice.agents", minElementBytes: 16)
        agents = try (0..<count).map { _ in try buffer.readUUID("agentNotice.agents") }
        text = try buffer.readText("agentNotice.text", maxBytes: 1024)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeLE(scope.rawValue)
        buffer.writeCount(agents.count)
        for agent in agents { buffer.writeUUID(agent) }
        buffer.writeText(text)
    }
}
