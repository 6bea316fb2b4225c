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
import TesseraWire
import TesseraWorld

/// A region node killed with SIGKILL while avatars cross between it and its neighbour: two
/// `tessera region` processes (West and Northwest on node-1, East and Northeast on node-2) and
/// a client manager in the test process, over real sockets.
@Suite("A region node killed in the middle of hand-offs", .serialized)
struct RegionNodeKillTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
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

    static func spawnNode(_ name: String, config: String) throws -> Process {
        let binary = repository.appendingPathComponent(".build/debug/tessera")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestFailure("\(binary.path) is missing: build with `swift build --build-tests` first")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["region", "--config", config, "--node", name, "--log-level", "warning"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func status(port: Int, secret: String) async throws -> StatusReply {
        let answer = try await WireRequest.ask(
            host: "127.0.0.1", port: port, hello: Hello(role: .tool, nodeName: "kill-test", gridSecret: secret),
            .statusRequest(StatusRequest()), group: MultiThreadedEventLoopGroup.singleton, timeout: .seconds(2))
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
        let ports = [try await Self.freePort(), try await Self.freePort()]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-kill-\(UUID().uuidString).toml")
        try Self.config(ports: ports, secret: secret).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let node1 = try Self.spawnNode("node-1", config: file.path)
        let node2 = try Self.spawnNode("node-2", config: file.path)
        defer {
            for process in [node1, node2] where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        // Both nodes answer, and each links to the other.
        for port in ports {
            var ready = false
            for _ in 0..<200 where !ready {
                ready = (try? await Self.status(port: port, secret: secret)) != nil
                if !ready { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(ready, "node on port \(port) did not start")
        }
        try await Task.sleep(for: .milliseconds(500))

        let config = try GridConfig.parse(Self.config(ports: ports, secret: secret), file: file.path)
        var logger = Logger(label: "tessera.kill-test")
        logger.logLevel = .error
        let manager = ClientManager(
            settings: ClientManagerSettings(config: config.clientManagers[0], grid: config), group: MultiThreadedEventLoopGroup.singleton,
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [.init(service: manager)], logger: logger))
        let running = Task { try await services.run() }
        defer { running.cancel() }
        while manager.address == nil { try await Task.sleep(for: .milliseconds(10)) }
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
        // Let crossings happen both ways, then kill the east node without warning.
        try await Task.sleep(for: .seconds(4))
        let crossedBefore = clients.reduce(0) { $0 + $1.0.mirror.regionChanges.count }
        #expect(crossedBefore > 12, "avatars were crossing when the node died (\(crossedBefore) crossings)")
        kill(node2.processIdentifier, SIGKILL)
        try await Task.sleep(for: .seconds(3))
        pacing.cancel()
        for (client, _) in clients where !client.isFinished {
            try? await client.send(.move(Move(mode: .stop, headingRadians: 0)))
        }
        // Hand-offs in flight end within their timeouts (1 s at the source, 2 s at the destination).
        try await Task.sleep(for: .seconds(3))

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
        #expect(survivors.regions.allSatisfy { $0.achievedFrameRate > 30 })

        for (client, _) in clients { await client.close() }
        await late.close()
        await services.triggerGracefulShutdown()
        kill(node1.processIdentifier, SIGTERM)
    }
}
