import Foundation
import PostgresNIO
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraGridProtocol
import TesseraTesting
import TesseraWorld

/// Objects crossing a border in the 2×2 square with grid services on a real PostgreSQL: the
/// stored row moves with the object, and the grid keeps exactly one copy across restarts.
@Suite("Object crossings keep their storage row", .serialized)
struct ObjectCrossingStorageTests {
    static func regionOf(_ object: UUID, _ client: PostgresClient) async throws -> String? {
        let rows = try await client.query("""
            SELECT r.name FROM scene_objects o JOIN regions r ON r.id = o.region_id WHERE o.id = \(object)
            """)
        for try await name in rows.decode(String.self) { return name }
        return nil
    }

    @Test("a rezzed object moved over a border belongs to the neighbour in storage, once, after restarts")
    func rezzedObjectCrosses() async throws {
        let grid = try await ScenarioGrid.start(migrationsDirectory: migrationsDirectory, layout: ScenarioGrid.square)
        do {
            let operations = try #require(grid.gridServices).operations
            _ = try await makeAccount(operations, "Ada")
            let client = try #require(grid.databaseClient)
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada", password: "correct horse")
            let item = try await makeObjectItem(ada, name: "Travelling Crate")
            guard case .rezzed(let object, let localID) = try await ada.call(.rez(item, at: Vector3(250, 128, 22))) else {
                throw ScenarioError.timedOut("rez")
            }
            #expect(try await Self.regionOf(object, client) == "West")

            try await ada.send(.moveObject(MoveObject(requestID: 5, localID: localID, position: Vector3(258, 130, 22))))
            try await ada.waitFor("crossed") { $0.results.contains { $0.requestID == 5 } }
            #expect(ada.mirror.results.first { $0.requestID == 5 }?.outcome == .crossed)
            // The row moved in the same transaction as its position.
            #expect(try await Self.regionOf(object, client) == "East")
            #expect(try await count(client, "SELECT count(*) FROM scene_objects WHERE id = \(object)") == 1)
            let rows = try await client.query("SELECT position FROM scene_objects WHERE id = \(object)")
            for try await position in rows.decode([Float].self) {
                #expect(abs(position[0] - 2) < 0.01 && abs(position[1] - 130) < 0.01, "stored at East's (2, 130): \(position)")
            }

            // Ada follows it: the object is in East's scene with its owner; taking it back works there.
            try await ada.send(.teleport(Teleport(requestID: 6, region: "East", position: Vector3(10, 130, 0))))
            try await ada.waitFor("in East, sees the crate") { mirror in
                mirror.regionName == "East" && mirror.entities.values.contains { $0.name == "Travelling Crate" }
            }
            // Ada leaves; both nodes restart (flushing and reloading their scenes): still one
            // crate, in East.
            await ada.close()
            try await Eventually.until("Ada has left East") { grid.regionNodes.flatMap { $0.status().regions }.allSatisfy { $0.rootAgents.isEmpty } }
            try await grid.restartRegionNode(0)
            try await grid.restartRegionNode(1)
            try await Eventually.until("the client manager reconnects to both nodes") {
                grid.clientManager.routes.route(named: "East") != nil && grid.clientManager.routes.route(named: "West") != nil
            }
            #expect(try await Self.regionOf(object, client) == "East")
            let regions = grid.regionNodes.flatMap { $0.status().regions }
            #expect(regions.first { $0.name == "East" }?.objects == 1, "\(regions.map { ($0.name, $0.objects) })")
            #expect(regions.first { $0.name == "West" }?.objects == 0)

            let back = try await ScenarioClient.connect(grid.url)
            try await back.login("Ada", password: "correct horse", startRegion: "East", timeout: .seconds(20))
            try await back.send(.teleport(Teleport(requestID: 1, region: "East", position: Vector3(10, 130, 0))))
            try await back.waitFor(timeout: .seconds(20), "the crate is in East") { mirror in
                mirror.entities.values.contains { $0.name == "Travelling Crate" }
            }
            let crate = try #require(back.mirror.entities.first { $0.value.name == "Travelling Crate" })
            guard case .id(let taken) = try await back.call(.take(crate.key)) else { throw ScenarioError.timedOut("take") }
            #expect(try await count(client, "SELECT count(*) FROM scene_objects WHERE id = \(object)") == 0)
            #expect(try await count(client, "SELECT count(*) FROM inventory_items WHERE id = \(taken)") == 1)
            await back.close()
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }
}

/// Region nodes that are not told about each other find each other through the registry.
@Suite("Region nodes discover each other through the registry", .serialized)
struct RegistryDiscoveryTests {
    @Test("two nodes linked only by the registry hand avatars across their border")
    func discovery() async throws {
        let grid = try await ScenarioGrid.start(migrationsDirectory: migrationsDirectory, layout: ScenarioGrid.square, linkNodes: false)
        do {
            let operations = try #require(grid.gridServices).operations
            _ = try await makeAccount(operations, "Ada")
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada", password: "correct horse")
            // The nodes find each other within moments of registering; until then the other
            // node's regions are unreachable and a teleport is refused (and asked again here).
            var request: UInt32 = 0
            try await Eventually.until("the nodes link (refusals: \(ada.mirror.errors.count))", timeout: .seconds(30), every: .milliseconds(200)) {
                request += 1
                let asked = request
                try await ada.send(.teleport(Teleport(requestID: asked, region: "Northeast", position: Vector3(20, 20, 0))))
                try await ada.waitFor("teleported, or refused") { mirror in
                    mirror.regionName == "Northeast" || mirror.errors.contains { $0.requestID == asked }
                }
                return ada.mirror.regionName == "Northeast"
            }
            try await ada.waitFor("in the other node's region") { $0.regionName == "Northeast" && $0.me != nil }
            #expect(ada.mirror.errors.allSatisfy { $0.code == ErrorCode.regionUnavailable.rawValue }, "\(ada.mirror.errors)")
            try await ada.send(.teleport(Teleport(requestID: 1000, region: "Northeast", position: Vector3(3, 20, 0))))
            try await ada.waitFor("placed at Northeast's west edge") { ($0.me?.motion.position.position.x ?? 9) < 3.5 }
            try await ada.send(.move(Move(mode: .run, headingRadians: .pi)))
            try await ada.waitFor("ran back across into Northwest") { $0.regionName == "Northwest" && $0.me != nil }
            #expect(ada.violations.isEmpty, "\(ada.violations)")
            await ada.close()
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }
}
