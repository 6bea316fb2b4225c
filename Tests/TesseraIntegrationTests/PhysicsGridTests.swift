import Foundation
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraRegion
import TesseraWorld

/// Regions attached to a real physics service (Bullet) over real sockets, with real clients.
@Suite("Physics in a running grid", .serialized)
struct PhysicsGridTests {
    static func object(named name: String, in runner: RegionRunner?) async throws -> Region.ObjectState? {
        try await runner?.inspect { region in region.objectStates().first { $0.name == name } }
    }

    static func waitAttached(_ grid: ScenarioGrid, regions: [String]) async throws {
        do {
            try await Eventually.until("regions \(regions) attach to physics") {
                regions.allSatisfy { grid.runner($0)?.stats.physics.state == .attached }
            }
        } catch {
            throw PhysicsTestFailure("regions \(regions) did not attach to physics")
        }
    }

    /// Polls until `condition` holds for the named object in the named region.
    static func waitFor(
        _ name: String, in region: String, of grid: ScenarioGrid, timeout: Duration = .seconds(10), _ what: String,
        _ condition: @escaping (Region.ObjectState) -> Bool
    ) async throws -> Region.ObjectState {
        var last: Region.ObjectState?
        let found = try? await Eventually.value(what, timeout: timeout) { () async throws -> Region.ObjectState? in
            last = try await object(named: name, in: grid.runner(region))
            return last.flatMap { condition($0) ? $0 : nil }
        }
        if let found { return found }
        throw PhysicsTestFailure("\(name) in \(region): \(what) did not happen; last seen \(String(describing: last))")
    }

    @Test("a physical box pushed across a border keeps moving in the neighbour region, with its velocity")
    func pushedBoxCrosses() async throws {
        let grid = try await ScenarioGrid.start(layout: ScenarioGrid.square, inProcessPhysics: true)
        try await Self.waitAttached(grid, regions: ["West", "East"])
        let ada = try await ScenarioClient.connect(grid.url)
        _ = try await ada.login("Ada")
        try await ada.send(.teleport(Teleport(requestID: 1, region: "West", position: Vector3(236, 128, 0))))

        // A 0.8 m crate (51.2 kg) dropped from 1 m up falls and settles on the ground (21 m).
        try await ada.send(.createObject(CreateObject(
            requestID: 2, shape: .box, position: Vector3(244, 128, 22.4), scale: Vector3(0.8, 0.8, 0.8), name: "crate", physical: true)))
        let resting = try await Self.waitFor("crate", in: "West", of: grid, "falls and comes to rest") {
            abs($0.position.z - 21.4) < 0.05 && $0.velocity.length < 0.05
        }
        #expect(resting.physical)
        let id = resting.localID

        // 16 m/s east, a little up: it slides and tumbles over the border 12 m away.
        try await ada.send(.pushObject(PushObject(requestID: 3, localID: id, impulse: Vector3(51.2 * 16, 0, 51.2 * 2))))
        try await ada.waitFor("the push is accepted") { mirror in mirror.results.contains { $0.requestID == 3 && $0.outcome == .moved } }
        let arrived = try await Self.waitFor("crate", in: "East", of: grid, "arrives in East") { !$0.travelling }
        #expect(arrived.physical, "still physical after the crossing")
        #expect(arrived.position.x < 8, "arrives at East's west edge: \(arrived.position)")
        #expect(abs(arrived.position.y - 128) < 3, "on its line: \(arrived.position)")
        #expect(arrived.velocity.x > 1, "with the velocity it crossed with: \(arrived.velocity)")
        let gone = try await Self.object(named: "crate", in: grid.runner("West"))
        #expect(gone == nil, "West no longer holds it: \(String(describing: gone))")

        // It keeps going in East's world, then stops on its ground.
        let moved = try await Self.waitFor("crate", in: "East", of: grid, "slides on in East") { $0.position.x > arrived.position.x + 0.5 }
        #expect(moved.position.x > arrived.position.x)
        let stopped = try await Self.waitFor("crate", in: "East", of: grid, "comes to rest in East") { $0.velocity.length < 0.05 }
        #expect(stopped.position.z > 21.3 && stopped.position.z < 21.9, "rests on the ground (on a face or an edge): \(stopped.position)")
        #expect(grid.runner("East")?.stats.physics.bodies ?? 0 >= 1)
        await ada.close()
        await grid.stop()
    }

