import Logging
import NIOPosix
import Testing
import TesseraBots
import TesseraTesting

/// `tessera bots --protocol lludp`: bots that log in through XML-RPC and speak LLUDP, against
/// the 2×2 square with grid services (real passwords), alone and beside WebSocket bots.
@Suite("LLUDP bots", .serialized)
struct LLUDPBotsTests {
    static func grid() async throws -> ScenarioGrid {
        try await ScenarioGrid.start(extraClientManagerKeys: "lludp_port = 0\n", migrationsDirectory: migrationsDirectory, layout: ScenarioGrid.square)
    }

    @Test("LLUDP bots log in, run across borders, and log out, with no errors")
    func crossing() async throws {
        let grid = try await Self.grid()
        do {
            let operations = try #require(grid.gridServices).operations
            var accounts: [BotAccount] = []
            for index in 1...3 {
                _ = try await makeAccount(operations, "Viewer \(index)", password: "viewer password \(index)")
                accounts.append(BotAccount(name: "Viewer \(index)", credential: .password("viewer password \(index)")))
            }
            var settings = BotSwarm.Settings(url: grid.url, count: 3, duration: .seconds(30), connectRate: 20, chatProbability: 0)
            settings.protocols = [.lludp]
            settings.loginURI = grid.clientManager.viewerLoginURI
            settings.accounts = accounts
            settings.cross = true
            settings.startRegions = ["uri:West&240&240&25"]
            let summary = await BotSwarm(settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test")).run()
            #expect(summary.protocol == "lludp")
            #expect(summary.bots == 3)
            #expect(summary.connected == 3, "\(summary.errorSamples)")
            #expect(summary.failed == 0, "\(summary.errorSamples)")
            #expect(summary.errors == 0, "\(summary.errorSamples)")
            #expect(summary.crossingFailures == 0)
            #expect(summary.crossings >= 1, "running toward the corner of four regions for 30 s crosses a border")
            #expect(summary.crossingMs.max >= summary.crossingMs.p99)
            #expect(summary.latencyMs.max >= summary.latencyMs.p50)
            #expect(summary.latencyMs.p50 > 0, "starting to run is timed until the own avatar shows it")
            #expect(summary.updatesPerS > 0)
            #expect(summary.bytesInPerBotPerS > 0)
            #expect(summary.bytesPerAvatarUpdate > 0)
            // Every bot logged out: no viewer session is left, no region holds an avatar.
            try await Eventually.until("the viewers' sessions end", timeout: .seconds(20)) { grid.clientManager.viewerCount == 0 }
            try await Eventually.until("no region holds the bots", timeout: .seconds(20)) {
                grid.regionNodes.flatMap { $0.status().regions }.allSatisfy { $0.rootAgents.isEmpty }
            }
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }

    @Test("WebSocket and LLUDP bots in one swarm see each other and hear each other's chat")
    func mixed() async throws {
        let grid = try await Self.grid()
        do {
            let operations = try #require(grid.gridServices).operations
            var accounts: [BotAccount] = []
            for index in 1...4 {
                _ = try await makeAccount(operations, "Mixed \(index)", password: "mixed password \(index)")
                accounts.append(BotAccount(name: "Mixed \(index)", credential: .password("mixed password \(index)")))
            }
            // Every action is a chat line (said in the open), so every bot speaks within 4 s.
            var settings = BotSwarm.Settings(url: grid.url, count: 4, duration: .seconds(8), warmup: .seconds(1), connectRate: 20, chatProbability: 1)
            settings.channelChatProbability = 0
            settings.touchProbability = 0
            settings.protocols = [.websocket, .lludp]
            settings.loginURI = grid.clientManager.viewerLoginURI
            settings.accounts = accounts
            settings.startRegions = ["West"]
            let summary = await BotSwarm(settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test")).run()
            #expect(summary.protocol == "websocket+lludp")
            #expect(summary.connected == 4, "\(summary.errorSamples)")
            #expect(summary.failed == 0, "\(summary.errorSamples)")
            #expect(summary.errors == 0, "\(summary.errorSamples)")
            #expect(summary.sawOtherProtocol == 4, "each bot sees the avatars of the other protocol's bots")
            #expect(summary.chatHeard >= 4, "each bot's line reaches at least itself or another")
            try await Eventually.until("the viewers' sessions end", timeout: .seconds(20)) { grid.clientManager.viewerCount == 0 }
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }
}
