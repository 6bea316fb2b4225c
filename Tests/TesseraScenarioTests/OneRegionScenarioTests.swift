import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// Two clients in one region, from `WalkAndChatTests`, on the deterministic harness: chat
/// ranges and channels, objects and their owner, each checked after counted frames.
@Suite("Two clients in one region, frame by frame")
struct OneRegionScenarioTests {
    @Test("each sees the other arrive, and a walk of 2 m east at walking speed within a second")
    func seeEachOtherWalk() async throws {
        let grid = try await DeterministicGrid.start()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let bob = try grid.login("Bob")
        let bobID = try #require(bob.welcome?.localID)
        #expect(ada.welcome?.localID != bobID)
        #expect(ada.welcome?.updateRate == 10)
        try grid.run(until: "each sees the other", within: 10) {
            ada.mirror.entities[bobID]?.name == "Bob" && bob.mirror.entities[ada.welcome?.localID ?? 0]?.kind == .avatar
        }
        let start = try #require(ada.mirror.entities[bobID]).motion.position.position
        bob.send(.move(Move(mode: .walk, headingRadians: 0)))
        // 2 m at 3.2 m/s is 28 frames; the view follows within a few more.
        let frames = try grid.run(until: "Bob walks 2 m east in Ada's view", within: 45) {
            (ada.mirror.entities[bobID]?.motion.position.position.x ?? start.x) - start.x > 2
        }
        #expect(frames >= 28)
        let seen = try #require(ada.mirror.entities[bobID])
        #expect(abs(seen.motion.position.position.y - start.y) < 0.01, "walking east keeps y")
        #expect(abs(seen.motion.velocity.x - MovementMode.walk.speed) < 0.02)
        #expect(ada.violations.isEmpty && bob.violations.isEmpty)
    }

    @Test("chat reaches the listener with the speaker's name and type; a script channel reaches no avatar")
    func chat() async throws {
        let grid = try await DeterministicGrid.start()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let bob = try grid.login("Bob")
        ada.send(.chat(ChatSend(type: .say, text: "hello, Bob")))
        ada.send(.chat(ChatSend(type: .shout, channel: 7, text: "for scripts only")))
        ada.send(.chat(ChatSend(type: .say, text: "marker")))
        grid.run(2)
        #expect(bob.mirror.chat.map(\.text) == ["hello, Bob", "marker"])
        #expect(ada.mirror.chat.map(\.text) == ["hello, Bob", "marker"], "the speaker hears itself")
        let line = try #require(bob.mirror.chat.first)
        #expect(line.speakerName == "Ada" && line.speaker == ada.welcome?.localID)
        #expect(line.type == .say && line.channel == 0)
    }

    @Test("objects appear for the other client and vanish on delete; invalid ones and others' deletes are refused")
    func objects() async throws {
        let grid = try await DeterministicGrid.start()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let bob = try grid.login("Bob")
        ada.send(.createObject(CreateObject(requestID: 7, shape: .sphere, position: Vector3(130, 130, 22), scale: Vector3(1, 1, 1), name: "Ball")))
        ada.send(.createObject(CreateObject(requestID: 8, shape: .box, position: Vector3(130, 130, 22), scale: Vector3(0, 1, 1), name: "Flat")))
        grid.run(2)
        let result = try #require(ada.mirror.results.first { $0.requestID == 7 })
        #expect(result.outcome == .created)
        #expect(ada.mirror.errors.map(\.requestID) == [8])
        #expect(ada.mirror.errors.first?.errorCode == .invalidValue)
        let ball = try #require(bob.mirror.entities[result.localID])
        #expect(ball.kind == .object && ball.name == "Ball")
        #expect(ball.motion.position.position.distance(to: Vector3(130, 130, 22)) < 0.01)

        bob.send(.deleteObject(DeleteObject(requestID: 9, localID: result.localID)))
        grid.run(2)
        #expect(bob.mirror.errors.first { $0.requestID == 9 }?.errorCode == .notAllowed)
        #expect(grid.region("Scenario Region")?.objectCount == 1)
        ada.send(.deleteObject(DeleteObject(requestID: 10, localID: result.localID)))
        grid.run(2)
        #expect(ada.mirror.results.contains { $0.requestID == 10 && $0.outcome == .deleted })
        #expect(ada.mirror.entities[result.localID] == nil && bob.mirror.entities[result.localID] == nil)
        #expect(grid.region("Scenario Region")?.objectCount == 0)
        #expect(ada.violations.isEmpty && bob.violations.isEmpty)
    }
}
