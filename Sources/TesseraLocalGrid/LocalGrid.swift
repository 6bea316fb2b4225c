import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import TesseraBots
import TesseraClientManager
import TesseraConfig
import TesseraRegion
import TesseraGrid
import TesseraStorage
import TesseraPhysicsService
import TesseraScriptService
import TesseraScripts
import TesseraConsole
import TesseraMetrics
import TesseraWire

/// `tessera up`: every role of a grid config in one process, on one event loop group (the physics
/// service is a child process), over
/// real sockets on loopback — the same wiring as separate processes, started in dependency
/// order (the database first, migrated; region nodes listen before client managers connect).
public final class LocalGrid: Service, Sendable {
    public let config: GridConfig
    public let regionNodes: [RegionNode]
    public let clientManagers: [ClientManager]
    private let bots: Int
    private let logger: Logger
    private let group: EventLoopGroup
    private let output: @Sendable (String) -> Void
    /// With `[physics]`: run the service as this child process; nil runs it in this process on
    /// event loops of its own, never on the regions' loops.
    private let physicsProcess: PhysicsProcess?
    /// With `[scripts]`: run the script service as this child process; nil runs it in this
    /// process on event loops of its own.
    private let scriptsProcess: ScriptsProcess?
    /// Whether the first start puts the scripted demo objects into the regions (`ScriptDemo`).
    private let seedingScriptDemo: Bool

    public init(
        config: GridConfig, group: EventLoopGroup, bots: Int = 0, logger: Logger, physicsProcess: PhysicsProcess? = nil,
        scriptsProcess: ScriptsProcess? = nil, seedingScriptDemo: Bool = false,
        output: @escaping @Sendable (String) -> Void = { print($0) }
    ) throws {
        self.physicsProcess = physicsProcess
        self.scriptsProcess = scriptsProcess
        self.seedingScriptDemo = seedingScriptDemo
        self.config = config
        self.group = group
        self.bots = bots
        self.logger = logger
        self.output = output
        // With `[tls]` each role gets the certificate of its own name, as on separate hosts.
        regionNodes = try config.regionNodes.map {
            RegionNode(
                settings: .init(config: $0, grid: config, tls: try config.wireTLS(node: $0.name, role: .region, logger: logger)), group: group,
                logger: logger)
        }
        clientManagers = try config.clientManagers.map {
            var settings = ClientManagerSettings(config: $0, grid: config)
            settings.wireTLS = try config.wireTLS(node: $0.name, role: .clientManager, logger: logger)
            return ClientManager(settings: settings, group: group, logger: logger)
        }
    }

    public func run() async throws {
        let database = try await GridDatabase.open(
            url: try config.database.connectionURL(), stateDirectory: config.database.stateDirectory,
            migrationsDirectory: config.database.migrationsDirectory, logger: logger
        )
        output("Database: \(database.summary)")
        defer { database.close() }
        try await withDatabase(database.settings, logger: logger) { client in
            guard let servicesConfig = config.gridServices else { return try await runRoles(services: nil) }
            let servicesTLS = try config.wireTLS(node: servicesConfig.name, role: .grid, logger: logger)
            let services = GridServices(settings: .init(config: servicesConfig, grid: config, tls: servicesTLS), client: client, group: group, logger: logger)
            try await services.start()
            if seedingScriptDemo, config.scripts != nil {
                // Before the region nodes start: they load their scenes with the demo in them.
                do {
                    let seeded = try await ScriptDemo(config: config, operations: services.operations, logger: logger).seed()
                    for line in seeded { output(line) }
                } catch {
                    output("Scripts demo: could not put the scripted demo objects in place (\(error))")
                }
            }
            let console = servicesConfig.consolePort.map { port in
                AdminConsole(
                    settings: .init(host: servicesConfig.host, port: port, tls: servicesConfig.consoleTLS), admins: AdminStore(client: client, logger: logger),
                    accounts: services.operations.accounts,
                    regions: RegistryRegionDirectory(registry: services.operations.regions, gridSecret: config.grid.secret, group: group, tls: servicesTLS),
                    logins: services.operations.logins, group: group, logger: logger)
            }
            let consoleTask = console.map { console in Task { try await console.run() } }
            if let console { Task { await self.announce(console, admins: AdminStore(client: client, logger: logger), accounts: services.operations.accounts) } }
            do {
                try await runRoles(services: services)
            } catch {
                consoleTask?.cancel()
                await services.shutdown()
                throw error
            }
            consoleTask?.cancel()
            await services.shutdown()
        }
    }

