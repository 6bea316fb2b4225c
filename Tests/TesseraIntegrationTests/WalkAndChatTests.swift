import NIOCore
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// A region node and a client manager on ephemeral loopback ports, with real WebSocket clients:
/// the wiring of one region. Chat and objects run frame by frame in
/// `TesseraScenarioTests/OneRegionScenarioTests`.
@Suite("Two clients in one region")
struct WalkAndChatTests {
    @Test("each sees the other arrive and walk")
    func seeEachOtherWalk() async throws {
        let grid = try await ScenarioGrid.start()
        let ada = try await ScenarioClient.connect(grid.url)
        let bob = try await ScenarioClient.connect(grid.url)
        let adaWelcome = try await ada.login("Ada")
        let bobWelcome = try await bob.login("Bob")
        #expect(adaWelcome.regionName == "Scenario Region")
        #expect(adaWelcome.localID != bobWelcome.localID)
        #expect(adaWelcome.updateRate == 10)

        try await ada.waitFor("Ada sees Bob") { $0.entities[bobWelcome.localID]?.name == "Bob" }
        try await bob.waitFor("Bob sees Ada") { $0.entities[adaWelcome.localID]?.kind == .avatar }
        try await ada.waitFor("Ada sees herself") { $0.me != nil }

        let start = try #require(ada.mirror.entities[bobWelcome.localID]).motion.position.position
        try await bob.send(.move(Move(mode: .walk, headingRadians: 0)))
        try await ada.waitFor("Bob walks 2 m east in Ada's view") { mirror in
            guard let bob = mirror.entities[bobWelcome.localID] else { return false }
            return bob.motion.position.position.x - start.x > 2
        }
        let seen = try #require(ada.mirror.entities[bobWelcome.localID])
        #expect(abs(seen.motion.position.position.y - start.y) < 0.01, "walking east keeps y")
        #expect(abs(seen.motion.velocity.x - MovementMode.walk.speed) < 0.02)

        #expect(ada.violations.isEmpty)
        #expect(bob.violations.isEmpty)
        await ada.close()
        await bob.close()
        await grid.stop()
    }
}