    @Test("an avatar walks up a hill in a region and stops at a wall built on it")
    func avatarOnTheHill() async throws {
        let hill = """
            [[region_node.region.hill]]
            x = 128
            y = 170
            radius = 40
            height = 8
            """
        let grid = try await ScenarioGrid.start(spawnRadius: 0, extraRegionKeys: hill, inProcessPhysics: true)
        try await Self.waitAttached(grid, regions: ["Scenario Region"])
        let ada = try await ScenarioClient.connect(grid.url)
        _ = try await ada.login("Ada")
        // A wall across the slope at y = 160, 10 m below the top (ground there ≈ 27.7 m).
        try await ada.send(.createObject(CreateObject(
            requestID: 1, shape: .box, position: Vector3(128, 160, 28), scale: Vector3(20, 1, 8), name: "wall")))
        try await ada.waitFor("the wall is built") { mirror in mirror.results.contains { $0.requestID == 1 } }
        try await ada.send(.move(Move(mode: .walk, headingRadians: .pi / 2)))
        // 32 m at 3.2 m/s: ten seconds, and a few more to be sure it has stopped.
        try await ada.waitFor(timeout: .seconds(30), "walks up to the wall and stops") { mirror in
            guard let me = mirror.me?.motion.position.position else { return false }
            return me.y > 158.5
        }
        try await Task.sleep(for: .seconds(2))
        let me = try #require(ada.mirror.me?.motion.position.position)
        let terrain = try #require(grid.runner("Scenario Region")?.settings.terrain)
        // The wall's face is at 159.5, the capsule's radius 0.3.
        #expect(me.y > 158.7 && me.y < 159.3, "stopped by the wall: \(me)")
        #expect(abs(me.z - terrain.height(at: me)) < 0.3, "standing on the slope (ground \(terrain.height(at: me))): \(me)")
        #expect(me.z > 26, "up the hill: \(me)")
        await ada.close()
        await grid.stop()
    }
}

struct PhysicsTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension PhysicsGridTests {
    @Test("an avatar runs over the border under physics: East takes it into its world, and it runs on at the same speed")
    func avatarCrossesUnderPhysics() async throws {
        let grid = try await ScenarioGrid.start(layout: ScenarioGrid.square, inProcessPhysics: true)
        try await Self.waitAttached(grid, regions: ["West", "East"])
        let ada = try await ScenarioClient.connect(grid.url)
        let welcome = try await ada.login("Ada")
        try await ada.send(.teleport(Teleport(requestID: 1, region: "West", position: Vector3(240, 128, 0))))
        try await ada.waitFor("placed") { mirror in (mirror.me?.motion.position.position.x ?? 0) > 239 }
        try await ada.send(.move(Move(mode: .run, headingRadians: 0)))
        try await ada.waitFor(timeout: .seconds(15), "arrives in East") { mirror in mirror.regionName == "East" && mirror.me != nil }
        let east = try #require(grid.runner("East"))
        // In East's physical world, moving east at running speed (5.1 m/s), on the ground.
        var state: (localID: LocalID, position: Vector3, velocity: Vector3, visible: Set<LocalID>)?
        try? await Eventually.until("runs on in East", timeout: .seconds(2)) {
            state = try await east.inspect { $0.avatarState(welcome.agentID) }
            return (state?.position.x ?? 0) > 3
        }
        let running = try #require(state)
        #expect(running.position.x > 3, "runs on in East: \(running.position)")
        #expect(abs(running.velocity.x - 5.1) < 0.3, "at running speed: \(running.velocity)")
        #expect(abs(running.position.z - 21) < 0.15, "on East's ground: \(running.position)")
        #expect((east.stats.physics.bodies) >= 1, "East's physical world holds it")
        let west = try #require(grid.runner("West"))
        let left = try await west.inspect { $0.avatarState(welcome.agentID) }
        #expect(left == nil, "West no longer simulates it")
        #expect(west.stats.physics.bodies == 0, "and its body left West's world: \(west.stats.physics)")
        await ada.close()
        await grid.stop()
    }
}
