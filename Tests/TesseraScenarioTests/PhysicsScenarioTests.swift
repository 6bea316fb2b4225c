import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraRegion
import TesseraTesting
import TesseraWorld

/// `PhysicsGridTests` and the core of `PhysicsServiceKillTests` on the deterministic harness:
/// each region's Bullet world (`RegionWorld`, as in the physics service) answers every frame in
/// time for the next, and the service dies and comes back between two chosen frames. Counted
/// in frames, not waited for in seconds.
@Suite("Physics, frame by frame")
struct PhysicsScenarioTests {
    @Test("a physical box pushed across a border keeps moving in the neighbour region, with its velocity")
    func pushedBoxCrosses() async throws {
        let grid = try await DeterministicGrid.start(layout: ScenarioGrid.square, physics: true)
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        ada.send(.teleport(Teleport(requestID: 1, region: "West", position: Vector3(236, 128, 0))))
        // A 0.8 m crate (51.2 kg) dropped from 1 m up falls and settles on the ground (21 m).
        ada.send(.createObject(CreateObject(
            requestID: 2, shape: .box, position: Vector3(244, 128, 22.4), scale: Vector3(0.8, 0.8, 0.8), name: "crate", physical: true)))
        let resting = try grid.run(until: "falls and comes to rest", object: "crate", in: "West") {
            abs($0.position.z - 21.4) < 0.05 && $0.velocity.length < 0.05
        }
        #expect(resting.physical)

        // 16 m/s east, a little up: it slides and tumbles over the border 12 m away.
        ada.send(.pushObject(PushObject(requestID: 3, localID: resting.localID, impulse: Vector3(51.2 * 16, 0, 51.2 * 2))))
        let arrived = try grid.run(until: "arrives in East", object: "crate", in: "East", within: 225) { !$0.travelling }
        #expect(ada.mirror.results.contains { $0.requestID == 3 && $0.outcome == .moved }, "the push was accepted")
        #expect(arrived.physical, "still physical after the crossing")
        #expect(arrived.position.x < 8, "arrives at East's west edge: \(arrived.position)")
        #expect(abs(arrived.position.y - 128) < 3, "on its line: \(arrived.position)")
        #expect(arrived.velocity.x > 1, "with the velocity it crossed with: \(arrived.velocity)")
        #expect(grid.object("crate", in: "West") == nil, "West no longer holds it")

        let moved = try grid.run(until: "slides on in East", object: "crate", in: "East") { $0.position.x > arrived.position.x + 0.5 }
        #expect(moved.position.x > arrived.position.x)
        let stopped = try grid.run(until: "comes to rest in East", object: "crate", in: "East") { $0.velocity.length < 0.05 }
        #expect(stopped.position.z > 21.3 && stopped.position.z < 21.9, "rests on the ground (on a face or an edge): \(stopped.position)")
        #expect((grid.region("East")?.physicsStatus.bodies ?? 0) >= 1)
        #expect(grid.region("West")?.objectCount == 0 && grid.region("East")?.objectCount == 1)
    }

    @Test("an avatar walks up a hill and stops at a wall built on it, and stays there")
    func avatarOnTheHill() async throws {
        let hill = """
            [[region_node.region.hill]]
            x = 128
            y = 170
            radius = 40
            height = 8
            """
        let grid = try await DeterministicGrid.start(spawnRadius: 0, extraRegionKeys: hill, physics: true)
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        // A wall across the slope at y = 160, 10 m below the top (ground there ≈ 27.7 m).
        ada.send(.createObject(CreateObject(
            requestID: 1, shape: .box, position: Vector3(128, 160, 28), scale: Vector3(20, 1, 8), name: "wall")))
        try grid.run(until: "the wall is built", within: 10) { ada.mirror.results.contains { $0.requestID == 1 } }
        ada.send(.move(Move(mode: .walk, headingRadians: .pi / 2)))
        // 32 m at 3.2 m/s: ten seconds of frames, with room to spare.
        try grid.run(until: "walks up to the wall", within: 15 * 45) { (ada.position?.y ?? 0) > 158.5 }
        // Two more seconds of walking into it: it stays stopped.
        grid.run(90)
        let me = try #require(ada.position)
        let terrain = try #require(grid.region("Scenario Region")?.settings.terrain)
        // The wall's face is at 159.5, the capsule's radius 0.3.
        #expect(me.y > 158.7 && me.y < 159.3, "stopped by the wall: \(me)")
        #expect(abs(me.z - terrain.height(at: me)) < 0.3, "standing on the slope (ground \(terrain.height(at: me))): \(me)")
        #expect(me.z > 26, "up the hill: \(me)")
    }