    private func runRoles(services: GridServices?) async throws {
        // In this process only without a child process to run: on loops of its own, so a long
        // step never delays a region's frame on a shared loop.
        let physicsLoops = config.physics != nil && physicsProcess == nil ? MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount) : nil
        let physics = try physicsLoops.flatMap { loops in
            try config.physics.map { physics in
                PhysicsService(
                    settings: .init(config: physics, grid: config, tls: try config.wireTLS(node: physics.name, role: .physics, logger: logger)),
                    group: loops, logger: logger)
            }
        }
        let supervisor = config.physics != nil ? physicsProcess.map { ServiceSupervisor.physics($0, output: output) } : nil
        let supervising = supervisor.map { supervisor in Task { await supervisor.run() } }
        defer { supervising?.cancel() }
        // The script service likewise: a child process, or in this process on loops of its own.
        let scriptsLoops = config.scripts != nil && scriptsProcess == nil ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        let scripts = try scriptsLoops.flatMap { loops in
            try config.scripts.map { scripts in
                ScriptService(
                    settings: .init(service: scripts, grid: config, tls: try config.wireTLS(node: scripts.name, role: .scripts, logger: logger)),
                    group: loops, logger: logger)
            }
        }
        let scriptsSupervisor = config.scripts != nil ? scriptsProcess.map { ServiceSupervisor.scripts($0, output: output) } : nil
        let supervisingScripts = scriptsSupervisor.map { supervisor in Task { await supervisor.run() } }
        defer { supervisingScripts?.cancel() }
        do {
            if let physics {
                let address = try await physics.start()
                output("Physics: Bullet service in this process on \(address.ipAddress ?? "?"):\(address.port ?? 0)")
            }
            if let scripts {
                let address = try await scripts.start()
                output("Scripts: script service in this process on \(address.ipAddress ?? "?"):\(address.port ?? 0)")
            }
            let metrics = MetricsServer.startAll(
                for: config, includingPhysics: physics != nil, includingScripts: scripts != nil, group: group, logger: logger)
            defer { Task { await metrics.stop() } }
            for node in regionNodes { try await node.start() }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for manager in clientManagers {
                    tasks.addTask { try await manager.run() }
                }
                tasks.addTask { try await self.announceAndWatch(services: services) }
                // The first failure (a client manager that cannot listen, say) ends the grid:
                // leaving the body cancels the rest, where waiting for all would wait forever
                // for the others (and the announcement for a manager that never listens).
                while try await tasks.next() != nil {}
            }
        } catch {
            for node in regionNodes { await node.shutdown() }
            await physics?.shutdown()
            supervising?.cancel()
            _ = await supervising?.value
            try? await physicsLoops?.shutdownGracefully()
            await stopScripts(scripts, loops: scriptsLoops, supervising: supervisingScripts)
            throw error
        }
        for node in regionNodes { await node.shutdown() }
        await physics?.shutdown()
        supervising?.cancel()
        _ = await supervising?.value
        try? await physicsLoops?.shutdownGracefully()
        await stopScripts(scripts, loops: scriptsLoops, supervising: supervisingScripts)
    }

    private func stopScripts(_ scripts: ScriptService?, loops: MultiThreadedEventLoopGroup?, supervising: Task<Void, Never>?) async {
        await scripts?.shutdown()
        supervising?.cancel()
        _ = await supervising?.value
        try? await loops?.shutdownGracefully()
    }

    /// Prints where clients connect, starts the demo bots, then prints a status line every
    /// few seconds until shutdown.
    private func announceAndWatch(services: GridServices?) async throws {
        let urls = try await clientURLs()
        output("Tessera grid \"\(config.grid.name)\" is up. Clients connect to: \(urls.joined(separator: ", "))")
        for line in Self.managerLines(names: clientManagers.map(\.settings.name), urls: urls, logins: clientManagers.map(\.viewerLoginURI)) {
            output(line)
        }
        let logins = clientManagers.compactMap(\.viewerLoginURI)
        if !logins.isEmpty {
            output("Second Life viewers log in at: \(logins.joined(separator: ", ")) (add it in the viewer's grid manager; docs/sl-protocol.md)")
        }
        for line in await viewerLines(urls: urls, services: services) { output(line) }
        output("Press Ctrl-C to stop.")
        await withTaskGroup(of: Void.self) { tasks in
            if bots > 0, let url = urls.first {
                tasks.addTask { await self.runBots(urls: urls, services: services) }
                if let services {
                    tasks.addTask { await self.runInventoryDemo(url: url, operations: services.operations) }
                }
            }
            tasks.addTask { await self.printStatus() }
            await gracefulShutdownSignal()
            tasks.cancelAll()
        }
    }

    /// Prints the console's and the dashboard's URLs once the console listens, and where the
    /// local operator's token is (account `Local Admin`, one day, in `state/admin-token`, which
    /// `tessera console` reads). The token itself is never printed: this output is the grid's
    /// log, and a log is no place for a secret.
    private func announce(_ console: AdminConsole, admins: AdminStore, accounts: AccountStore) async {
        for _ in 0..<500 where console.address == nil { try? await Task.sleep(for: .milliseconds(20)) }
        guard console.address != nil, let base = console.baseURL else { return }
        // The viewer's pages beside the dashboard (client managers on ephemeral ports are
        // listed once they listen, with the other client lines).
        let viewers = config.clientManagers.filter { $0.port != 0 }.map { Self.viewerURL($0.url) }
        output("Admin console: \(base)/ — dashboard: \(base)/dashboard/" + (viewers.first.map { " — web viewer: \($0)" } ?? ""))
        do {
            let path = try await LocalAdmin.issueToken(admins: admins, accounts: accounts, stateDirectory: config.database.stateDirectory)
            for line in LocalAdmin.announcement(base: base, tokenPath: path) { output(line) }
        } catch {
            output("Could not issue a local admin token (\(error)); make one with: tessera admin token create --user NAME")
        }
    }

    /// Where the web viewer is (every client manager serves it), and with grid services a
    /// visitor to log in as: account `Visitor 1` with a fresh session token in
    /// `state/viewer-token` (owner-only, never printed, as the admin token).
    private func viewerLines(urls: [String], services: GridServices?) async -> [String] {
        let pages = urls.map(Self.viewerURL)
        var lines = ["Web viewer: \(pages.joined(separator: ", ")) (docs/viewer.md)"]
        guard let services, let first = pages.first else { return lines }
        switch await services.operations.perform(.botSessions(prefix: "Visitor", count: 1), for: .tool) {
        case .success(.sessions(let grants)):
            guard let grant = grants.first else { return lines }
            let path = "\(config.database.stateDirectory)/viewer-token"
            do {
                try LocalAdmin.writeOwnerOnly(grant.token + "\n", to: path)
                let name = grant.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? grant.name
                lines.append("  log in with an account of `tessera user create NAME`, or as \(grant.name): open \(first)#name=\(name)&token=$(cat \(path))")
            } catch {
                lines.append("  could not write \(path) (\(error)); log in with an account of `tessera user create NAME`")
            }
        case let other:
            lines.append("  could not make the visitor account (\(other)); log in with an account of `tessera user create NAME`")
        }
        return lines
    }

    /// The viewer's page of a client manager, from its WebSocket URL (`ws://h:p/ws`).
    static func viewerURL(_ webSocketURL: String) -> String {
        var url = webSocketURL
        if url.hasPrefix("wss://") { url = "https://" + url.dropFirst(6) } else if url.hasPrefix("ws://") { url = "http://" + url.dropFirst(5) }
        if url.hasSuffix("/ws") { url.removeLast(3) }
        return url + "/viewer/"
    }

    /// With more than one client manager, a line for each: its name, WebSocket URL and viewer
    /// login URI (the summary line above lists the URLs only).
    static func managerLines(names: [String], urls: [String], logins: [String?]) -> [String] {
        guard names.count > 1 else { return [] }
        return zip(names, zip(urls, logins)).map { name, pair in
            "  client manager \(name): \(pair.0)" + (pair.1.map { ", viewers \($0)" } ?? "")
        }
    }

    /// Waits for every client manager to listen; ephemeral ports are known only then.
    public func clientURLs() async throws -> [String] {
        var urls: [String] = []
        for manager in clientManagers {
            while manager.address == nil {
                try await Task.sleep(for: .milliseconds(20))
            }
            if let url = manager.url { urls.append(url) }
        }
        return urls
    }

    /// TLS for the demo bots and the inventory demo, clients of this process's own client
    /// managers over loopback: the certificate is not checked (this process loaded it and
    /// checked it against its key; a loopback address is seldom a name it bears).
    private var ownClientManagers: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return tls
    }

    /// The demo bots, spread over every client manager in turn.
    private func runBots(urls: [String], services: GridServices?) async {
        var settings = BotSwarm.Settings(url: urls[0], count: bots, duration: .seconds(365 * 24 * 3600), connectRate: 20, namePrefix: "Demo Bot")
        settings.urls = urls
        // Under physics, the demo bots drop crates and shove them about now and then.
        if config.physics != nil { settings.physicsProbability = 0.15 }
        // Spread over every region of the grid, not only the default one.
        settings.startRegions = config.regionNodes.flatMap { $0.regions.map(\.name) }
        if let services {
            switch await services.operations.perform(.botSessions(prefix: "Demo Bot", count: UInt32(bots)), for: .tool) {
            case .success(.sessions(let grants)):
                settings.accounts = grants.map { BotAccount(name: $0.name, credential: .sessionToken($0.token)) }
            case let other:
                output("Could not make accounts for the bots: \(other)")
                return
            }
        }
        settings.tls = ownClientManagers
        // The URLs name an address, which cannot be a TLS server name; the certificate is not checked here.
        settings.serverName = "localhost"
        let swarm = BotSwarm(settings: settings, group: group, logger: logger)
        output("Starting \(bots) bots walking around.")
        let demo = settings
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { _ = await swarm.run() }
            tasks.addTask { await self.runViewerBots(settings: demo, services: services) }
        }
    }

    /// A few of the demo bots are Second Life viewers (LLUDP), so both front ends are busy:
    /// accounts `Demo Viewer 1`… with a password made for this run (viewers log in with one).
    private func runViewerBots(settings: BotSwarm.Settings, services: GridServices?) async {
        // Each viewer logs in at the login URI of its turn's client manager (of those that speak LLUDP).
        let loginURIs = clientManagers.compactMap(\.viewerLoginURI)
        guard let services, !loginURIs.isEmpty else { return }
        let count = max(1, bots / 4)
        let password = UUID().uuidString
        var accounts: [BotAccount] = []
        for index in 1...count {
            let name = "Demo Viewer \(index)"
            do {
                if try await !services.operations.accounts.setPassword(name: name, password: password) {
                    _ = try await services.operations.accounts.create(name: name, password: password)
                }
                accounts.append(BotAccount(name: name, credential: .password(password)))
            } catch {
                output("Could not make an account for a viewer bot: \(error)")
                return
            }
        }
        var viewers = settings
        viewers.count = count
        viewers.namePrefix = "Demo Viewer"
        viewers.accounts = accounts
        viewers.protocols = [.lludp]
        viewers.loginURI = nil
        viewers.loginURIs = loginURIs
        viewers.physicsProbability = 0
        output("Starting \(count) Second Life (LLUDP) bots beside them.")
        _ = await BotSwarm(settings: viewers, group: group, logger: logger).run()
    }

    private func runInventoryDemo(url: String, operations: GridOperations) async {
        do {
            let (giver, taker) = try await InventoryDemo.demoAccounts(operations)
            var demo = InventoryDemo(url: url, giver: giver, taker: taker, tls: ownClientManagers, output: output)
            demo.serverName = "localhost"
            try await demo.run()
        } catch {
            output("Inventory demo failed: \(error)")
        }
    }

    private func printStatus() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(5))
            guard !Task.isCancelled else { return }
            for node in regionNodes {
                for runner in node.runners {
                    let s = runner.stats
                    output(String(
                        format: "region %@: %d avatars, %d objects, %.1f fps (dilation %.2f), frame %.2f ms mean / %.2f ms max",
                        s.name, s.avatars, s.objects, s.achievedFrameRate, s.timeDilation,
                        s.meanFrameMicros / 1000, s.maxFrameMicros / 1000
                    ))
                }
            }
            for manager in clientManagers {
                let s = manager.stats.snapshot
                output("client manager \(manager.settings.name): \(s.clients) clients (\(manager.viewerCount) Second Life viewers), \(s.framesSent) frames sent, \(s.bytesSent / 1024) KiB, \(s.protocolErrors) protocol errors")
            }
        }
    }
}

