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
import TesseraLocalGrid
import TesseraRegion
import TesseraStorage
import TesseraWire
import TesseraPhysicsService
import TesseraScriptService
import TesseraScripts

/// A whole grid in-process on ephemeral loopback ports, for tests and scenario scripts:
/// a region node with one region and a client manager connected to it over Tessera wire,
/// and, when asked, grid services on a fresh throwaway PostgreSQL database.
public final class ScenarioGrid: Sendable {
    public let config: GridConfig
    public let clientManager: ClientManager
    /// The grid services' operations (to make accounts and inspect storage), when running.
    public let gridServices: GridServices?
    public let databaseClient: PostgresClient?
    /// The physics service started in-process (`inProcessPhysics`).
    public let physics: PhysicsService?
    /// The script service started in-process (`inProcessScripts`).
    public let scripts: ScriptService?
    private let nodes: Mutex<[RegionNode]>
    private let services: ServiceGroup
    private let running: Task<Void, Error>
    private let database: Task<Void, Never>?
    private let group: EventLoopGroup
    private let logger: Logger

    /// The URL clients connect to.
    public let url: String
    /// The grid's authority when its links are TLS.
    public let certificates: ScenarioCertificates?

    public var regionNode: RegionNode { nodes.withLock { $0[0] } }
    public var regionNodes: [RegionNode] { nodes.withLock { $0 } }

    /// A region of a scenario layout.
    public struct Region: Sendable {
        public var name: String
        public var x: UInt32
        public var y: UInt32

        public init(_ name: String, x: UInt32, y: UInt32) {
            self.name = name
            self.x = x
            self.y = y
        }
    }

    /// The 2×2 square of the local grid: two nodes of two regions each (west and east columns).
    public static let square: [[Region]] = [
        [Region("West", x: 1000, y: 1000), Region("Northwest", x: 1000, y: 1001)],
        [Region("East", x: 1001, y: 1000), Region("Northeast", x: 1001, y: 1001)],
    ]

