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

    @Test("a region's objects load page by page, in id order, each exactly once")
    func loadsInPages() async throws {
        try await withFreshDatabase { client in
            let (region, owner) = try await setUp(client)
            let store = SceneStore(client: client, logger: testLogger)
            let objects = (0..<7).map { object("Thing \($0)", owner: owner, x: Float($0) * 10) }
            try await store.save(region: region, objects: objects)
            var pages: [[PersistedObject]] = []
            var after: UUID?
            while true {
                let page = try await store.load(region: region, after: after, limit: 3)
                guard let last = page.last else { break }
                pages.append(page)
                after = last.id
            }
            #expect(pages.map(\.count) == [3, 3, 1])
            let loaded = pages.flatMap { $0 }
            #expect(loaded.map(\.id) == objects.map(\.id).sorted { $0.uuidString < $1.uuidString })
            #expect(Set(loaded) == Set(objects))
        }
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

    /// The database refuses one row (its owner does not exist: the foreign key fails). That row
    /// is left out and reported; every other row of the snapshot is stored. (This used to fail
    /// the whole snapshot, which is how one bad object stopped a region's persistence.)
    @Test("a row the database refuses is left out and reported; the rest of the snapshot is stored")
    func rowRefusedByTheDatabase() async throws {
        try await withFreshDatabase { client in
            let (region, owner) = try await setUp(client)
            let store = SceneStore(client: client, logger: testLogger)
            try await store.save(region: region, objects: [object("Crate", owner: owner, x: 10)])
            var broken = object("Broken", owner: UUID(), x: 20)
            broken.creatorID = nil
            let fresh = object("New", owner: owner, x: 5)
            let refused = try await store.save(region: region, objects: [fresh, broken])
            #expect(refused.map(\.id) == [broken.id])
            #expect(refused.first?.reason.contains("refused by the database") == true)
            #expect(try await store.load(region: region) == [fresh], "the crate left the snapshot, the new object is stored")
        }
    }

    /// A name with U+0000 once made every flush of its region fail (`invalid byte sequence for
    /// encoding "UTF8": 0x00`): thousands of objects in the world, none stored.
    @Test("a flush carrying a NUL name, an empty name and non-finite numbers stores every other object")
    func flushWithUnstorableObjects() async throws {
        try await withFreshDatabase { client in
            let (region, owner) = try await setUp(client)
            let store = SceneStore(client: client, logger: testLogger)
            let good = (0..<500).map { object("Crate \($0)", owner: owner, x: Float($0 % 250)) }
            let nul = object("evil\u{0}name", owner: owner, x: 1)
            let empty = object("", owner: owner, x: 2)
            var infinite = object("Far", owner: owner, x: 3)
            infinite.position.x = .infinity
            let refused = try await store.flush(region: region, created: good + [nul, empty, infinite], changed: [], deleted: [])
            #expect(Set(refused.map(\.id)) == [nul.id, empty.id, infinite.id])
            #expect(refused.first { $0.id == nul.id }?.reason.contains("U+0000") == true)
            let stored = try await store.load(region: region)
            #expect(stored.count == 500)
            #expect(Set(stored.map(\.id)) == Set(good.map(\.id)))

            // A later flush that changes a stored object to a bad name: the change is refused,
            // the other changes of the same flush are stored.
            var renamed = good[0]
            renamed.name = "bad\u{0}"
            var moved = good[1]
            moved.position.x = 77
            let refusedLater = try await store.flush(region: region, created: [], changed: [renamed, moved], deleted: [good[2].id])
            #expect(refusedLater.map(\.id) == [renamed.id])
            let after = try await store.load(region: region)
            #expect(after.count == 499)
            #expect(after.first { $0.id == moved.id }?.position.x == 77)
            #expect(after.first { $0.id == renamed.id }?.name == good[0].name)
        }
    }
}