/// Returns when the service group starts shutting down (or the task is cancelled).
func gracefulShutdownSignal() async {
    try? await gracefulShutdown()
}

extension RegionNode.Settings {
    /// With `linkingPeers` false the node is linked to the others by hand (`RegionNode.link`).
    public init(config: RegionNodeConfig, grid: GridConfig, linkingPeers: Bool = true, tls: WireTLS? = nil) {
        self.init(
            nodeName: config.name, host: config.host, port: config.port, gridSecret: grid.grid.secret,
            regions: config.regions.map { RegionSettings(config: $0, physics: grid.physics, scripts: grid.scripts) },
            grid: grid.gridServices.map { (host: $0.host, port: $0.port) },
            peers: linkingPeers ? grid.regionNodes.filter { $0.name != config.name }.map { PeerLinks.Peer(host: $0.host, port: $0.port) } : [],
            tls: tls
        )
        gridRegions = grid.regions.map { RegionSettings(config: $0, physics: grid.physics, scripts: grid.scripts) }
        gridNodes = grid.regionNodes.map(\.name)
    }
}

extension GridServices.Settings {
    public init(config: GridServicesConfig, grid: GridConfig, tls: WireTLS? = nil) {
        self.init(
            name: config.name, host: config.host, port: config.port, gridSecret: grid.grid.secret,
            sessionLifetimeSeconds: config.sessionLifetimeSeconds, tls: tls)
    }
}

