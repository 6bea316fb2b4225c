import Foundation
import Hummingbird
import NIOCore
import TesseraStorage
import TesseraWire
import TesseraWorld

/// A region as the console shows it: where the registry says it runs, and how it runs now
/// (from its node's status, when the node answers).
public struct RegionItem: ResponseEncodable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var node: String
    public var address: String
    public var gridX: Int32
    public var gridY: Int32
    /// Whether its node answered the status request just now.
    public var reachable: Bool
    public var agents: Int?
    public var ghosts: Int?
    public var objects: Int?
    public var frameRate: Double?
    public var timeDilation: Double?
    public var handoffsInProgress: Int?
    /// The region's physics link: none, lost or attached.
    public var physics: String?
    /// The region's script link: none, lost or attached.
    public var scripts: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, name, node, address, reachable, agents, ghosts, objects, physics, scripts
        case gridX = "grid_x", gridY = "grid_y", frameRate = "frame_rate", timeDilation = "time_dilation"
        case handoffsInProgress = "handoffs_in_progress"
    }
}

/// Where the console's regions come from, and how its actions reach them.
public protocol RegionDirectory: Sendable {
    func regions() async throws -> [RegionItem]
    /// Asks every region node at once and combines their answers (`AdminReply.Outcome.combine`);
    /// a node that does not answer within `timeout` counts as `failed`.
    func admin(_ action: AdminRequest.Action, timeout: TimeAmount) async throws -> AdminReply.Outcome
}

/// The registry's online regions, each with its node's live status (one `StatusRequest` per
/// node, at most `timeout` each, all at once); a node that does not answer leaves its regions
/// listed as unreachable.
public struct RegistryRegionDirectory: RegionDirectory {
    public let registry: RegionRegistry
    public let gridSecret: String
    public let group: EventLoopGroup
    public var timeout: TimeAmount = .seconds(2)
    /// The grid services' certificate when the grid runs with TLS: the console then asks the
    /// nodes as the grid services (role `grid`), not as a tool holding the secret.
    public let tls: WireTLS?

    public init(registry: RegionRegistry, gridSecret: String, group: EventLoopGroup, tls: WireTLS? = nil) {
        self.tls = tls
        self.registry = registry
        self.gridSecret = gridSecret
        self.group = group
    }

    /// Sends one message to every node of the registry's online regions, at once; nil for a
    /// node that did not answer in time.
    private func askEveryNode(_ message: WireMessage, timeout: TimeAmount, registered: [RegisteredRegion]? = nil) async throws -> [WireMessage?] {
        let regions: [RegisteredRegion]
        if let registered { regions = registered } else { regions = try await registry.online() }
        let addresses = Set(regions.map(\.address))
        let hello = tls.map { Hello(role: .grid, nodeName: "\($0.node)/console", gridSecret: "") }
            ?? Hello(role: .tool, nodeName: "tessera-console", gridSecret: gridSecret)
        let dialing = tls?.dialing(.region)
        let group = group
        return await withTaskGroup(of: WireMessage?.self) { tasks in
            for address in addresses {
                tasks.addTask {
                    let parts = address.split(separator: ":")
                    guard parts.count == 2, let port = Int(parts[1]) else { return nil }
                    return try? await WireRequest.ask(host: String(parts[0]), port: port, hello: hello, message, group: group, timeout: timeout, tls: dialing)
                }
            }
            var answers: [WireMessage?] = []
            for await answer in tasks { answers.append(answer) }
            return answers
        }
    }

    public func admin(_ action: AdminRequest.Action, timeout: TimeAmount) async throws -> AdminReply.Outcome {
        let answers = try await askEveryNode(.adminRequest(AdminRequest(action)), timeout: timeout)
        let outcomes = answers.map { answer -> AdminReply.Outcome in
            guard case .adminReply(let reply)? = answer else {
                return .failed(code: ErrorCode.serviceUnavailable.rawValue, message: "a region node did not answer")
            }
            return reply.outcome
        }
        // A silent node only matters when no other node did it.
        let answered = outcomes.filter { if case .failed(let code, _) = $0, code == ErrorCode.serviceUnavailable.rawValue { false } else { true } }
        let combined = AdminReply.Outcome.combine(answered)
        if case .notHere = combined, answered.count < outcomes.count { return AdminReply.Outcome.combine(outcomes) }
        return combined
    }

    public func regions() async throws -> [RegionItem] {
        let registered = try await registry.online()
        let statuses = try await askEveryNode(.statusRequest(StatusRequest()), timeout: timeout, registered: registered).flatMap { answer -> [RegionStatus] in
            guard case .statusReply(let reply)? = answer else { return [] }
            return reply.regions
        }
        let byHandle = Dictionary(statuses.map { ($0.handle, $0) }, uniquingKeysWith: { first, _ in first })
        return registered.map { region in
            let status = GridPosition(x: region.gridX, y: region.gridY).flatMap { byHandle[$0.handle] }
            return RegionItem(
                id: region.id.uuidString.lowercased(), name: region.name, node: region.node, address: region.address,
                gridX: region.gridX, gridY: region.gridY, reachable: status != nil,
                agents: status.map { $0.rootAgents.count }, ghosts: status.map { Int($0.ghosts) }, objects: status.map { Int($0.objects) },
                frameRate: status.map { Double($0.achievedFrameRate) }, timeDilation: status.map { Double($0.timeDilation) },
                handoffsInProgress: status.map { Int($0.handoffsInProgress) }, physics: status?.physics.state.description,
                scripts: status?.scripts.state.description)
        }
    }
}

extension AdminConsole {
    func addRegionRoutes(to router: Router<ConsoleContext>) {
        let control = control
        router.get("/regions") { request, _ -> Page<RegionItem> in
            let limit = try Self.limit(request)
            let after = request.uri.queryParameters["cursor"].map(String.init)
            let all = try await control.regions()
            let rest = after.map { cursor in all.filter { $0.name.lowercased() > cursor.lowercased() } } ?? all
            let items = Array(rest.prefix(limit))
            return Page(items: items, next: rest.count > limit ? items.last?.name : nil)
        }
        router.get("/regions/{name}") { _, context -> RegionItem in
            try await control.region(named: try Self.pathName(context))
        }
    }
}
