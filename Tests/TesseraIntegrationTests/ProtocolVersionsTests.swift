import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// Clients of protocol 5, 6 and 7 side by side on real sockets: the older ones are still served
/// (EntityUpdate), the newer one gets EntityDeltas, and both follow the same walking avatar.
@Suite("Protocol versions side by side")
struct ProtocolVersionsTests {
    @Test("a version 5 and a version 7 client both follow a walking avatar")
    func oldAndNewClientsFollowAWalker() async throws {
        let grid = try await ScenarioGrid.start()
        let old = try await ScenarioClient.connect(grid.url)
        let new = try await ScenarioClient.connect(grid.url)
        let walker = try await ScenarioClient.connect(grid.url)
        _ = try await old.login(Login(version: 5, name: "Olde", password: ""))
        _ = try await new.login(Login(version: 7, name: "Newt", password: ""))
        // The walker speaks version 6: it holds its own packed position exactly.
        let bob = try await walker.login(Login(version: 6, name: "Bob", password: ""))
        for client in [old, new] {
            try await client.waitFor("sees Bob") { $0.entities[bob.localID]?.name == "Bob" }
        }
        let start = try #require(old.mirror.entities[bob.localID]).motion.position.position

        try await walker.send(.move(Move(mode: .walk, headingRadians: .pi / 2)))  // north
        for client in [old, new] {
            try await client.waitFor("Bob walks 3 m north") { mirror in
                guard let seen = mirror.entities[bob.localID] else { return false }
                return seen.motion.position.position.y - start.y > 3 && abs(seen.motion.velocity.y - MovementMode.walk.speed) < 0.04
            }
        }
        try await walker.send(.move(Move(mode: .stop, headingRadians: .pi / 2)))
        for client in [old, new] {
            try await client.waitFor("Bob stops") { $0.entities[bob.localID]?.motion.velocity == .zero }
        }
        // At rest, both hold Bob where the region has him: the version 5 client exactly (its
        // updates carry the packed position), the version 7 one within 8 x/y and 16 z steps.
        try await walker.waitFor("Bob sees himself stopped") { $0.me?.motion.velocity == .zero }
        let exact = try #require(walker.mirror.me).motion.position
        try await old.waitFor("the version 5 client holds Bob's packed position") { $0.entities[bob.localID]?.motion.position == exact }
        try await new.waitFor("the version 7 client holds Bob within the bound") { mirror in
            guard let held = mirror.entities[bob.localID]?.motion.position else { return false }
            let a = EntityDelta.steps(held)
            let b = EntityDelta.steps(exact)
            return abs(a.x - b.x) <= 8 && abs(a.y - b.y) <= 8 && abs(a.z - b.z) <= 16
        }
        let oldSeen = try #require(old.mirror.entities[bob.localID])
        let newSeen = try #require(new.mirror.entities[bob.localID])
        #expect(abs(oldSeen.motion.position.position.x - start.x) < 0.01, "walking north keeps x")
        #expect(newSeen.motion.position.position.distance(to: exact.position) <= 0.0068)
        #expect(oldSeen.motion.rotation.isClose(to: Quaternion(yaw: .pi / 2), tolerance: 1e-4))
        #expect(newSeen.motion.rotation.isClose(to: Quaternion(yaw: .pi / 2), tolerance: 1e-4))

        // Each was sent what its version has.
        #expect(old.mirror.entityUpdateMessages > 0)
        #expect(old.mirror.entityDeltaEntries == 0)
        #expect(new.mirror.entityDeltaEntries > 0)
        #expect(new.mirror.entityUpdateMessages == 0)
        #expect(walker.mirror.entityUpdateMessages > 0 && walker.mirror.entityDeltaEntries == 0)
        for client in [old, new, walker] { #expect(client.violations.isEmpty) }
        for client in [old, new, walker] { await client.close() }
        await grid.stop()
    }

    @Test("a version 8 client gets the map and the terrains after Welcome and after a crossing; a version 7 client does not")
    func mapAndTerrain() async throws {
        let grid = try await ScenarioGrid.start(extraRegionKeys: "terrain_height = 25", layout: ScenarioGrid.square)
        let viewer = try await ScenarioClient.connect(grid.url)
        let older = try await ScenarioClient.connect(grid.url)
        _ = try await viewer.login(Login(version: 8, name: "Vera", password: ""))
        _ = try await older.login(Login(version: 7, name: "Otto", password: ""))
        try await viewer.waitFor("the map and four terrains") { $0.regionMap != nil && $0.terrains.count == 4 }
        let map = try #require(viewer.mirror.regionMap)
        // West (1000, 1000) first; then its three neighbours at one step, by name.
        #expect(map.regions.map(\.name) == ["West", "East", "Northeast", "Northwest"])
        #expect(map.regions.map { [$0.position.x, $0.position.y] } == [[1000, 1000], [1001, 1000], [1001, 1001], [1000, 1001]])
        for region in map.regions {
            #expect(viewer.mirror.terrains[region.position.handle] == .flat(25), "\(region.name)'s ground")
        }
        try await older.waitFor("Otto sees Vera") { $0.entities.values.contains { $0.name == "Vera" } }
        #expect(older.mirror.regionMap == nil && older.mirror.terrains.isEmpty)

        // Across the border into East the map starts with East.
        try await GridCrossingTests.place(viewer, x: 250, y: 128, request: 1)
        try await GridCrossingTests.walk(viewer, heading: 0, into: "East")
        try await viewer.waitFor("East's map") { $0.regionMap?.regions.first?.name == "East" }
        #expect(viewer.mirror.regionMap?.regions.map(\.name) == ["East", "Northeast", "Northwest", "West"])
        #expect(viewer.violations.isEmpty, "\(viewer.violations)")
        for client in [viewer, older] { await client.close() }
        await grid.stop()
    }
}
