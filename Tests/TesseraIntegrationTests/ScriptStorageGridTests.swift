import Foundation
import Logging
import PostgresNIO
import Testing
import TesseraGrid
import TesseraGridProtocol
import TesseraStorage
import TesseraTesting
import TesseraWire
import TesseraWorld

/// The grid calls of scripted objects (storeScript, scriptItem, take with contents, rez and
/// loadScene answering contents with sources), performed by `GridOperations` on a fresh
/// database, as the grid services perform a region's calls.
@Suite("Scripts and object contents through the grid calls")
struct ScriptStorageGridTests {
    struct Fixture {
        let operations: GridOperations
        let ada: UUID
        let bob: UUID
        let region: UUID

        func call(_ call: GridCall, as role: WireRole = .region) async -> Result<GridAnswer, CallStatus> {
            await operations.perform(call, for: role)
        }

        func refusal(_ call: GridCall, as role: WireRole = .region) async -> CallStatus? {
            if case .failure(let status) = await self.call(call, as: role) { return status }
            Issue.record("\(call.code) was not refused")
            return nil
        }

        func storeScript(_ name: String, _ source: String, by account: UUID? = nil) async throws -> AssetID {
            guard case .success(.asset(let asset)) = await call(.storeScript(account: account ?? ada, name: name, source: source)) else {
                throw CallStatus(.serviceUnavailable, "storeScript failed")
            }
            return asset
        }

        func item(_ owner: UUID, asset: AssetID, type: Int16, name: String, masks: PermissionMasks = .full) async throws -> UUID {
            let root = try #require(try await operations.inventory.folders(owner: owner).first { $0.kind == .root }).id
            return try await operations.inventory.createItem(owner: owner, folder: root, assetID: asset.bytes, type: type, name: name, masks: masks)
        }
    }

