import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// The crossings of `GridCrossingTests` on the deterministic harness: the 2×2 square, the
/// real client manager routing, every region stepped frame by frame, no sockets and no
/// sleeps. Each outcome is exact, and the same on every run.
@Suite("Crossing borders, frame by frame")
struct CrossingScenarioTests {
    @Test("an avatar walks across each of the four borders and a corner; it is root in exactly one region after each")
    func walkAcrossBorders() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let agent = try #require(ada.agentID)
        #expect(ada.welcome?.regionName == "West")
        #expect(grid.roots(of: agent) == ["West"])

        try grid.place(ada, x: 250, y: 128, request: 1)
        try grid.walk(ada, heading: 0, into: "East")
        let arrived = try #require(ada.position)
        #expect(arrived.x < 10, "enters East at its west edge, at \(arrived)")
        #expect(abs(arrived.y - 128) < 1, "keeps its line across the border")
        #expect(grid.roots(of: agent) == ["East"], "the frame that tells the client also ends the hand-off")

        try grid.walk(ada, heading: .pi, into: "West")
        #expect(grid.roots(of: agent) == ["West"])
        try grid.place(ada, x: 128, y: 250, request: 2)
        try grid.walk(ada, heading: .pi / 2, into: "Northwest")
        try grid.walk(ada, heading: -.pi / 2, into: "West")
        try grid.place(ada, x: 251, y: 251, request: 3)
        try grid.walk(ada, heading: .pi / 4, into: "Northeast")

