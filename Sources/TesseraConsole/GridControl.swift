import Foundation
import Hummingbird
import NIOCore
import TesseraStorage
import TesseraWire
import TesseraWorld

/// The console's actions on the running grid, shared by the JSON routes, `POST /console` and
/// the dashboard: each looks its target up, asks the region nodes, writes the audit trail and
/// the event feed, and answers a value or throws a `Problem`.
struct GridControl: Sendable {
    let directory: any RegionDirectory
    let admins: AdminStore
    let logins: LoginGate
    let events: ConsoleEvents

    /// Asking nodes; a restart waits for its avatars to leave (up to 5 s) and a flush.
    static let askTimeout: TimeAmount = .seconds(3)
    static let restartTimeout: TimeAmount = .seconds(15)

    func regions() async throws -> [RegionItem] {
        try await directory.regions().sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    /// The grid position of a registered region; the registry refuses positions beyond the grid,
    /// so a failure here means the database was edited by hand.
    static func gridPosition(of region: RegionItem) throws -> GridPosition {
        guard let position = GridPosition(x: region.gridX, y: region.gridY) else {
            throw Problem(.internalServerError, "internal", "Bad region position", detail: "region \(region.name) is registered at (\(region.gridX), \(region.gridY)), beyond the grid")
        }
        return position
    }

    func region(named name: String) async throws -> RegionItem {
        guard let region = try await directory.regions().first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw Problem(.notFound, "not-found", "No such region", detail: "no online region is named \(name)")
        }
        return region
    }

    func agents() async throws -> [AgentItem] {
        let outcome = try await directory.admin(.listAgents, timeout: Self.askTimeout)
        guard case .agents(let entries) = outcome else {
            if case .notHere = outcome { return [] }
            throw Self.problem(outcome, what: "the agents")
        }
        // An avatar in a hand-off is root in neither region: it shows once, where it is root.
        var seen = Set<AgentID>()
        return entries.filter { seen.insert($0.agentID).inserted }.map(AgentItem.init).sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    func agent(named name: String) async throws -> AgentItem {
        guard let agent = try await agents().first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw Problem(.notFound, "not-found", "No such agent", detail: "no avatar named \(name) is in the grid now")
        }
        return agent
    }

    func kick(_ name: String, message: String, by actor: AdminPrincipal?) async throws -> ActionResult {
        try await audited(actor, action: "kick", target: name, detail: message) {
            let agent = try await agent(named: name)
            guard let id = UUID(uuidString: agent.agentID) else { throw Problem(.internalServerError, "internal", "Bad agent id") }
            let outcome = try await directory.admin(.kick(id, message: message), timeout: Self.askTimeout)
            let result = try Self.done(outcome, what: "kick \(name)", missing: "\(name) left before the kick")
            events.post(.kick, "\(agent.name) was kicked from \(agent.region)\(message.isEmpty ? "" : ": \(message)")")
            return result
        }
    }

    func teleport(_ name: String, to body: TeleportBody, by actor: AdminPrincipal?) async throws -> ActionResult {
        try await audited(actor, action: "teleport", target: name, detail: "to \(body.region)") {
            let position = try body.position.map { values -> Vector3 in
                guard values.count == 3, values.allSatisfy(\.isFinite) else {
                    throw Problem(.badRequest, "invalid-body", "Invalid position", detail: "position must be three finite numbers [x, y, z] in metres")
                }
                return Vector3(Float(values[0]), Float(values[1]), Float(values[2]))
            }
            let target = try await region(named: body.region)
            let agent = try await agent(named: name)
            guard let id = UUID(uuidString: agent.agentID) else { throw Problem(.internalServerError, "internal", "Bad agent id") }
            let grid = try Self.gridPosition(of: target)
            let outcome = try await directory.admin(.teleport(id, region: target.name, gridPosition: grid, position: position), timeout: Self.askTimeout)
            let result = try Self.done(outcome, what: "teleport \(name)", missing: "\(name) left before the teleport")
            events.post(.admin, "\(agent.name) is teleported by an admin from \(agent.region) to \(target.name)")
            return result
        }
    }

    func alert(_ body: AlertBody, by actor: AdminPrincipal?) async throws -> AlertResult {
        let message = body.message.trimmingCharacters(in: .whitespacesAndNewlines)
        let target = body.agent.map { "agent \($0)" } ?? body.region.map { "region \($0)" } ?? "everyone"
        return try await audited(actor, action: "alert", target: target, detail: message) {
            guard !message.isEmpty, message.utf8.count <= 1000 else {
                throw Problem(.badRequest, "invalid-body", "Invalid alert", detail: "message must be 1 to 1000 bytes of text")
            }
            guard body.agent == nil || body.region == nil else {
                throw Problem(.badRequest, "invalid-body", "Invalid alert", detail: "give region or agent, not both")
            }
            let audience: AdminRequest.Audience
            if let name = body.agent {
                guard let id = UUID(uuidString: try await agent(named: name).agentID) else { throw Problem(.internalServerError, "internal", "Bad agent id") }
                audience = .agent(id)
            } else if let name = body.region {
                let region = try await region(named: name)
                audience = .region(try Self.gridPosition(of: region).handle)
            } else {
                audience = .everyone
            }
            let outcome = try await directory.admin(.alert(audience, message: message), timeout: Self.askTimeout)
            let delivered: Int
            switch outcome {
            case .done(let count, _): delivered = Int(count)
            case .notHere where body.agent == nil: delivered = 0
            default: throw Self.problem(outcome, what: "the alert", missing: "the avatar left before the alert")
            }
            events.post(.alert, "Alert to \(target) (\(delivered) avatars): \(message)")
            return AlertResult(delivered: delivered)
        }
    }

