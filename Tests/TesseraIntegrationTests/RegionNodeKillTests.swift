import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing
import TesseraBots
import TesseraClientManager
import TesseraClientProtocol
import TesseraConfig
import TesseraStorage
import TesseraTesting
import TesseraWire
import TesseraWorld

/// A region node killed with SIGKILL while avatars cross between it and its neighbour: two
/// `tessera region` processes (West and Northwest on node-1, East and Northeast on node-2) and
/// a client manager in the test process, over real sockets.
@Suite("A region node killed in the middle of hand-offs", .serialized)
struct RegionNodeKillTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A port that is free now, below the kernel's ephemeral range (32768 and up), so the
    /// other tests' port-0 listeners and outgoing connections cannot take it before the node binds.
    static func freePort() async throws -> Int {
        for _ in 0..<100 {
            let candidate = Int.random(in: 20_000..<30_000)
            guard let channel = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: candidate).get()
            else { continue }
            try await channel.close()
            return candidate
        }
        throw TestFailure("no free port in 20000..<30000")
    }

    static func config(ports: [Int], secret: String) -> String {
        """
        [grid]
        name = "Kill test"
        secret = "\(secret)"
        default_region = "West"

        [[region_node]]
        name = "node-1"
        port = \(ports[0])
          [[region_node.region]]
          name = "West"
          position = [1000, 1000]
          spawn_radius = 3
          [[region_node.region]]
          name = "Northwest"
          position = [1000, 1001]

        [[region_node]]
        name = "node-2"
        port = \(ports[1])
          [[region_node.region]]
          name = "East"
          position = [1001, 1000]
          [[region_node.region]]
          name = "Northeast"
          position = [1001, 1001]

        [[client_manager]]
        name = "edge-kill"
        port = 0
        """
    }

    /// A `tessera region` child, started like the embedded PostgreSQL's tools (Foundation's
    /// Process reaps children on its own thread, and passes on every open socket).
    struct Node {
        let pid: pid_t
        let log: String

        func kill(_ signal: Int32) {
            _ = Glibc.kill(pid, signal)
            _ = ChildProcess.wait(pid)
        }
    }

    static func spawnNode(_ name: String, config: String) throws -> Node {
        let binary = repository.appendingPathComponent(".build/debug/tessera").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("\(binary) is missing: build with `swift build --build-tests` first")
        }
        let log = config + ".\(name).log"
        let pid = try ChildProcess.spawn(binary, ["region", "--config", config, "--node", name, "--log-level", "warning"], outputPath: log)
        return Node(pid: pid, log: log)
    }

    static func status(port: Int, secret: String) async throws -> StatusReply {
        let answer = try await WireRequest.ask(
            host: "127.0.0.1", port: port, hello: Hello(role: .tool, nodeName: "kill-test", gridSecret: secret),
            .statusRequest(StatusRequest()), group: MultiThreadedEventLoopGroup.singleton, timeout: .seconds(10))
        guard case .statusReply(let reply) = answer else { throw TestFailure("node answered \(answer.messageType)") }
        return reply
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("afterwards every avatar is root in exactly one region or was logged out and told why")
    func killMidHandoffs() async throws {
        let secret = "kill-test-secret"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-kill-\(UUID().uuidString).toml")
        defer {
            for path in [file.path, file.path + ".node-1.log", file.path + ".node-2.log"] { try? FileManager.default.removeItem(atPath: path) }
        }
        var stopped: Set<pid_t> = []
        var started: [Node] = []
        defer {
            for node in started where !stopped.contains(node.pid) { node.kill(SIGKILL) }
        }
        // A port found free can be taken before a node binds it: then both start again on new ports.
        var ports: [Int] = []
        var nodes: [Node] = []
        for attempt in 1...3 where nodes.isEmpty {
            ports = [try await Self.freePort(), try await Self.freePort()]
            try Self.config(ports: ports, secret: secret).write(to: file, atomically: true, encoding: .utf8)
            let candidates = [try Self.spawnNode("node-1", config: file.path), try Self.spawnNode("node-2", config: file.path)]
            started += candidates
            // Generous: a debug binary starting while the rest of the suite runs can take seconds.
            var ready = Set<Int>()
            // Ends when both answer, or when one could not bind its port (then both start again).
            _ = try? await Eventually.value("nodes on \(ports) answer", timeout: .seconds(30), every: .milliseconds(50)) { () async -> Bool? in
                for port in ports where !ready.contains(port) {
                    if (try? await Self.status(port: port, secret: secret)) != nil { ready.insert(port) }
                }
                if ready.count == ports.count { return false }
                let logs = candidates.map { (try? String(contentsOfFile: $0.log, encoding: .utf8)) ?? "" }
                return logs.contains(where: { $0.contains("Address already in use") }) ? true : nil
            }
            if ready.count == ports.count {
                nodes = candidates
            } else {
                let logs = candidates.map { (try? String(contentsOfFile: $0.log, encoding: .utf8)) ?? "" }
                for node in candidates { node.kill(SIGKILL); stopped.insert(node.pid) }
                try #require(attempt < 3, "nodes on \(ports) did not start: \(logs)")
            }
        }
        let node1 = nodes[0]
        let node2 = nodes[1]

        let config = try GridConfig.parse(Self.config(ports: ports, secret: secret), file: file.path)
        var logger = Logger(label: "tessera.kill-test")
        logger.logLevel = .error
        let manager = ClientManager(
            settings: ClientManagerSettings(config: config.clientManagers[0], grid: config), group: MultiThreadedEventLoopGroup.singleton,
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [.init(service: manager)], logger: logger))
        let running = Task { try await services.run() }
        defer { running.cancel() }
        try await Eventually.until("the client manager listens") { manager.address != nil }
        let url = "ws://127.0.0.1:\(manager.address?.port ?? 0)/ws"

        // Twelve avatars pace back and forth over the West–East border.
        var clients: [(ScenarioClient, Welcome)] = []
        for index in 0..<12 {
            let client = try await ScenarioClient.connect(url)
            let welcome = try await client.login("Walker \(index)")
            try await client.send(.teleport(Teleport(requestID: 1, region: "West", position: Vector3(253, 60 + Float(index) * 10, 0))))
            clients.append((client, welcome))
        }
        let walkers = clients.map(\.0)
        // Half of them in opposite phase, so at any moment some are on each side or in between.
        let pacing = Task {
            var east = true
            while !Task.isCancelled {
                for (index, client) in walkers.enumerated() where !client.isFinished {
                    let heading: Float = (east == index.isMultiple(of: 2)) ? 0 : .pi
                    try? await client.send(.move(Move(mode: .run, headingRadians: heading)))
                }
                east.toggle()
                try? await Task.sleep(for: .milliseconds(1400))
            }
        }
        // Let crossings happen both ways (until more than one per avatar; the nodes link to
        // each other meanwhile), then kill the east node without warning.
        func crossings() -> Int { clients.reduce(0) { $0 + $1.0.mirror.regionChanges.count } }
        try? await Eventually.until("more than one crossing per avatar", timeout: .seconds(30), every: .milliseconds(100)) { crossings() > 12 }
        let crossedBefore = crossings()
        #expect(crossedBefore > 12, "avatars were crossing when the node died (\(crossedBefore) crossings)")
        node2.kill(SIGKILL)
        stopped.insert(node2.pid)
        // The client manager sees the link drop, and the surviving node finishes or fails every
        // hand-off in flight (within their timeouts: 1 s at the source, 2 s at the destination)
        // while the avatars keep pacing into the border that is now a wall.
        try await Eventually.until("the client manager loses East") { manager.routes.route(named: "East") == nil }
        func settled() async throws -> Bool {
            try await Self.status(port: ports[0], secret: secret).regions.allSatisfy { $0.handoffsInProgress == 0 }
        }
        // A status request that fails (the node busy with the failing hand-offs) is asked again.
        try await Eventually.until("no hand-off in progress on the surviving node", timeout: .seconds(30)) { (try? await settled()) == true }
        pacing.cancel()
        for (client, _) in clients where !client.isFinished {
            try? await client.send(.move(Move(mode: .stop, headingRadians: 0)))
        }
        // A hand-off the last paces started ends too, and every client the dead node held has
        // been sent its close.
        func told() -> Bool {
            clients.allSatisfy { $0.0.isFinished || !["East", "Northeast"].contains($0.0.mirror.regionName ?? "") }
        }
        try? await Eventually.until("hand-offs end and the dead node's clients are closed", timeout: .seconds(30)) {
            (try? await settled()) == true && told()
        }

        let survivors = try await Self.status(port: ports[0], secret: secret)
        var roots: [AgentID: [String]] = [:]
        for region in survivors.regions {
            for agent in region.rootAgents { roots[agent, default: []].append(region.name) }
        }
        #expect(roots.values.allSatisfy { $0.count == 1 }, "an avatar is root twice: \(roots)")
        var closed = 0
        for (client, welcome) in clients {
            if client.isFinished {
                closed += 1
                #expect(client.closeCode == Int(CloseCode.forError(ErrorCode.regionUnavailable.rawValue)), "closed with \(client.closeCode ?? 0)")
                #expect(client.closeReason?.isEmpty == false, "the client was told why")
                #expect(roots[welcome.agentID] == nil, "a logged-out avatar stays in no region")
            } else {
                let holder = roots[welcome.agentID] ?? []
                #expect(holder.count == 1, "\(welcome.agentID) is root in \(holder)")
                #expect(holder == [client.mirror.regionName ?? ""], "the client's region and the root agree")
            }
            #expect(client.violations.isEmpty, "\(client.violations)")
        }
        #expect(closed < clients.count, "the avatars on the surviving node stay logged in: \(clients.map { "\($0.0.mirror.regionName ?? "?"): \($0.0.closeReason ?? "open")" })")

        // The survivors and the client manager keep running: a new login lands in West.
        let late = try await ScenarioClient.connect(url)
        let welcome = try await late.login("Late")
        #expect(welcome.regionName == "West")
        // The surviving regions step on: 45 more frames each, counted, not timed (their frame
        // rate over the last second depends on how loaded the machine is).
        let framesThen = Dictionary(uniqueKeysWithValues: survivors.regions.map { ($0.name, $0.frame) })
        try await Eventually.until("the surviving regions step on", timeout: .seconds(30)) {
            guard let now = try? await Self.status(port: ports[0], secret: secret) else { return false }
            return now.regions.allSatisfy { region in framesThen[region.name].map { region.frame >= $0 + 45 } ?? false }
        }

        for (client, _) in clients { await client.close() }
        await late.close()
        await services.triggerGracefulShutdown()
        node1.kill(SIGTERM)
        stopped.insert(node1.pid)
    }
}
