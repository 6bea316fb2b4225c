import Foundation
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraRegion
import TesseraWorld

/// Regions attached to a real physics service (Bullet) over real sockets, with real clients: the
/// wiring. The physics scenarios (the hill and the wall, an avatar crossing under physics, the
/// service lost and back) run frame by frame in `TesseraScenarioTests/PhysicsScenarioTests`.
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
        _ name: String, in region: String, of grid: ScenarioGrid, timeout: Duration = .seconds(30), _ what: String,
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
}

struct PhysicsTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