    func restart(_ name: String, message: String, by actor: AdminPrincipal?) async throws -> ActionResult {
        try await audited(actor, action: "restart region", target: name, detail: message) {
            let region = try await region(named: name)
            let handle = try Self.gridPosition(of: region).handle
            events.post(.restart, "\(region.name) is restarting")
            let outcome = try await directory.admin(.restart(handle, message: message), timeout: Self.restartTimeout)
            let result = try Self.done(outcome, what: "restart \(region.name)", missing: "\(region.name) is not running on any node that answered")
            events.post(.restart, result.detail)
            return result
        }
    }

    func disableLogins(message: String, by actor: AdminPrincipal?) async throws -> LoginGate.State {
        try await audited(actor, action: "disable logins", target: "grid", detail: message) {
            try await logins.disable(message: message)
            events.post(.admin, "Logins disabled for non-admins\(message.isEmpty ? "" : ": \(message)")")
            return try await logins.state()
        }
    }

    func enableLogins(by actor: AdminPrincipal?) async throws -> LoginGate.State {
        try await audited(actor, action: "enable logins", target: "grid") {
            try await logins.enable()
            events.post(.admin, "Logins enabled")
            return try await logins.state()
        }
    }

    func audited<T>(_ actor: AdminPrincipal?, action: String, target: String, detail: String = "", _ body: () async throws -> T) async throws -> T {
        try await Self.audit(admins, actor, action: action, target: target, detail: detail, body)
    }

    /// Runs an admin action and writes it to the audit trail: `ok`, or the problem's title.
    static func audit<T>(
        _ admins: AdminStore, _ actor: AdminPrincipal?, action: String, target: String, detail: String = "", _ body: () async throws -> T
    ) async throws -> T {
        do {
            let result = try await body()
            try await admins.audit(actor, action: action, target: target, result: "ok", detail: detail)
            return result
        } catch {
            let result = (error as? Problem).map { "\($0.status.code) \($0.title)" } ?? "failed"
            try? await admins.audit(actor, action: action, target: target, result: result, detail: "\(error)")
            throw error
        }
    }

    static func done(_ outcome: AdminReply.Outcome, what: String, missing: String) throws -> ActionResult {
        guard case .done(let affected, let detail) = outcome else { throw problem(outcome, what: what, missing: missing) }
        return ActionResult(affected: Int(affected), detail: detail)
    }

    static func problem(_ outcome: AdminReply.Outcome, what: String, missing: String = "nothing matched") -> Problem {
        switch outcome {
        case .notHere: return Problem(.notFound, "not-found", "Not found", detail: missing)
        case .failed(let code, let message) where code == ErrorCode.serviceUnavailable.rawValue:
            return Problem(.serviceUnavailable, "unavailable", "A region node is unavailable", detail: "\(what): \(message)")
        case .failed(let code, let message) where code == ErrorCode.invalidValue.rawValue:
            return Problem(.badRequest, "invalid-body", "Invalid request", detail: message)
        case .failed(_, let message):
            return Problem(.conflict, "refused", "The region refused", detail: "\(what): \(message)")
        default:
            return Problem(.internalServerError, "internal", "Unexpected answer", detail: "\(what): the region nodes answered \(outcome)")
        }
    }
}

/// An avatar in the grid now, as the console shows it.
struct AgentItem: ResponseCodable, Sendable, Hashable {
    var agentID: String
    var name: String
    var region: String
    var gridX: Int
    var gridY: Int
    /// Metres inside the region.
    var position: [Double]
    var inRegionSince: String
    var clientManager: String

    enum CodingKeys: String, CodingKey {
        case name, region, position
        case agentID = "agent_id", gridX = "grid_x", gridY = "grid_y", inRegionSince = "in_region_since", clientManager = "client_manager"
    }

    init(_ entry: AgentEntry) {
        agentID = entry.agentID.uuidString.lowercased()
        name = entry.name
        region = entry.regionName
        gridX = Int(entry.region.gridPosition.x)
        gridY = Int(entry.region.gridPosition.y)
        position = [entry.position.x, entry.position.y, entry.position.z].map { (Double($0) * 100).rounded() / 100 }
        inRegionSince = consoleDate(Date(timeIntervalSince1970: Double(entry.sinceMillis) / 1000))
        clientManager = entry.clientManager
    }
}

struct ActionResult: ResponseCodable, Sendable {
    /// Avatars kicked, teleported, moved or logged out.
    var affected: Int
    var detail: String
}

struct AlertResult: ResponseCodable, Sendable {
    var delivered: Int
}

struct AlertBody: Decodable {
    var message: String
    var region: String?
    var agent: String?

    init(message: String, region: String? = nil, agent: String? = nil) {
        self.message = message
        self.region = region
        self.agent = agent
    }
}

struct TeleportBody: Decodable {
    var region: String
    /// [x, y, z] metres inside the region; the region's centre when absent.
    var position: [Double]?

    init(region: String, position: [Double]? = nil) {
        self.region = region
        self.position = position
    }
}

struct MessageBody: Decodable {
    var message: String?
}