    /// Starts the grid. `extraRegionKeys` and `extraClientManagerKeys` are TOML lines added
    /// to the region and client manager tables (e.g. `view_distance = 20`). Arrivals land
    /// within `spawnRadius` metres of the centre (small by default, so scenario avatars are
    /// within chat range of each other). With `migrationsDirectory`, grid services run on a
    /// fresh database migrated from it, and logins need accounts.
    /// The physics services of scenario grids step on this group, apart from the regions'.
    static let physicsLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// The script services of scenario grids run on this group, apart from the regions'.
    static let scriptLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    public static func start(
        spawnRadius: Double = 3, extraRegionKeys: String = "", extraClientManagerKeys: String = "",
        secret: String = "scenario-grid-secret", migrationsDirectory: String? = nil,
        layout: [[Region]] = [[Region("Scenario Region", x: 1000, y: 1000)]], linkNodes: Bool = true,
        inProcessPhysics: Bool = false, physicsPort: Int? = nil,
        inProcessScripts: Bool = false, scriptsPort: Int? = nil, scriptEngine: ScriptEngineSettings = .init(),
        certificates: ScenarioCertificates? = nil,
        group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ScenarioGrid {
        var logger = Logger(label: "tessera.scenario")
        logger.logLevel = .warning
        // With `certificates` every wire link is mutual TLS, each process with its own identity.
        let tlsLogger = logger
        let tls: @Sendable (String, WireRole) throws -> WireTLS? = { node, role in try certificates?.identity(node, role, logger: tlsLogger) }
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
                    hasher: PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1), tls: try tls("scenario-grid", .grid)),
                client: pool, group: group, logger: logger)
            let address = try await services.start()
            servicesKeys = "[grid_services]\nport = \(address.port ?? 0)\n"
            gridServices = services
            client = pool
        }
        // Regions attach to a physics service: one started here, or one at `physicsPort`.
        var physics: PhysicsService?
        if inProcessPhysics {
            // Loops of its own: a step never holds up a region's frame on a shared loop.
            let service = PhysicsService(
                settings: .init(name: "scenario-physics", host: "127.0.0.1", port: 0, gridSecret: secret, tls: try tls("scenario-physics", .physics)),
                group: physicsLoops, logger: logger)
            let address = try await service.start()
            servicesKeys += "[physics]\nport = \(address.port ?? 0)\n"
            physics = service
        } else if let physicsPort {
            servicesKeys += "[physics]\nport = \(physicsPort)\n"
        }
        // Regions attach to a script service the same ways.
        var scripts: ScriptService?
        if inProcessScripts {
            let service = ScriptService(
                settings: .init(
                    name: "scenario-scripts", host: "127.0.0.1", port: 0, gridSecret: secret, engine: scriptEngine,
                    tls: try tls("scenario-scripts", .scripts)),
                group: scriptLoops, logger: logger)
            let address = try await service.start()
            servicesKeys += "[scripts]\nport = \(address.port ?? 0)\n"
            scripts = service
        } else if let scriptsPort {
            servicesKeys += "[scripts]\nport = \(scriptsPort)\n"
        }
        let region = "spawn_radius = \(spawnRadius)\nflush_interval_seconds = 0.5\n" + extraRegionKeys
        // Nodes listen on ephemeral ports, so the config that names them is written twice:
        // once to start them, once with their ports for the client manager and the links.
        let draft = try GridConfig.parse(
            toml(layout: layout, ports: layout.map { _ in 0 }, secret: secret, region: region, manager: extraClientManagerKeys, services: servicesKeys),
            file: "scenario")
        var nodes: [RegionNode] = []
        var ports: [Int] = []
        for nodeConfig in draft.regionNodes {
            let node = RegionNode(
                settings: .init(config: nodeConfig, grid: draft, linkingPeers: false, tls: try tls(nodeConfig.name, .region)), group: group, logger: logger)
            ports.append(try await node.start().port ?? 0)
            nodes.append(node)
        }
        // Without `linkNodes`, nodes find each other through the registry of the grid services.
        for (index, node) in nodes.enumerated() where linkNodes {
            for (other, port) in ports.enumerated() where other != index {
                node.link(to: PeerLinks.Peer(host: "127.0.0.1", port: port))
            }
        }
        let config = try GridConfig.parse(
            toml(layout: layout, ports: ports, secret: secret, region: region, manager: extraClientManagerKeys, services: servicesKeys),
            file: "scenario")
        var managerSettings = ClientManagerSettings(config: config.clientManagers[0], grid: config)
        managerSettings.tls = try tls(config.clientManagers[0].name, .clientManager)
        let manager = ClientManager(settings: managerSettings, group: group, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [.init(service: manager)], logger: logger))
        let running = Task { try await services.run() }
        do {
            try await Eventually.until("the client manager listens", every: .milliseconds(10)) { manager.address != nil }
        } catch {
            running.cancel()
            for node in nodes { await node.shutdown() }
            await gridServices?.shutdown()
            await physics?.shutdown()
            await scripts?.shutdown()
            database?.cancel()
            throw ScenarioGridError.clientManagerDidNotStart
        }
        return ScenarioGrid(
            config: config, nodes: nodes, manager: manager, gridServices: gridServices, databaseClient: client, physics: physics, scripts: scripts,
            services: services, running: running, database: database, group: group, logger: logger, certificates: certificates)
    }

    private init(
        config: GridConfig, nodes: [RegionNode], manager: ClientManager, gridServices: GridServices?, databaseClient: PostgresClient?,
        physics: PhysicsService?, scripts: ScriptService?, services: ServiceGroup, running: Task<Void, Error>, database: Task<Void, Never>?, group: EventLoopGroup, logger: Logger,
        certificates: ScenarioCertificates?
    ) {
        self.certificates = certificates
        self.config = config
        self.nodes = Mutex(nodes)
        self.clientManager = manager
        self.gridServices = gridServices
        self.databaseClient = databaseClient
        self.physics = physics
        self.scripts = scripts
        self.services = services
        self.running = running
        self.database = database
        self.group = group
        self.logger = logger
        url = "ws://127.0.0.1:\(manager.address?.port ?? 0)/ws"
    }

    /// Stops the region node cleanly (it flushes its scene and deregisters) and starts a new
    /// one on the same port, as an operator restarting it would; the client manager reconnects.
    public func restartRegionNode(_ index: Int = 0) async throws {
        await regionNodes[index].shutdown()
        let nodeConfig = config.regionNodes[index]
        let fresh = RegionNode(
            settings: .init(config: nodeConfig, grid: config, tls: try certificates?.identity(nodeConfig.name, .region, logger: logger)), group: group,
            logger: logger)
        try await fresh.start()
        nodes.withLock { $0[index] = fresh }
    }

    public func stop() async {
        await services.triggerGracefulShutdown()
        _ = try? await running.value
        for node in regionNodes { await node.shutdown() }
        await gridServices?.shutdown()
        await physics?.shutdown()
        await scripts?.shutdown()
        database?.cancel()
    }

    /// The runner of the region named `name`, on whichever node holds it.
    public func runner(_ name: String) -> RegionRunner? {
        regionNodes.lazy.flatMap(\.runners).first { $0.settings.name == name }
    }

    static func toml(layout: [[Region]], ports: [Int], secret: String, region: String, manager: String, services: String) -> String {
        var text = """
            [grid]
            name = "Scenario"
            secret = "\(secret)"
            default_region = "\(layout[0][0].name)"

            \(services)

            """
        for (index, regions) in layout.enumerated() {
            text += "[[region_node]]\nname = \"scenario-node-\(index + 1)\"\nport = \(ports[index])\n\n"
            for entry in regions {
                text += "  [[region_node.region]]\n  name = \"\(entry.name)\"\n  position = [\(entry.x), \(entry.y)]\n  \(region)\n\n"
            }
        }
        text += "[[client_manager]]\nname = \"scenario-edge\"\nport = 0\n\(manager)\n"
        return text
    }
}

public enum ScenarioGridError: Error {
    case clientManagerDidNotStart
}
