import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TesseraClientManager
import TesseraConfig
import TesseraRegion

/// A whole grid in-process on ephemeral loopback ports, for tests and scenario scripts:
/// a region node with one region and a client manager connected to it over Tessera wire.
public final class ScenarioGrid: Sendable {
    public let config: GridConfig
    public let regionNode: RegionNode
    public let clientManager: ClientManager
    private let services: ServiceGroup
    private let running: Task<Void, Error>

    /// The URL clients connect to.
    public let url: String

    /// Starts the grid. `extraRegionKeys` and `extraClientManagerKeys` are TOML lines added
    /// to the region and client manager tables (e.g. `view_distance = 20`). Arrivals land
    /// within `spawnRadius` metres of the centre (small by default, so scenario avatars are
    /// within chat range of each other).
    public static func start(
        spawnRadius: Double = 3, extraRegionKeys: String = "", extraClientManagerKeys: String = "",
        secret: String = "scenario-grid-secret", group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ScenarioGrid {
        var logger = Logger(label: "tessera.scenario")
        logger.logLevel = .warning
        let nodeConfig = try GridConfig.parse(
            toml(nodePort: 0, secret: secret, region: "spawn_radius = \(spawnRadius)\n" + extraRegionKeys, manager: extraClientManagerKeys),
            file: "scenario"
        )
        let node = RegionNode(settings: .init(config: nodeConfig.regionNodes[0], grid: nodeConfig), group: group, logger: logger)
        let address = try await node.start()
        let config = try GridConfig.parse(
            toml(nodePort: address.port ?? 0, secret: secret, region: "spawn_radius = \(spawnRadius)\n" + extraRegionKeys, manager: extraClientManagerKeys),
            file: "scenario"
        )
        let manager = ClientManager(settings: ClientManagerSettings(config: config.clientManagers[0], grid: config), group: group, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [.init(service: manager)], logger: logger))
        let running = Task { try await services.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while manager.address == nil {
            guard ContinuousClock.now < deadline else {
                running.cancel()
                await node.shutdown()
                throw ScenarioGridError.clientManagerDidNotStart
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return ScenarioGrid(config: config, node: node, manager: manager, services: services, running: running)
    }

    private init(config: GridConfig, node: RegionNode, manager: ClientManager, services: ServiceGroup, running: Task<Void, Error>) {
        self.config = config
        self.regionNode = node
        self.clientManager = manager
        self.services = services
        self.running = running
        url = "ws://127.0.0.1:\(manager.address?.port ?? 0)/ws"
    }

    public func stop() async {
        await services.triggerGracefulShutdown()
        _ = try? await running.value
        await regionNode.shutdown()
    }

    private static func toml(nodePort: Int, secret: String, region: String, manager: String) -> String {
        """
        [grid]
        name = "Scenario"
        secret = "\(secret)"

        [[region_node]]
        name = "scenario-node"
        port = \(nodePort)

          [[region_node.region]]
          name = "Scenario Region"
          position = [1000, 1000]
          \(region)

        [[client_manager]]
        name = "scenario-edge"
        port = 0
        \(manager)
        """
    }
}

public enum ScenarioGridError: Error {
    case clientManagerDidNotStart
}
