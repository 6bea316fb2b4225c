import NIOCore
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// A region node and a client manager on ephemeral loopback ports, with real WebSocket clients.
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
        #expect(abs(seen.motion.velocity.velocity.x - MovementMode.walk.speed) < 0.02)

        #expect(ada.violations.isEmpty)
        #expect(bob.violations.isEmpty)
        await ada.close()
        await bob.close()
        await grid.stop()
    }

    @Test("chat reaches the listener with the speaker's name and type")
    func chat() async throws {
        let grid = try await ScenarioGrid.start()
        let ada = try await ScenarioClient.connect(grid.url)
        let bob = try await ScenarioClient.connect(grid.url)
        let adaWelcome = try await ada.login("Ada")
        try await bob.login("Bob")

        try await ada.send(.chat(ChatSend(type: .say, text: "hello, Bob")))
        try await bob.waitFor("Bob hears Ada") { $0.chat.contains { $0.text == "hello, Bob" } }
        let line = try #require(bob.mirror.chat.first { $0.text == "hello, Bob" })
        #expect(line.speakerName == "Ada")
        #expect(line.speaker == adaWelcome.localID)
        #expect(line.type == .say)
        #expect(line.channel == 0)
        try await ada.waitFor("Ada hears herself") { $0.chat.contains { $0.text == "hello, Bob" } }

        // A non-public channel reaches no avatar: send it, then a public marker, and check
        // that the marker arrives while the channel line never does.
        try await ada.send(.chat(ChatSend(type: .shout, channel: 7, text: "for scripts only")))
        try await ada.send(.chat(ChatSend(type: .say, text: "marker")))
        try await bob.waitFor("marker") { $0.chat.contains { $0.text == "marker" } }
        #expect(!bob.mirror.chat.contains { $0.text == "for scripts only" })

        await ada.close()
        await bob.close()
        await grid.stop()
    }

    @Test("objects created by one client appear for the other and vanish on delete")
    func objects() async throws {
        let grid = try await ScenarioGrid.start()
        let ada = try await ScenarioClient.connect(grid.url)
        let bob = try await ScenarioClient.connect(grid.url)
        try await ada.login("Ada")
        try await bob.login("Bob")

        try await ada.send(.createObject(CreateObject(
            requestID: 7, shape: .sphere, position: Vector3(130, 130, 22), scale: Vector3(1, 1, 1), name: "Ball"
        )))
        try await ada.waitFor("object created") { $0.results.contains { $0.requestID == 7 } }
        let result = try #require(ada.mirror.results.first { $0.requestID == 7 })
        #expect(result.outcome == .created)
        try await bob.waitFor("Bob sees the ball") { $0.entities[result.localID]?.name == "Ball" }
        let ball = try #require(bob.mirror.entities[result.localID])
        #expect(ball.kind == .object)
        #expect(ball.motion.position.position.distance(to: Vector3(130, 130, 22)) < 0.01)

        try await ada.send(.createObject(CreateObject(
            requestID: 8, shape: .box, position: Vector3(130, 130, 22), scale: Vector3(0, 1, 1), name: "Flat"
        )))
        try await ada.waitFor("invalid object refused") { $0.errors.contains { $0.requestID == 8 } }
        #expect(ada.mirror.errors.first { $0.requestID == 8 }?.errorCode == .invalidValue)

        // Only the owner may delete it.
        try await bob.send(.deleteObject(DeleteObject(requestID: 9, localID: result.localID)))
        try await bob.waitFor("delete refused") { $0.errors.contains { $0.requestID == 9 } }
        #expect(bob.mirror.errors.first { $0.requestID == 9 }?.errorCode == .notAllowed)
        try await ada.send(.deleteObject(DeleteObject(requestID: 10, localID: result.localID)))
        try await ada.waitFor("deleted") { $0.results.contains { $0.requestID == 10 && $0.outcome == .deleted } }
        try await ada.waitFor("the ball leaves Ada's view") { $0.entities[result.localID] == nil }
        #expect(ada.violations.isEmpty && bob.violations.isEmpty)

        await ada.close()
        await bob.close()
        await grid.stop()
    }
}
