import Logging
import NIOPosix
import Testing
import TesseraBots
import TesseraClientManager
import TesseraConfig
import TesseraTesting

@Suite("Grid wiring over real sockets")
struct GridWiringTests {
    @Test("a client manager with the wrong grid secret is refused by the region node")
    func wrongSecret() async throws {
        let grid = try await ScenarioGrid.start()
        var config = grid.config
        config.grid.secret = "not-the-grid-secret-at-all"
        let manager = ClientManager(
            settings: ClientManagerSettings(config: config.clientManagers[0], grid: config),
            group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test")
        )
        await #expect {
            try await manager.run()
        } throws: { error in
            "\(error)".contains("wrong grid secret")
        }
        await grid.stop()
    }

    @Test("a small bot swarm runs clean and measures latency")
    func swarm() async throws {
        let grid = try await ScenarioGrid.start()
        let swarm = BotSwarm(
            settings: .init(url: grid.url, count: 6, duration: .seconds(2), connectRate: 50, chatProbability: 0.5),
            group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test")
        )
        let summary = await swarm.run()
        #expect(summary.connected == 6)
        #expect(summary.failed == 0)
        #expect(summary.errors == 0, "\(summary.errorSamples)")
        #expect(summary.framesPerS > 0)
        #expect(summary.latencyMs.p50 > 0)
        #expect(summary.latencyMs.max >= summary.latencyMs.p99)
        #expect(summary.bytesInPerBotPerS > 0)
        await grid.stop()
    }

    @Test("losing the region node closes its clients with 4007")
    func regionLost() async throws {
        let grid = try await ScenarioGrid.start()
        let client = try await ScenarioClient.connect(grid.url)
        try await client.login("Ada")
        await grid.regionNode.shutdown()
        try await client.waitForClose()
        #expect(client.closeCode == 4007)
        await grid.stop()
    }
}
