import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// Region node → tool: the answer to one `AdminRequest`.
public struct AdminReply: WireMessageBody {
    public static let messageType = WireMessageType.adminReply

    public enum Outcome: Hashable, Sendable {
        case agents([AgentEntry])
        /// Done; `affected` avatars (kicked, alerted, teleported, moved or logged out).
        case done(affected: UInt32, detail: String)
        /// Nothing matched on this node (an agent that is not here, a region it does not run).
        case notHere
        case failed(code: UInt16, message: String)
        /// One region's scripts (the answer to `AdminRequest.Action.scripts`).
        case scripts(ScriptsReport)
        /// A live region migration's outcome (the answer to `AdminRequest.Action.moveRegion`).
        case moved(RegionMoveReport)
    }

    public var outcome: Outcome

    public init(_ outcome: Outcome) {
        self.outcome = outcome
    }

    public init(from buffer: inout ByteBuffer) throws {
        switch try buffer.readLE(UInt8.self, "adminReply.outcome") {
        case 1:
            let count = try buffer.readCount("adminReply.agents", minElementBytes: 50)
            outcome = .agents(try (0..<count).map { _ in try AgentEntry(from: &buffer) })
        case 2:
            outcome = .done(affected: try buffer.readLE(UInt32.self, "adminReply.affected"), detail: try buffer.readText("adminReply.detail", maxBytes: 1024))
        case 3:
            outcome = .notHere
        case 4:
            outcome = .failed(code: try buffer.readLE(UInt16.self, "adminReply.code"), message: try buffer.readText("adminReply.message", maxBytes: 1024))
        case 5:
            outcome = .scripts(try ScriptsReport(from: &buffer))
        case 6:
            outcome = .moved(try RegionMoveReport(from: &buffer))
        case let other:
            throw CodecError.invalidValue(field: "adminReply.outcome", reason: "unknown value \(other)")
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        switch outcome {
        case .agents(let agents):
            buffer.writeLE(UInt8(1))
            buffer.writeCount(agents.count)
            for agent in agents { agent.encode(into: &buffer) }
        case .done(let affected, let detail):
            buffer.writeLE(UInt8(2))
            buffer.writeLE(affected)
            buffer.writeText(detail)
        case .notHere:
            buffer.writeLE(UInt8(3))
        case .failed(let code, let message):
            buffer.writeLE(UInt8(4))
            buffer.writeLE(code)
            buffer.writeText(message)
        case .scripts(let report):
            buffer.writeLE(UInt8(5))
            report.encode(into: &buffer)
        case .moved(let report):
            buffer.writeLE(UInt8(6))
            report.encode(into: &buffer)
        }
    }
}

extension AdminReply.Outcome {
    /// Several regions' (or nodes') answers as one: agent lists are joined, counts added, the
    /// first failure wins over successes, and nothing matched anywhere is `notHere`. A region's
    /// scripts report (one region answers it) wins over everything but agent lists.
    public static func combine(_ outcomes: [AdminReply.Outcome]) -> AdminReply.Outcome {
        var agents: [AgentEntry]?
        var scripts: ScriptsReport?
        var moved: RegionMoveReport?
        var affected: UInt32 = 0
        var details: [String] = []
        var failure: AdminReply.Outcome?
        for outcome in outcomes {
            switch outcome {
            case .agents(let some): agents = (agents ?? []) + some
            case .done(let count, let detail):
                affected += count
                details.append(detail)
            case .notHere: break
            case .failed: failure = failure ?? outcome
            case .scripts(let report): scripts = scripts ?? report
            case .moved(let report): moved = moved ?? report
            }
        }
        if let agents { return .agents(agents) }
        if let moved { return .moved(moved) }
        if let scripts { return .scripts(scripts) }
        if let failure { return failure }
        return details.isEmpty ? .notHere : .done(affected: affected, detail: details.sorted().joined(separator: "; "))
    }
}

/// A root avatar as its region knows it.
public struct AgentEntry: Hashable, Sendable {
    public var agentID: AgentID
    public var name: String
    public var region: RegionHandle
    public var regionName: String
    public var position: Vector3
    /// When the avatar arrived in this region (login or hand-off), milliseconds since 1970.
    public var sinceMillis: UInt64
    /// The node name of the client manager its client is routed through.
    public var clientManager: String

    public init(agentID: AgentID, name: String, region: RegionHandle, regionName: String, position: Vector3, sinceMillis: UInt64, clientManager: String) {
        self.agentID = agentID
        self.name = name
        self.region = region
        self.regionName = regionName
        self.position = position
        self.sinceMillis = sinceMillis
        self.clientManager = clientManager
    }

    init(from buffer: inout ByteBuffer) throws {
        agentID = try buffer.readUUID("agent.id")
        name = try buffer.readText("agent.name", maxBytes: maxNameBytes)
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "agent.region"))
        regionName = try buffer.readText("agent.regionName", maxBytes: maxNameBytes)
        position = try buffer.readVector("agent.position")
        sinceMillis = try buffer.readLE(UInt64.self, "agent.since")
        clientManager = try buffer.readText("agent.clientManager", maxBytes: 255)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(agentID)
        buffer.writeText(name)
        buffer.writeLE(region.rawValue)
        buffer.writeText(regionName)
        buffer.writeVector(position)
        buffer.writeLE(sinceMillis)
        buffer.writeText(clientManager)
    }
}