        let changes = ada.mirror.regionChanges
        #expect(changes.map(\.regionName) == ["East", "West", "Northwest", "West", "Northeast"])
        #expect(changes.allSatisfy { $0.kind == .crossing && $0.startedMillis >= ManualFrameClock.startMillis })
        #expect(ada.violations.isEmpty, "\(ada.violations)")
        #expect(!ada.isFinished, "the session survives every crossing")
        #expect(grid.roots(of: agent) == ["Northeast"])
        #expect(grid.rootRegions.count == 1, "nobody else is anywhere: \(grid.rootRegions)")
        #expect(grid.region("West")?.avatarCount == 0 && grid.region("East")?.avatarCount == 0)
    }

    @Test("the same walk takes the same frames and ends at the same point on every run")
    func deterministic() async throws {
        func walk() async throws -> (frames: Int, position: Vector3, stamps: [UInt64]) {
            let grid = try await DeterministicGrid.square()
            defer { grid.stop() }
            let ada = try grid.login("Ada")
            try grid.place(ada, x: 240, y: 100, request: 1)
            let frames = try grid.walk(ada, heading: 0.3, into: "East")
            grid.run(10)
            let stamps = ada.received.compactMap { message -> UInt64? in
                if case .frameStamp(let stamp) = message { return stamp.frame }
                return nil
            }
            return (frames, try #require(ada.position), stamps)
        }
        let first = try await walk()
        let second = try await walk()
        #expect(first.frames == second.frames)
        #expect(first.position == second.position)
        #expect(first.stamps == second.stamps)
        #expect(first.frames > 0)
    }

    @Test("a border with no region behind it is a wall")
    func wall() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        try grid.place(ada, x: 4, y: 128, request: 1)
        ada.send(.move(Move(mode: .run, headingRadians: .pi)))
        try grid.run(until: "stops at the west wall", within: 45) { (ada.position?.x ?? 9) < 0.2 }
        grid.run(45)
        #expect(ada.regionName == "West")
        #expect(ada.mirror.regionChanges.isEmpty)
        let x = try #require(ada.position).x
        #expect(x >= 0 && x < 0.2)
        #expect(grid.roots(of: try #require(ada.agentID)) == ["West"])
    }

    @Test("chat is heard across a border, and each side sees the other's ghost")
    func chatAcrossBorder() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let bob = try grid.login("Bob")
        try grid.place(ada, x: 250, y: 128, request: 1)
        bob.send(.teleport(Teleport(requestID: 2, region: "East", position: Vector3(6, 128, 0))))
        try grid.run(until: "Bob is in East", within: 45) { bob.regionName == "East" && bob.mirror.me != nil }

        try grid.run(until: "each sees the other's ghost", within: 45) {
            bob.mirror.entities.values.contains { $0.name == "Ada" && $0.motion.position.position.x < 0 }
                && ada.mirror.entities.values.contains { $0.name == "Bob" && $0.motion.position.position.x > 256 }
        }
        ada.send(.chat(ChatSend(type: .say, text: "hello across the border")))
        bob.send(.chat(ChatSend(type: .whisper, text: "too far to whisper")))
        bob.send(.chat(ChatSend(type: .say, text: "marker")))
        try grid.run(until: "both lines arrive", within: 45) {
            bob.mirror.chat.contains { $0.text == "hello across the border" } && ada.mirror.chat.contains { $0.text == "marker" }
        }
        let line = try #require(bob.mirror.chat.first { $0.text == "hello across the border" })
        #expect(line.speakerName == "Ada")
        let ghost = try #require(bob.mirror.entities.first { $0.value.name == "Ada" })
        #expect(line.speaker == ghost.key, "the speaker is named by its ghost's id here")
        #expect(!ada.mirror.chat.contains { $0.text == "too far to whisper" }, "12 m apart: out of whisper range")
        #expect(ada.violations.isEmpty && bob.violations.isEmpty, "\(ada.violations) \(bob.violations)")
    }

    @Test("teleports by name and by grid position; an unknown target is refused and nothing moves")
    func teleport() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let agent = try #require(ada.agentID)
        ada.send(.teleport(Teleport(requestID: 7, region: "Northeast", position: Vector3(30, 40, 0))))
        try grid.run(until: "in Northeast", within: 45) { ada.regionName == "Northeast" && ada.mirror.me != nil }
        let change = try #require(ada.mirror.regionChanges.last)
        #expect(change.kind == .teleport && change.requestID == 7)
        let position = try #require(ada.position)
        #expect(abs(position.x - 30) < 0.5 && abs(position.y - 40) < 0.5)
        #expect(grid.roots(of: agent) == ["Northeast"])

        ada.send(.teleport(Teleport(requestID: 8, gridPosition: GridPosition(x: 1000, y: 1001)!)))
        try grid.run(until: "in Northwest", within: 45) { ada.regionName == "Northwest" && ada.mirror.me != nil }
        #expect(grid.roots(of: agent) == ["Northwest"])

        ada.send(.teleport(Teleport(requestID: 9, region: "Atlantis")))
        try grid.run(until: "refused", within: 45) { ada.mirror.errors.contains { $0.requestID == 9 } }
        let refusal = try #require(ada.mirror.errors.first { $0.requestID == 9 })
        #expect(refusal.code == ErrorCode.regionUnavailable.rawValue)
        #expect(refusal.message.contains("Atlantis"))
        #expect(ada.mirror.errors.count == 1, "\(ada.mirror.errors)")
        #expect(ada.mirror.regionChanges.map(\.regionName) == ["Northeast", "Northwest"])
        #expect(grid.roots(of: agent) == ["Northwest"])
        #expect(ada.violations.isEmpty, "\(ada.violations)")
    }

    @Test("an object moved over a border by its owner crosses with its identity and owner")
    func objectCrossing() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let bob = try grid.login("Bob")
        try grid.place(ada, x: 240, y: 128, request: 1)
        bob.send(.teleport(Teleport(requestID: 2, region: "East", position: Vector3(20, 128, 0))))
        try grid.run(until: "Bob is in East", within: 45) { bob.regionName == "East" && bob.mirror.me != nil }

        ada.send(.createObject(CreateObject(
            requestID: 3, shape: .box, position: Vector3(250, 128, 22), rotation: .identity, scale: Vector3(1, 1, 1), name: "Crate")))
        try grid.run(until: "created", within: 10) { ada.mirror.results.contains { $0.requestID == 3 } }
        let crate = try #require(ada.mirror.results.first { $0.requestID == 3 }).localID
        #expect(grid.region("West")?.objectCount == 1)

        ada.send(.moveObject(MoveObject(requestID: 4, localID: crate, position: Vector3(262, 128, 22))))
        try grid.run(until: "crossed", within: 45) { ada.mirror.results.contains { $0.requestID == 4 } }
        #expect(ada.mirror.results.first { $0.requestID == 4 }?.outcome == .crossed)
        try grid.run(until: "Bob sees the crate in East", within: 45) {
            bob.mirror.entities.values.contains { $0.name == "Crate" && abs($0.motion.position.position.x - 6) < 0.1 }
        }
        #expect(grid.region("East")?.objectCount == 1)
        #expect(grid.region("West")?.objectCount == 0)
        let moved = try #require(grid.region("East")?.objectStates().first)
        #expect(moved.name == "Crate" && abs(moved.position.x - 6) < 0.01 && !moved.travelling)
    }
}
