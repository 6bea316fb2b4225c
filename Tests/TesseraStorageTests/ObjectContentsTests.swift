import Foundation
import PostgresNIO
import Testing
@testable import TesseraStorage
import TesseraWorld

@Suite("Object contents and looks against a real PostgreSQL")
struct ObjectContentsTests {
    /// A world with two LSL source assets stored.
    private struct Scripted {
        let world: InventoryWorld
        let greeter: Data
        let counter: Data
        static let greeterSource = "default { touch_start(integer n) { llSay(0, \"Hello, \" + llDetectedName(0)); } }"
        static let counterSource = "integer n; default { timer() { ++n; } }"

        static func make(_ client: PostgresClient) async throws -> Scripted {
            let world = try await InventoryWorld.make(client)
            let greeter = try await world.assets.store(
                data: Data(greeterSource.utf8), type: AssetStore.scriptType, name: "Greeter", creator: world.accounts[0])
            let counter = try await world.assets.store(
                data: Data(counterSource.utf8), type: AssetStore.scriptType, name: "Counter", creator: world.accounts[0])
            return Scripted(world: world, greeter: greeter, counter: counter)
        }

        func contents() -> [PersistedContent] {
            [
                PersistedContent(id: UUID(), name: "Greeter", kind: .script, assetID: greeter, running: true, state: Data([1, 2, 3, 0, 255])),
                PersistedContent(id: UUID(), name: "Counter ✦", kind: .script, assetID: counter, running: false, state: nil),
                PersistedContent(
                    id: UUID(), name: "Ball", kind: .object, assetID: nil, running: true, template: Data((0..<300).map { UInt8($0 % 256) })),
            ]
        }

        /// What a load gives back: the sources joined from the assets.
        func loaded(_ contents: [PersistedContent]) -> [PersistedContent] {
            contents.map { item in
                var item = item
                if item.assetID == greeter { item.source = Self.greeterSource }
                if item.assetID == counter { item.source = Self.counterSource }
                return item
            }
        }

        func object(_ name: String, asset: Data? = nil, contents: [PersistedContent] = []) -> PersistedObject {
            PersistedObject(
                id: UUID(), ownerID: world.accounts[0], creatorID: world.accounts[0], name: name, shape: .cylinder,
                position: Vector3(10, 20, 22), rotation: Quaternion(yaw: 0.5), scale: Vector3(0.5, 2, 3),
                masks: [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x7FFF_FFFF], assetID: asset, physical: true, reportsCollisions: true,
                look: PersistedLook(color: SIMD4(1, 0.5, 0, 0.75), text: "Touch me ✋", textColor: SIMD4(0, 1, 0, 1)),
                contents: contents)
        }
    }

    @Test("a flush stores an object's look and contents; a load gives them back with the scripts' sources; changes and deletes follow")
    func flushAndLoad() async throws {
        try await withFreshDatabase { client in
            let scripted = try await Scripted.make(client)
            let store = SceneStore(client: client, logger: testLogger)
            let region = scripted.world.region
            let contents = scripted.contents()
            var launcher = scripted.object("Launcher", contents: contents)
            let plain = scripted.object("Plain")
            #expect(try await store.flush(region: region, created: [launcher, plain], changed: [], deleted: []) == [])

            let loaded = try await store.load(region: region)
            let stored = try #require(loaded.first { $0.id == launcher.id })
            #expect(stored.look == launcher.look)
            #expect(stored.contents == scripted.loaded(contents), "order, ids, names, kinds, running, states, template, sources")
            #expect(stored.contents.map(\.source) == [Scripted.greeterSource, Scripted.counterSource, nil])
            #expect(loaded.first { $0.id == plain.id }?.contents == [])
            #expect(try await store.object(id: launcher.id)?.contents == scripted.loaded(contents))

            // A new checkpoint, a stopped script started, the object item removed, a new look.
            launcher.contents = [contents[1], contents[0]]
            launcher.contents[0].running = true
            launcher.contents[0].state = Data(repeating: 7, count: PersistedContent.maxStateBytes)
            launcher.contents[1].state = Data([9, 9])
            launcher.look.text = ""
            #expect(try await store.flush(region: region, created: [], changed: [launcher], deleted: []) == [])
            let updated = try #require(try await store.object(id: launcher.id))
            #expect(updated.contents == scripted.loaded(launcher.contents))
            #expect(updated.look == launcher.look)
            #expect(try await count(client, "SELECT count(*) FROM object_contents") == 2)

            // Deleting the object deletes its contents.
            #expect(try await store.flush(region: region, created: [], changed: [], deleted: [launcher.id]) == [])
            #expect(try await store.object(id: launcher.id) == nil)
            #expect(try await count(client, "SELECT count(*) FROM object_contents") == 0)
        }
    }

