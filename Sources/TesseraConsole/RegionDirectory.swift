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

    enum CodingKeys: String, CodingKey {
        case id, name, node, address, reachable, agents, ghosts, objects, physics
        case gridX = "grid_x", gridY = "grid_y", frameRate = "frame_rate", timeDilation = "time_dilation"
        case handoffsInProgress = "handoffs_in_progress"
    }
}

/// Where the console's region list comes from.
public protocol RegionDirectory: Sendable {
    func regions() async throws -> [RegionItem]
}

/// The registry's online regions, each with its node's live status (one `StatusRequest` per
/// node, at most `timeout` each, all at once); a node that does not answer leaves its regions
/// listed as unreachable.
public struct RegistryRegionDirectory: RegionDirectory {
    public let registry: RegionRegistry
    public let gridSecret: String
    public let group: EventLoopGroup
    public var timeout: TimeAmount = .seconds(2)

    public init(registry: RegionRegistry, gridSecret: String, group: EventLoopGroup) {
        self.registry = registry
        self.gridSecret = gridSecret
        self.group = group
    }

    public func regions() async throws -> [RegionItem] {
        let registered = try await registry.online()
        let addresses = Set(registered.map(\.address))
        let hello = Hello(role: .tool, nodeName: "tessera-console", gridSecret: gridSecret)
        let (group, timeout) = (group, timeout)
        let statuses = await withTaskGroup(of: [RegionStatus].self) { tasks in
            for address in addresses {
                tasks.addTask {
                    let parts = address.split(separator: ":")
                    guard parts.count == 2, let port = Int(parts[1]),
                        case .statusReply(let reply)? = try? await WireRequest.ask(
                            host: String(parts[0]), port: port, hello: hello, .statusRequest(StatusRequest()), group: group, timeout: timeout)
                    else { return [] }
                    return reply.regions
                }
            }
            var all: [RegionStatus] = []
            for await regions in tasks { all += regions }
            return all
        }
        let byHandle = Dictionary(statuses.map { ($0.handle, $0) }, uniquingKeysWith: { first, _ in first })
        return registered.map { region in
            let status = byHandle[GridPosition(x: UInt32(region.gridX), y: UInt32(region.gridY)).handle]
            return RegionItem(
                id: region.id.uuidString.lowercased(), name: region.name, node: region.node, address: region.address,
                gridX: region.gridX, gridY: region.gridY, reachable: status != nil,
                agents: status.map { $0.rootAgents.count }, ghosts: status.map { Int($0.ghosts) }, objects: status.map { Int($0.objects) },
                frameRate: status.map { Double($0.achievedFrameRate) }, timeDilation: status.map { Double($0.timeDilation) },
                handoffsInProgress: status.map { Int($0.handoffsInProgress) }, physics: status?.physics.state.description)
        }
    }
}

extension AdminConsole {
    func addRegionRoutes(to router: Router<ConsoleContext>) {
        let directory = regionDirectory
        router.get("/regions") { request, _ -> Page<RegionItem> in
            let limit = try Self.limit(request)
            let after = request.uri.queryParameters["cursor"].map(String.init)
            let all = try await directory.regions().sorted { $0.name.lowercased() < $1.name.lowercased() }
            let rest = after.map { cursor in all.filter { $0.name.lowercased() > cursor.lowercased() } } ?? all
            let items = Array(rest.prefix(limit))
            return Page(items: items, next: rest.count > limit ? items.last?.name : nil)
        }
        router.get("/regions/{name}") { _, context -> RegionItem in
            let name = try Self.pathName(context)
            guard let region = try await directory.regions().first(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw Problem(.notFound, "not-found", "No such region", detail: "no online region is named \(name)")
            }
            return region
        }
    }
}