    @Test("an avatar runs over the border under physics: East takes it into its world, and it runs on at the same speed")
    func avatarCrossesUnderPhysics() async throws {
        let grid = try await DeterministicGrid.start(layout: ScenarioGrid.square, physics: true)
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let agent = try #require(ada.agentID)
        ada.send(.teleport(Teleport(requestID: 1, region: "West", position: Vector3(240, 128, 0))))
        try grid.run(until: "placed", within: 45) { (ada.position?.x ?? 0) > 239 }
        ada.send(.move(Move(mode: .run, headingRadians: 0)))
        try grid.run(until: "arrives in East", within: 15 * 45) { ada.regionName == "East" && ada.mirror.me != nil }
        try grid.run(until: "runs on in East", within: 90) { (grid.region("East")?.avatarState(agent)?.position.x ?? 0) > 3 }
        let running = try #require(grid.region("East")?.avatarState(agent))
        #expect(abs(running.velocity.x - 5.1) < 0.3, "at running speed: \(running.velocity)")
        #expect(abs(running.position.z - 21) < 0.15, "on East's ground: \(running.position)")
        #expect((grid.region("East")?.physicsStatus.bodies ?? 0) >= 1, "East's physical world holds it")
        #expect(grid.region("West")?.avatarState(agent) == nil, "West no longer simulates it")
        #expect(grid.region("West")?.physicsStatus.bodies == 0, "and its body left West's world")
        #expect(grid.roots(of: agent) == ["East"])
    }

    @Test("the physics service dies: bodies freeze, avatars walk kinematically; back, everything resumes from where the region knew it")
    func serviceLostAndBack() async throws {
        let grid = try await DeterministicGrid.start(spawnRadius: 0, physics: true)
        defer { grid.stop() }
        let region = "Scenario Region"
        let ada = try grid.login("Ada")
        let agent = try #require(ada.agentID)
        ada.send(.createObject(CreateObject(
            requestID: 1, shape: .sphere, position: Vector3(100, 100, 21.6), scale: Vector3(1, 1, 1), name: "ball", physical: true)))
        let ball = try grid.run(until: "settles", object: "ball", in: region) { abs($0.position.z - 21.5) < 0.05 && $0.velocity.length < 0.05 }
        // 52.4 kg at 4 m/s northward: it rolls on (Bullet has no rolling resistance).
        ada.send(.pushObject(PushObject(requestID: 2, localID: ball.localID, impulse: Vector3(0, 52.4 * 4, 0))))
        try grid.run(until: "rolls", object: "ball", in: region) { $0.velocity.y > 1 && $0.position.y > 101 }
        ada.send(.move(Move(mode: .walk, headingRadians: 0)))
        grid.run(45)

        grid.detachPhysics()
        grid.step()
        let status = try #require(grid.region(region)?.physicsStatus)
        #expect(status.state == .lost && status.losses == 1, "the loss is counted and reported: \(status)")
        let frozen = try #require(grid.object("ball", in: region))
        #expect(frozen.velocity == .zero, "the ball stops where it was: \(frozen)")
        #expect(frozen.position.y > ball.position.y + 1, "after rolling a while: \(frozen.position) from \(ball.position)")
        let walkFrom = try #require(grid.region(region)?.avatarState(agent)?.position)
        grid.run(90)
        #expect(grid.object("ball", in: region)?.position == frozen.position, "frozen while physics is away")
        let walked = try #require(grid.region(region)?.avatarState(agent)?.position)
        // Kinematic walking moves exactly 3.2 m/s × 1/45 s a frame.
        #expect(abs((walked.x - walkFrom.x) - 90 * 3.2 / 45) < 0.01, "walks on kinematically: \(walkFrom) → \(walked)")
        #expect(abs(walked.z - (grid.region(region)?.settings.terrain.height(at: walked) ?? 0)) < 0.01, "on the terrain: \(walked)")

        grid.attachPhysics()
        grid.run(2)
        let resumed = try #require(grid.region(region)?.physicsStatus)
        #expect(resumed.state == .attached && resumed.snapshots == 2, "a full snapshot after the restart: \(resumed)")
        grid.run(13)
        let after = try #require(grid.object("ball", in: region))
        #expect(after.position.distance(to: frozen.position) < 0.3, "resumes from where the region knew it: \(after.position) vs \(frozen.position)")
        ada.send(.pushObject(PushObject(requestID: 3, localID: ball.localID, impulse: Vector3(52.4 * 4, 0, 0))))
        let rolling = try grid.run(until: "rolls again", object: "ball", in: region) { $0.position.x > frozen.position.x + 1 }
        #expect(rolling.velocity.x > 1, "physics moves it again: \(rolling)")
    }
}