    @Test("a crossing moves the object's row with its look and its contents as the crossing record has them")
    func moveWithContents() async throws {
        try await withFreshDatabase { client in
            let scripted = try await Scripted.make(client)
            let store = SceneStore(client: client, logger: testLogger)
            let east = try await RegionRegistry(client: client, logger: testLogger)
                .register(name: "East", gridX: 1001, gridY: 1000, address: "127.0.0.1:9001", node: "node-b")
            var crossing = scripted.object("Traveller", contents: scripted.contents())
            #expect(try await store.flush(region: scripted.world.region, created: [crossing], changed: [], deleted: []) == [])
            crossing.contents[0].state = Data([7, 7, 7])
            crossing.contents.remove(at: 2)
            crossing.position = Vector3(2, 20, 22)
            #expect(try await store.move(crossing, from: scripted.world.region, toGridX: 1001, gridY: 1000) == .moved)
            #expect(try await store.load(region: scripted.world.region) == [])
            let arrived = try await store.load(region: east)
            #expect(arrived.map(\.id) == [crossing.id])
            #expect(arrived.first?.contents == scripted.loaded(crossing.contents))
            #expect(arrived.first?.look == crossing.look)
        }
    }

    @Test("a change of an object that left the region (taken, crossed) writes neither the object nor its contents")
    func changeOfAnObjectGone() async throws {
        try await withFreshDatabase { client in
            let scripted = try await Scripted.make(client)
            let store = SceneStore(client: client, logger: testLogger)
            let ghost = scripted.object("Gone", contents: scripted.contents())
            #expect(try await store.flush(region: scripted.world.region, created: [], changed: [ghost], deleted: []) == [])
            #expect(try await store.object(id: ghost.id) == nil)
            #expect(try await count(client, "SELECT count(*) FROM object_contents") == 0)
        }
    }

    @Test("an object with a bad contents item or look is refused alone, with the reason; the others are stored")
    func badItemsRefusedAlone() async throws {
        try await withFreshDatabase { client in
            let scripted = try await Scripted.make(client)
            let store = SceneStore(client: client, logger: testLogger)
            var nulName = scripted.contents()
            nulName[0].name = "Greet\u{0}er"
            var oversize = scripted.contents()
            oversize[0].state = Data(count: PersistedContent.maxStateBytes + 1)
            var twins = scripted.contents()
            twins[1].name = twins[0].name
            var unknownAsset = scripted.contents()
            unknownAsset[0].assetID = Data(repeating: 0xAB, count: 32)
            var badLook = scripted.object("Bad look")
            badLook.look.color.x = 2
            let good = scripted.object("Good", contents: scripted.contents())
            let a = scripted.object("NUL", contents: nulName)
            let b = scripted.object("Oversize", contents: oversize)
            let c = scripted.object("Twins", contents: twins)
            let d = scripted.object("Unknown asset", contents: unknownAsset)
            let e = scripted.object("Too many", contents: (0..<17).map {
                PersistedContent(id: UUID(), name: "s\($0)", kind: .script, assetID: scripted.greeter)
            })
            let refused = try await store.flush(region: scripted.world.region, created: [a, good, b, c, d, e, badLook], changed: [], deleted: [])
            let reasons = Dictionary(uniqueKeysWithValues: refused.map { ($0.id, $0.reason) })
            #expect(Set(reasons.keys) == [a.id, b.id, c.id, d.id, e.id, badLook.id])
            #expect(reasons[a.id] == "content item 0 (\"Greet\\0er\"): name contains U+0000 (NUL), which cannot be stored")
            #expect(reasons[b.id] == "content item 0 (\"Greeter\"): state has 131073 bytes, at most 131072 allowed")
            #expect(reasons[c.id] == "two content items share a name")
            #expect(reasons[d.id]?.hasPrefix("refused by the database") == true, "the foreign key to assets")
            #expect(reasons[e.id] == "holds 17 content items, at most 16 allowed")
            #expect(reasons[badLook.id] == "colour component 2.0 is not in 0…1")
            let loaded = try await store.load(region: scripted.world.region)
            #expect(loaded.map(\.id) == [good.id])
            #expect(loaded.first?.contents == scripted.loaded(good.contents))
        }
    }

