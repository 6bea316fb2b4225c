import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Testing
import TesseraBots
import TesseraClientManager
import TesseraClientProtocol
@testable import TesseraLocalGrid
import TesseraTesting
import TesseraWorld

/// Two client managers over one region: clients of each see the other's avatars and chat;
/// bots spread over both; idle bots log in from several source addresses and hold on.
@Suite("Two client managers in one grid", .serialized)
struct TwoClientManagersTests {
    /// A second client manager of the scenario grid's config (same region nodes), on an
    /// ephemeral port; `body` gets its URL.
    static func withSecondManager(_ grid: ScenarioGrid, _ body: (String, ClientManager) async throws -> Void) async throws {
        var logger = Logger(label: "tessera.second-edge")
        logger.logLevel = .warning
        var settings = ClientManagerSettings(config: grid.config.clientManagers[0], grid: grid.config)
        settings.name = "scenario-edge-2"
        settings.port = 0
        let manager = ClientManager(settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [.init(service: manager)], logger: logger))
        let running = Task { try await services.run() }
        defer { running.cancel() }
        try await Eventually.until("the second client manager listens", every: .milliseconds(10)) { manager.address != nil }
        do {
            try await body("ws://127.0.0.1:\(manager.address?.port ?? 0)/ws", manager)
        } catch {
            await services.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        await services.triggerGracefulShutdown()
        _ = try? await running.value
    }

    @Test("a client on each client manager sees the other's avatar walk and hears its chat")
    func clientsOfTwoManagersSeeEachOther() async throws {
        let grid = try await ScenarioGrid.start()
        try await Self.withSecondManager(grid) { secondURL, second in
            let ada = try await ScenarioClient.connect(grid.url)
            let bob = try await ScenarioClient.connect(secondURL)
            let adaWelcome = try await ada.login("Ada")
            let bobWelcome = try await bob.login("Bob")
            #expect(adaWelcome.regionName == "Scenario Region")
            #expect(bobWelcome.regionName == "Scenario Region")
            #expect(adaWelcome.localID != bobWelcome.localID)
            #expect(grid.clientManager.stats.snapshot.clients == 1)
            #expect(second.stats.snapshot.clients == 1)

            try await ada.waitFor("Ada sees Bob") { $0.entities[bobWelcome.localID]?.name == "Bob" }
            try await bob.waitFor("Bob sees Ada") { $0.entities[adaWelcome.localID]?.name == "Ada" }

            let bobStart = try #require(ada.mirror.entities[bobWelcome.localID]).motion.position.position
            try await bob.send(.move(Move(mode: .walk, headingRadians: 0)))
            try await ada.waitFor("Bob walks 2 m east in Ada's view") { mirror in
                guard let bob = mirror.entities[bobWelcome.localID] else { return false }
                return bob.motion.position.position.x - bobStart.x > 2
            }
            try await bob.send(.move(Move(mode: .stop, headingRadians: 0)))

            let adaStart = try #require(bob.mirror.entities[adaWelcome.localID]).motion.position.position
            try await ada.send(.move(Move(mode: .walk, headingRadians: .pi / 2)))
            try await bob.waitFor("Ada walks 2 m north in Bob's view") { mirror in
                guard let ada = mirror.entities[adaWelcome.localID] else { return false }
                return ada.motion.position.position.y - adaStart.y > 2
            }
            try await ada.send(.move(Move(mode: .stop, headingRadians: 0)))

            try await ada.send(.chat(ChatSend(type: .say, text: "hello from the first edge")))
            try await bob.waitFor("Bob hears Ada") { $0.chat.contains { $0.text == "hello from the first edge" } }
            #expect(bob.mirror.chat.first { $0.text == "hello from the first edge" }?.speakerName == "Ada")
            try await bob.send(.chat(ChatSend(type: .say, text: "hello from the second edge")))
            try await ada.waitFor("Ada hears Bob") { $0.chat.contains { $0.text == "hello from the second edge" } }
            #expect(ada.mirror.chat.first { $0.text == "hello from the second edge" }?.speakerName == "Bob")

            #expect(ada.violations.isEmpty && bob.violations.isEmpty, "\(ada.violations) \(bob.violations)")
            await ada.close()
            await bob.close()
        }
        await grid.stop()
    }