extension RegionSettings {
    public init(config: RegionConfig, physics: PhysicsServiceConfig? = nil, scripts: ScriptServiceConfig? = nil) {
        self.init(
            name: config.name, gridPosition: config.gridPosition, frameRate: config.frameRate,
            viewDistance: Float(config.viewDistance), maxAvatars: config.maxAvatars, maxObjects: config.maxObjects,
            maxObjectsPerOwner: config.maxObjectsPerOwner,
            spawnRadius: Float(config.spawnRadius), flushIntervalSeconds: config.flushIntervalSeconds,
            ghostMargin: Float(config.ghostMargin), terrain: config.terrain,
            physics: physics.map { PhysicsEndpoint(host: $0.host, port: $0.port) },
            scripts: scripts.map { PhysicsEndpoint(host: $0.host, port: $0.port) }
        )
    }
}

extension PhysicsService.Settings {
    public init(config: PhysicsServiceConfig, grid: GridConfig, tls: WireTLS? = nil) {
        self.init(
            name: config.name, host: config.host, port: config.port, gridSecret: grid.grid.secret,
            world: RegionWorld.Settings(stepRate: config.stepRate, maxSubsteps: config.maxSubsteps), tls: tls)
    }
}

extension ScriptService.Settings {
    /// The service of `[scripts]`, as `tessera up` runs it in its own process.
    public init(service config: ScriptServiceConfig, grid: GridConfig, tls: WireTLS? = nil) {
        self.init(
            name: config.name, host: config.host, port: config.port, gridSecret: grid.grid.secret,
            engine: ScriptEngineSettings(frameBudgetNanos: UInt64(config.frameBudgetMicros) * 1000, sliceInstructions: config.sliceInstructions),
            tls: tls)
    }
}