    @Test("take keeps the form, look and latest contents in the item; rez gives them back (moved, or copied with new ids and the same states)")
    func takeAndRez() async throws {
        try await withFreshDatabase { client in
            let scripted = try await Scripted.make(client)
            let world = scripted.world, inventory = world.store, ada = world.accounts[0], bob = world.accounts[1]
            let scenes = SceneStore(client: client, logger: testLogger)
            // Rezzed from an item (only those can be taken), then flushed with contents.
            let single = try await world.item(owner: ada, masks: .granting([.transfer, .modify], next: .all), name: "Launcher")
            let rezzed = try await inventory.rez(item: single, owner: ada, region: world.region, position: [10, 20, 30])
            var object = try #require(try await scenes.object(id: rezzed))
            #expect(object.shape == .box && object.scale == Vector3(1, 1, 1) && object.look == .plain && object.contents == [],
                "an item that keeps no form rezzes as a plain 1 m box")
            let flushed = scripted.contents()
            object.contents = flushed
            object.scale = Vector3(0.5, 2, 3)
            #expect(try await scenes.flush(region: world.region, created: [], changed: [object], deleted: []) == [])

            // The region sends newer states and a new look with the take.
            var latest = flushed
            latest[0].state = Data([42, 42, 42])
            latest[1].state = Data([1])
            let look = PersistedLook(color: SIMD4(0.25, 0.5, 0.75, 1), text: "Loaded", textColor: SIMD4(1, 0, 0, 0.5))
            await #expect(throws: InventoryError.notOwner) { try await inventory.take(object: rezzed, by: bob, look: look, contents: latest) }
            var bad = latest
            bad[1].state = Data(count: PersistedContent.maxStateBytes + 1)
            await #expect(throws: InventoryError.notAllowed("the object's content item 1 (\"Counter ✦\"): state has 131073 bytes, at most 131072 allowed")) {
                try await inventory.take(object: rezzed, by: ada, look: look, contents: bad)
            }
            #expect(try await scenes.object(id: rezzed)?.contents == scripted.loaded(flushed), "a refused take changed nothing")

            let item = try await inventory.take(object: rezzed, by: ada, look: look, contents: latest)
            #expect(try await scenes.object(id: rezzed) == nil)
            #expect(try await scenes.contents(ofItem: item) == scripted.loaded(latest), "the item holds the latest contents")

            // A no-copy item moves its contents: same ids and states; the form comes back.
            let again = try await inventory.rez(item: item, owner: ada, region: world.region, position: [1, 2, 3])
            let back = try #require(try await scenes.object(id: again))
            #expect(back.contents == scripted.loaded(latest))
            #expect(back.look == look)
            #expect(back.shape == .box && back.scale == Vector3(0.5, 2, 3) && back.name == "Launcher")
            #expect(back.position == Vector3(1, 2, 3))
            #expect(try await inventory.item(id: item) == nil)
            #expect(try await count(client, "SELECT count(*) FROM object_contents") == 3)

            // A take without the region's latest keeps what was stored; a copyable item's rez
            // copies the contents with new ids and the same states, and the item keeps its own.
            let second = try await inventory.take(object: again, by: ada)
            _ = try await client.query(
                "UPDATE inventory_items SET owner_mask = base_mask WHERE id = \(second)", logger: testLogger)
            let copy = try await inventory.rez(item: second, owner: ada, region: world.region, position: [5, 5, 5])
            let copied = try #require(try await scenes.object(id: copy))
            #expect(copied.contents.map(\.name) == latest.map(\.name))
            #expect(copied.contents.map(\.state) == latest.map(\.state), "a copy keeps the script states")
            #expect(Set(copied.contents.map(\.id)).isDisjoint(with: latest.map(\.id)), "a copy has new item ids")
            #expect(try await scenes.contents(ofItem: second) == scripted.loaded(latest), "the copyable item keeps its contents")
            #expect(try await count(client, "SELECT count(*) FROM object_contents") == 6)

            // Giving the item (copyable) copies its form and contents to the recipient.
            _ = try await client.query(
                "UPDATE inventory_items SET owner_mask = base_mask, next_owner_mask = base_mask WHERE id = \(second)", logger: testLogger)
            let given = try await inventory.give(item: second, from: ada, to: bob)
            #expect(try await scenes.contents(ofItem: given).map(\.state) == latest.map(\.state))
            let bobs = try await inventory.rez(item: given, owner: bob, region: world.region, position: [7, 7, 7])
            #expect(try await scenes.object(id: bobs)?.look == look)
            // Purging an item deletes its contents.
            try await inventory.deleteToTrash(owner: ada, item: second)
            _ = try await inventory.purgeTrash(owner: ada)
            #expect(try await scenes.contents(ofItem: second) == [])
        }
    }
}