    @Test("bots given two URLs are spread over both client managers in turn")
    func botsSpreadOverTwoManagers() async throws {
        let grid = try await ScenarioGrid.start(spawnRadius: 20)
        try await Self.withSecondManager(grid) { secondURL, second in
            var logger = Logger(label: "tessera.bots-test")
            logger.logLevel = .critical
            var settings = BotSwarm.Settings(url: grid.url, count: 6, duration: .seconds(2), connectRate: 50, namePrefix: "Spread")
            settings.urls = try BotSwarm.urls(from: ["\(grid.url),\(secondURL)"])
            settings.chatProbability = 0
            settings.touchProbability = 0
            settings.channelChatProbability = 0
            let swarm = BotSwarm(settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
            let counts = Task {
                // Both managers' client counts once all six are in.
                try await Eventually.until("six bots in", timeout: .seconds(20), every: .milliseconds(20)) {
                    grid.clientManager.stats.snapshot.clients + second.stats.snapshot.clients == 6
                }
                return (grid.clientManager.stats.snapshot.clients, second.stats.snapshot.clients)
            }
            let summary = await swarm.run()
            let (first, other) = try await counts.value
            #expect(first == 3)
            #expect(other == 3)
            #expect(summary.bots == 6)
            #expect(summary.connected == 6)
            #expect(summary.isClean, "\(summary.errorSamples)")
        }
        await grid.stop()
    }

    @Test("idle bots log in from several source addresses, hold on to the end and close cleanly")
    func idleBotsHoldOn() async throws {
        let grid = try await ScenarioGrid.start(spawnRadius: 40)
        try await Self.withSecondManager(grid) { secondURL, second in
            var logger = Logger(label: "tessera.idle-test")
            logger.logLevel = .critical
            var settings = BotSwarm.Settings(url: grid.url, count: 20, duration: .seconds(1), connectRate: 100, namePrefix: "Idle")
            settings.urls = [grid.url, secondURL]
            settings.idle = true
            settings.sourceAddresses = try BotSwarm.sourceAddresses(from: "127.0.0.2-127.0.0.3,127.0.0.5")
            let swarm = BotSwarm(settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
            let peak = Task {
                try await Eventually.until("twenty idle bots in the region", timeout: .seconds(20), every: .milliseconds(20)) {
                    grid.runner("Scenario Region")?.stats.avatars == 20
                }
                return (grid.clientManager.stats.snapshot.clients, second.stats.snapshot.clients)
            }
            let summary = await swarm.run()
            let (first, other) = try await peak.value
            #expect(first == 10)
            #expect(other == 10)
            #expect(summary.protocol == "websocket-idle")
            #expect(summary.bots == 20)
            #expect(summary.connected == 20)
            #expect(summary.failed == 0)
            #expect(summary.errors == 0, "\(summary.errorSamples)")
            try await Eventually.until("the idle bots' avatars left", timeout: .seconds(20), every: .milliseconds(20)) {
                grid.runner("Scenario Region")?.stats.avatars == 0
            }
        }
        await grid.stop()
    }

    @Test("--url lists and --source-addresses ranges are read exactly; bad ones are named")
    func parsesURLsAndSources() throws {
        #expect(try BotSwarm.urls(from: ["ws://127.0.0.1:9000/ws, ws://127.0.0.1:9001/ws", "ws://h:1/ws"])
            == ["ws://127.0.0.1:9000/ws", "ws://127.0.0.1:9001/ws", "ws://h:1/ws"])
        #expect(throws: BotSettingsError.self) { try BotSwarm.urls(from: [" , "]) }
        #expect(throws: BotSettingsError.self) { try BotSwarm.urls(from: ["http://127.0.0.1:9000/"]) }
        #expect(try BotSwarm.sourceAddresses(from: "127.0.0.2-127.0.0.4,10.0.0.9") == ["127.0.0.2", "127.0.0.3", "127.0.0.4", "10.0.0.9"])
        #expect(throws: BotSettingsError.self) { try BotSwarm.sourceAddresses(from: "127.0.0.9-127.0.0.2") }
        #expect(throws: BotSettingsError.self) { try BotSwarm.sourceAddresses(from: "127.0.0.2-127.0.1.4") }
        #expect(throws: BotSettingsError.self) { try BotSwarm.sourceAddresses(from: "127.0.0.256") }
        #expect(throws: BotSettingsError.self) { try BotSwarm.sourceAddresses(from: "") }
        #expect(BotSwarm.loopbackSources(count: 50_000).count == 50)
        #expect(BotSwarm.loopbackSources(count: 50_000).first == "127.0.0.2")
        #expect(BotSwarm.loopbackSources(count: 50_000).last == "127.0.0.51")
        #expect(BotSwarm.loopbackSources(count: 10) == ["127.0.0.2"])
        #expect(BotSwarm.loopbackSources(count: 1_000_000).count == 253)
    }

    @Test("tessera up names every client manager when there are several")
    func upNamesEveryManager() {
        #expect(LocalGrid.managerLines(names: ["edge-1"], urls: ["ws://127.0.0.1:9000/ws"], logins: [nil]) == [])
        #expect(LocalGrid.managerLines(
            names: ["edge-1", "edge-2"], urls: ["ws://127.0.0.1:9000/ws", "ws://127.0.0.1:9001/ws"],
            logins: ["http://127.0.0.1:9000/", nil]) == [
                "  client manager edge-1: ws://127.0.0.1:9000/ws, viewers http://127.0.0.1:9000/",
                "  client manager edge-2: ws://127.0.0.1:9001/ws",
            ])
    }

    @Test("tessera up gives each client manager's web viewer page")
    func viewerPages() {
        #expect(LocalGrid.viewerURL("ws://127.0.0.1:9000/ws") == "http://127.0.0.1:9000/viewer/")
        #expect(LocalGrid.viewerURL("wss://grid.example:443/ws") == "https://grid.example:443/viewer/")
    }
}