    static func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        var logger = Logger(label: "tessera.script-storage-test")
        logger.logLevel = .critical
        let settings = try await TestDatabases.fresh(migrationsDirectory: migrationsDirectory, logger: logger)
        try await withDatabase(settings, logger: logger) { client in
            let operations = GridOperations(client: client, logger: logger, hasher: PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1))
            let ada = try await operations.accounts.create(name: "Ada Scripter", password: "ada password").id
            let bob = try await operations.accounts.create(name: "Bob Other", password: "bob password").id
            try await operations.inventory.createInventory(for: ada)
            try await operations.inventory.createInventory(for: bob)
            let region = try await operations.regions.register(name: "Scripts", gridX: 1000, gridY: 1000, address: "127.0.0.1:9100", node: "n1")
            try await body(Fixture(operations: operations, ada: ada, bob: bob, region: region))
        }
    }

    static let greeter = "default { touch_start(integer n) { llSay(0, \"Hello, \" + llDetectedName(0)); } }"
    static let counter = "integer n; default { state_entry() { llSetTimerEvent(1); } timer() { ++n; } }"

    @Test("storeScript stores LSL text as a type-10 asset whose id is the SHA-256 of the source; the same source gives the same id")
    func storeScript() async throws {
        try await Self.withFixture { fixture in
            let first = try await fixture.storeScript("Greeter", Self.greeter)
            let second = try await fixture.storeScript("Another name", Self.greeter, by: fixture.bob)
            #expect(first == second)
            #expect(first.bytes == AssetStore.id(of: Data(Self.greeter.utf8)))
            let info = try #require(try await fixture.operations.assets.info(id: first.bytes))
            #expect(info.type == 10 && info.name == "Greeter" && info.creatorID == fixture.ada, "the first store's name and creator stay")
            #expect(try await fixture.storeScript("Counter", Self.counter) != first)

            #expect(await fixture.refusal(.storeScript(account: fixture.ada, name: "x", source: "y"), as: .clientManager)?.code == .notAllowed)
            #expect(await fixture.refusal(.storeScript(account: UUID(), name: "x", source: "y"))?.code == .unknownAvatar)
            let bad = await fixture.refusal(.storeScript(account: fixture.ada, name: "bad\u{0}", source: "y"))
            #expect(bad?.code == .invalidName)
            let long = await fixture.refusal(
                .storeScript(account: fixture.ada, name: "long", source: String(repeating: "a", count: ContentItem.maxSourceBytes + 1)))
            #expect(long == CallStatus(.invalidValue, "a script's source has at most 65536 bytes; this one has 65537"))
        }
    }

    @Test("scriptItem answers a copyable script of the caller's inventory with its source, and refuses any other item clearly")
    func scriptItem() async throws {
        try await Self.withFixture { fixture in
            let asset = try await fixture.storeScript("Greeter", Self.greeter)
            let item = try await fixture.item(fixture.ada, asset: asset, type: 10, name: "My greeter")
            let answer = await fixture.call(.scriptItem(account: fixture.ada, item: item))
            #expect(answer == .success(.scriptItem(ScriptItem(name: "My greeter", asset: asset, source: Self.greeter))))

            #expect(await fixture.refusal(.scriptItem(account: fixture.bob, item: item))
                == CallStatus(.notAllowed, "item \(item) is not in your inventory"))
            let object = try await fixture.operations.assets.store(data: Data("a box".utf8), type: 6, name: "box", creator: fixture.ada)
            let box = try await fixture.item(fixture.ada, asset: try #require(AssetID(object)), type: 6, name: "Box")
            #expect(await fixture.refusal(.scriptItem(account: fixture.ada, item: box))
                == CallStatus(.notAllowed, "item \"Box\" is not a script (asset type 6, scripts are 10)"))
            let fixed = try await fixture.item(
                fixture.ada, asset: asset, type: 10, name: "No copy", masks: PermissionMasks(base: .all, owner: [.transfer, .modify], nextOwner: .all))
            #expect(await fixture.refusal(.scriptItem(account: fixture.ada, item: fixed))
                == CallStatus(.notAllowed, "script \"No copy\" is not copyable, so it cannot be added to an object"))
            #expect(await fixture.refusal(.scriptItem(account: fixture.ada, item: UUID()))?.code == .unknownItem)
            #expect(await fixture.refusal(.scriptItem(account: fixture.ada, item: item), as: .clientManager)?.code == .notAllowed)
            #expect(await fixture.refusal(.scriptItem(account: fixture.ada, item: item), as: .scripts)?.code == .notAllowed)
        }
    }

    @Test("a scripted object flushed, taken with its latest states and look, and rezzed again has them; loadScene answers them with sources")
    func takeAndRezThroughTheGrid() async throws {
        try await Self.withFixture { fixture in
            let greeterAsset = try await fixture.storeScript("Greeter", Self.greeter)
            let counterAsset = try await fixture.storeScript("Counter", Self.counter)
            let objectAsset = try #require(AssetID(
                try await fixture.operations.assets.store(data: Data("launcher".utf8), type: 6, name: "Launcher", creator: fixture.ada)))
            let item = try await fixture.item(
                fixture.ada, asset: objectAsset, type: 6, name: "Launcher", masks: PermissionMasks(base: .all, owner: [.transfer, .modify], nextOwner: .all))
            let objectID = UUID()
            guard case .success(.sceneObject(var record)) = await fixture.call(
                .rez(account: fixture.ada, item: item, region: fixture.region, object: objectID, position: Vector3(10, 20, 30)))
            else { Issue.record("rez failed"); return }
            #expect(record.contents == [] && record.look == .plain)

            let ball = ObjectTemplate(
                name: "Ball", shape: .sphere, scale: Vector3(0.3, 0.3, 0.3), physical: true, reportsCollisions: true,
                contents: [ContentItem(id: UUID(), name: "Bounce", kind: .script, asset: counterAsset, source: Self.counter)])
            record.contents = [
                ContentItem(id: UUID(), name: "Greeter", kind: .script, asset: greeterAsset, source: Self.greeter, state: [1, 2, 3]),
                ContentItem(id: UUID(), name: "Counter", kind: .script, asset: counterAsset, source: Self.counter, running: false),
                ContentItem(id: UUID(), name: "Ball", kind: .object, asset: ContentItem.noAsset, template: ball),
            ]
            record.look.text = "Flushed"
            #expect(await fixture.call(.flushScene(region: fixture.region, created: [], changed: [record], deleted: [])) == .success(.done))
            #expect(await fixture.call(.loadScene(region: fixture.region)) == .success(.scene([record])), "sources joined from the assets")

            var latest = record.contents
            latest[0].state = [9, 8, 7]
            latest[1].state = Array(repeating: 5, count: ContentItem.maxStateBytes)
            let look = ObjectLook(color: Vector3(1, 0, 0), alpha: 0.5, text: "Taken", textColor: Vector3(0, 0, 1), textAlpha: 1)
            #expect(await fixture.refusal(.take(account: fixture.bob, object: objectID, look: look, contents: latest))?.code == .notAllowed)
            guard case .success(.item(let taken)) = await fixture.call(.take(account: fixture.ada, object: objectID, look: look, contents: latest))
            else { Issue.record("take failed"); return }
            #expect(await fixture.call(.loadScene(region: fixture.region)) == .success(.scene([])))

            let again = UUID()
            guard case .success(.sceneObject(let rezzed)) = await fixture.call(
                .rez(account: fixture.ada, item: taken, region: fixture.region, object: again, position: Vector3(5, 6, 7)))
            else { Issue.record("rez failed"); return }
            #expect(rezzed.contents == latest, "the same items, states, sources and template")
            #expect(rezzed.look == look)
            #expect(rezzed.name == "Launcher" && rezzed.position == Vector3(5, 6, 7))
            // Asked again (a timeout): the same object, contents and all.
            #expect(await fixture.call(.rez(account: fixture.ada, item: taken, region: fixture.region, object: again, position: .zero))
                == .success(.sceneObject(rezzed)))
            #expect(await fixture.call(.take(account: fixture.ada, object: again, look: nil, contents: nil), as: .clientManager)
                == .failure(CallStatus(.notAllowed, "a client-manager may not call take")))
        }
    }
}
