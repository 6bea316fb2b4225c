import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization
import TesseraClientManager
import TesseraConfig
import TesseraGrid
import TesseraRegion
import TesseraStorage

/// A whole grid in-process on ephemeral loopback ports, for tests and scenario scripts:
/// a region node with one region and a client manager connected to it over Tessera wire,
/// and, when asked, grid services on a fresh throwaway PostgreSQL database.
public final class ScenarioGrid: Sendable {
    public let config: GridConfig
    public let clientManager: ClientManager
    /// The grid services' operations (to make accounts and inspect storage), when running.
    public let gridServices: GridServices?
    public let databaseClient: PostgresClient?
    private let node: Mutex<RegionNode>
    private let services: ServiceGroup
    private let running: Task<Void, Error>
    private let database: Task<Void, Never>?
    private let group: EventLoopGroup
    private let logger: Logger

    /// The URL clients connect to.
    public let url: String

    public var regionNode: RegionNode { node.withLock { $0 } }

    /// Starts the grid. `extraRegionKeys` and `extraClientManagerKeys` are TOML lines added
    /// to the region and client manager tables (e.g. `view_distance = 20`). Arrivals land
    /// within `spawnRadius` metres of the centre (small by default, so scenario avatars are
    /// within chat range of each other). With `migrationsDirectory`, grid services run on a
    /// fresh database migrated from it, and logins need accounts.
    public static func start(
        spawnRadius: Double = 3, extraRegionKeys: String = "", extraClientManagerKeys: String = "",
        secret: String = "scenario-grid-secret", migrationsDirectory: String? = nil,
        group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ScenarioGrid {
        var logger = Logger(label: "tessera.scenario")
        logger.logLevel = .warning
        var gridServices: GridServices?
        var client: PostgresClient?
        var database: Task<Void, Never>?
        var servicesKeys = ""
        if let migrationsDirectory {
            let settings = try await TestDatabases.fresh(migrationsDirectory: migrationsDirectory, logger: logger)
            let pool = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
            database = Task.detached { await pool.run() }
            let services = GridServices(
                settings: .init(
                    name: "scenario-grid", host: "127.0.0.1", port: 0, gridSecret: secret,
                    hasher: PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1)),
                client: pool, group: group, logger: logger)
            let address = try await services.start()
            servicesKeys = "[grid_services]\nport = \(address.port ?? 0)\n"
            gridServices = services
            client = pool
        }
        let region = "spawn_radius = \(spawnRadius)\nflush_interval_seconds = 0.5\n" + extraRegionKeys
        let nodeConfig = try GridConfig.parse(
            toml(nodePort: 0, secret: secret, region: region, manager: extraClientManagerKeys, services: servicesKeys), file: "scenario")
        let node = RegionNode(settings: .init(config: nodeConfig.regionNodes[0], grid: nodeConfig), group: group, logger: logger)
        let address = try await node.start()
        let config = try GridConfig.parse(
            toml(nodePort: address.port ?? 0, secret: secret, region: region, manager: extraClientManagerKeys, services: servicesKeys),
            file: "scenario")
        let manager = ClientManager(settings: ClientManagerSettings(config: config.clientManagers[0], grid: config), group: group, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [.init(service: manager)], logger: logger))
        let running = Task { try await services.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while manager.address == nil {
            guard ContinuousClock.now < deadline else {
                running.cancel()
                await node.shutdown()
                await gridServices?.shutdown()
                database?.cancel()
                throw ScenarioGridError.clientManagerDidNotStart
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return ScenarioGrid(
            config: config, node: node, manager: manager, gridServices: gridServices, databaseClient: client,
            services: services, running: running, database: database, group: group, logger: logger)
    }

    private init(
        config: GridConfig, node: RegionNode, manager: ClientManager, gridServices: GridServices?, databaseClient: PostgresClient?,
        services: ServiceGroup, running: Task<Void, Error>, database: Task<Void, Never>?, group: EventLoopGroup, logger: Logger
    ) {
        self.config = config
        self.node = Mutex(node)
        self.clientManager = manager
        self.gridServices = gridServices
        self.databaseClient = databaseClient
        self.services = services
        self.running = running
        self.database = database
        self.group = group
        self.logger = logger
        url = "ws://127.0.0.1:\(manager.address?.port ?? 0)/ws"
    }

    /// Stops the region node cleanly (it flushes its scene and deregisters) and starts a new
    /// one on the same port, as an operator restarting it would; the client manager reconnects.
    public func restartRegionNode() async throws {
        await regionNode.shutdown()
        let fresh = RegionNode(settings: .init(config: config.regionNodes[0], grid: config), group: group, logger: logger)
        try await fresh.start()
        node.withLock { $0 = fresh }
    }

    public func stop() async {
        await services.triggerGracefulShutdown()
        _ = try? await running.value
        await regionNode.shutdown()
        await gridServices?.shutdown()
        database?.cancel()
    }

    private static func toml(nodePort: Int, secret: String, region: String, manager: String, services: String) -> String {
        """
        [grid]
        name = "Scenario"
        secret = "\(secret)"

        \(services)

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
