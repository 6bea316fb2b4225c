import Foundation
import PostgresNIO
import Testing
import TesseraStorage
import TesseraWorld

@Suite("Scene persistence against a real PostgreSQL")
struct SceneStoreTests {
    private func setUp(_ client: PostgresClient) async throws -> (region: UUID, owner: UUID) {
        let owner = try await AccountStore(client: client, logger: testLogger, hasher: PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1))
            .create(name: "Builder", password: "builder password").id
        let region = UUID()
        _ = try await client.query(
            "INSERT INTO regions (id, name, grid_x, grid_y, address, node_name) VALUES (\(region), 'Plaza', 1000, 1000, '127.0.0.1:9100', 'node-1')",
            logger: testLogger
        )
        return (region, owner)
    }

    private func object(_ name: String, owner: UUID, x: Float) -> PersistedObject {
        PersistedObject(
            id: UUID(), ownerID: owner, creatorID: owner, name: name, shape: .box,
            position: Vector3(x, 20, 22), rotation: Quaternion(yaw: 0.5), scale: Vector3(1, 2, 3),
            masks: [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x0000_E000]
        )
    }

    @Test("a saved snapshot loads back equal; a later snapshot replaces it")
    func saveAndLoad() async throws {
        try await withFreshDatabase { client in
            let (region, owner) = try await setUp(client)
            let store = SceneStore(client: client, logger: testLogger)
            var ball = object("Ball", owner: owner, x: 30)
            ball.physical = true
            ball.reportsCollisions = true
            let first = [object("Crate", owner: owner, x: 10), ball, object("Post", owner: owner, x: 50)]
            try await store.save(region: region, objects: first)
            let loadedFirst = try await store.load(region: region)
            #expect(loadedFirst.count == 3)
            #expect(Set(loadedFirst) == Set(first))
            #expect(loadedFirst.filter(\.physical).map(\.name) == ["Ball"], "the physical flag is stored")

            var moved = first[0]
            moved.position.x = 99
            let second = [moved, first[2]]
            try await store.save(region: region, objects: second)
            let loaded = try await store.load(region: region)
            #expect(Set(loaded) == Set(second), "moved one updated, removed one deleted, third kept")
        }
    }

    @Test("a snapshot that fails half-way leaves the previous one intact")
    func atomic() async throws {
        try await withFreshDatabase { client in
            let (region, owner) = try await setUp(client)
            let store = SceneStore(client: client, logger: testLogger)
            let first = [object("Crate", owner: owner, x: 10)]
            try await store.save(region: region, objects: first)
            var broken = object("Broken", owner: UUID(), x: 20)  // unknown owner: foreign key fails
            broken.creatorID = nil
            await #expect(throws: (any Error).self) {
                try await store.save(region: region, objects: [object("New", owner: owner, x: 5), broken])
            }
            #expect(try await store.load(region: region) == first)
        }
    }
}
