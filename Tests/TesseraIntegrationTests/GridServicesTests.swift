import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Synchronization
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraGrid
import TesseraGridProtocol
import TesseraLocalGrid
import TesseraRegion
import TesseraStorage
import TesseraWire
import TesseraWorld
import TesseraTesting

/// The repository's migrations folder, found from this file's path.
let migrationsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("migrations").path

/// A scenario grid with grid services on a fresh database, and accounts with passwords.
func withGridServices(_ body: (ScenarioGrid, GridOperations) async throws -> Void) async throws {
    let grid = try await ScenarioGrid.start(migrationsDirectory: migrationsDirectory)
    do {
        try await body(grid, try #require(grid.gridServices).operations)
    } catch {
        await grid.stop()
        throw error
    }
    await grid.stop()
}

func makeAccount(_ operations: GridOperations, _ name: String, password: String = "correct horse") async throws -> UUID {
    try await operations.accounts.create(name: name, password: password).id
}

func count(_ client: PostgresClient, _ query: PostgresQuery) async throws -> Int {
    for try await value in try await client.query(query).decode(Int.self) { return value }
    return 0
}

/// The root page and the id of a system folder of the given kind.
func systemFolder(_ client: ScenarioClient, kind: UInt8) async throws -> UUID {
    guard case .page(let root) = try await client.call(.listFolder(folder: nil, start: 0)) else { throw ScenarioError.timedOut("root page") }
    return try #require(root.folders.first { $0.kind == kind }?.id)
}

/// Stores an object asset and makes an item of it in the Objects folder.
func makeObjectItem(_ client: ScenarioClient, name: String, nextOwner: UInt32 = 0x8000 | 0x2000 | 0x4000) async throws -> UUID {
    guard case .asset(let asset) = try await client.call(.storeAsset(type: 6, name: name, data: Data("object \(name)".utf8))) else {
        throw ScenarioError.timedOut("asset")
    }
    let folder = try await systemFolder(client, kind: 2)
    guard case .id(let item) = try await client.call(.createItem(folder: folder, asset: asset, name: name, nextOwner: nextOwner)) else {
        throw ScenarioError.timedOut("item")
    }
    return item
}

func expectRefusal(_ code: ErrorCode, _ body: () async throws -> InventoryAnswer) async {
    do {
        let answer = try await body()
        Issue.record("expected \(code), got \(answer)")
    } catch let status as CallStatus {
        #expect(status.code == code, "\(status)")
        #expect(!status.message.isEmpty)
    } catch {
        Issue.record("expected \(code), got \(error)")
    }
}

@Suite("Grid services through the client manager", .serialized)
struct GridServicesTests {
    @Test("password login gives a session token; wrong password, unknown user and bad tokens are refused")
    func logins() async throws {
        try await withGridServices { grid, operations in
            let ada = try await makeAccount(operations, "Ada")

            let first = try await ScenarioClient.connect(grid.url)
            let welcome = try await first.login("Ada", password: "correct horse")
            #expect(welcome.agentID == ada)
            #expect(welcome.sessionToken.count >= 40)

            for (name, password) in [("Ada", "wrong horse!"), ("Nobody", "correct horse")] {
                let client = try await ScenarioClient.connect(grid.url)
                try await client.send(.login(Login(name: name, password: password)))
                try await client.waitForClose()
                #expect(client.closeCode == 4000 + Int(ErrorCode.badCredentials.rawValue), "\(name)")
                #expect(client.mirror.welcome == nil)
            }

            // The token logs in without the password; the older connection is replaced.
            let again = try await ScenarioClient.connect(grid.url)
            let resumed = try await again.login(Login(name: "ada", credential: .sessionToken(welcome.sessionToken)))
            #expect(resumed.agentID == ada)
            try await first.waitForClose()
            #expect(first.closeCode == 4000 + Int(ErrorCode.loggedInElsewhere.rawValue))

            _ = try await makeAccount(operations, "Bea")
            let impostor = try await ScenarioClient.connect(grid.url)
            try await impostor.send(.login(Login(name: "Bea", credential: .sessionToken(welcome.sessionToken))))
            try await impostor.waitForClose()
            #expect(impostor.closeCode == 4000 + Int(ErrorCode.invalidSession.rawValue))

            // Logout revokes the token.
            try await again.send(.logout)
            try await again.waitForClose()
            try await waitUntilRevoked(welcome.sessionToken, operations)
            let late = try await ScenarioClient.connect(grid.url)
            try await late.send(.login(Login(name: "Ada", credential: .sessionToken(welcome.sessionToken))))
            try await late.waitForClose()
            #expect(late.closeCode == 4000 + Int(ErrorCode.invalidSession.rawValue))
        }
    }

    private func waitUntilRevoked(_ token: String, _ operations: GridOperations) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? await operations.sessions.validate(token)) != nil {
            guard ContinuousClock.now < deadline else { throw ScenarioError.timedOut("token revocation") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("folders and items through the client protocol; bad input gets a clear code and changes nothing")
    func inventory() async throws {
        try await withGridServices { grid, operations in
            _ = try await makeAccount(operations, "Ada")
            let bea = try await makeAccount(operations, "Bea")
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada", password: "correct horse")

            guard case .page(let root) = try await ada.call(.listFolder(folder: nil, start: 0)) else { throw ScenarioError.timedOut("root") }
            #expect(Set(root.folders.map(\.kind)) == [2, 3, 4, 5, 6, 7])
            #expect(root.total == UInt32(root.folders.count) && root.items.isEmpty)

            guard case .id(let boxes) = try await ada.call(.createFolder(parent: root.folder, name: "Boxes")) else { throw ScenarioError.timedOut("folder") }
            guard case .id(let inner) = try await ada.call(.createFolder(parent: boxes, name: "Inner")) else { throw ScenarioError.timedOut("folder") }
            #expect(try await ada.call(.renameFolder(boxes, name: "Crates")) == .done)
            await expectRefusal(.wouldCreateCycle) { try await ada.call(.moveFolder(boxes, to: inner)) }
            await expectRefusal(.wouldCreateCycle) { try await ada.call(.moveFolder(boxes, to: boxes)) }
            await expectRefusal(.unknownFolder) { try await ada.call(.createFolder(parent: UUID(), name: "Nowhere")) }
            await expectRefusal(.invalidName) { try await ada.call(.createFolder(parent: boxes, name: "   ")) }
            await expectRefusal(.systemFolder) { try await ada.call(.renameFolder(root.folder, name: "Mine")) }
            await expectRefusal(.unknownAsset) {
                try await ada.call(.createItem(folder: boxes, asset: AssetID(Data(count: 32))!, name: "Ghost", nextOwner: 0))
            }

            let crate = try await makeObjectItem(ada, name: "Crate")
            #expect(try await ada.call(.moveItem(crate, to: boxes)) == .done)
            guard case .page(let page) = try await ada.call(.listFolder(folder: boxes, start: 0)) else { throw ScenarioError.timedOut("page") }
            #expect(page.folders.map(\.name) == ["Inner"])
            #expect(page.items.map(\.name) == ["Crate"])
            #expect(page.items.first?.owner == 0x7FFF_FFFF)

            await expectRefusal(.unknownAvatar) { try await ada.call(.give(crate, to: "Nobody Here")) }
            guard case .id(let given) = try await ada.call(.give(crate, to: "Bea")) else { throw ScenarioError.timedOut("give") }
            let beaItem = try #require(try await operations.inventory.item(id: given))
            #expect(beaItem.ownerID == bea)
            #expect(beaItem.masks.owner.rawValue == 0x8000 | 0x2000 | 0x4000, "next-owner permissions applied")
            #expect(try await operations.inventory.item(id: crate) != nil, "a copyable give leaves the original")
            // Someone else's item cannot be touched.
            await expectRefusal(.notAllowed) { try await ada.call(.renameItem(given, name: "Mine now")) }

            // Delete to trash, then purge.
            #expect(try await ada.call(.deleteFolder(boxes)) == .done)
            guard case .count(let purged) = try await ada.call(.purgeTrash) else { throw ScenarioError.timedOut("purge") }
            #expect(purged == 1)
            #expect(try await operations.inventory.item(id: crate) == nil)

            // Assets come back in chunks with their metadata.
            let big = Data((0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            guard case .asset(let bigID) = try await ada.call(.storeAsset(type: 0, name: "Big texture", data: Data(big.prefix(60_000)))) else {
                throw ScenarioError.timedOut("asset")
            }
            guard case .assetChunk(let chunk) = try await ada.call(.fetchAsset(bigID, offset: 50_000, length: 100_000)) else {
                throw ScenarioError.timedOut("chunk")
            }
            #expect(chunk.totalSize == 60_000 && chunk.offset == 50_000 && chunk.data == big.subdata(in: 50_000..<60_000))
            #expect(chunk.name == "Big texture" && chunk.type == 0)
            await expectRefusal(.unknownAsset) { try await ada.call(.fetchAsset(AssetID(Data(count: 32))!, offset: 0, length: 10)) }
            await expectRefusal(.invalidValue) { try await ada.call(.storeAsset(type: 999, name: "odd", data: Data([1]))) }
            #expect(ada.violations.isEmpty, "\(ada.violations)")
        }
    }

    @Test("rez puts an item into the world and take brings it back, each in one transaction")
    func rezAndTake() async throws {
        try await withGridServices { grid, operations in
            _ = try await makeAccount(operations, "Ada")
            _ = try await makeAccount(operations, "Bea")
            let ada = try await ScenarioClient.connect(grid.url)
            let bea = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada", password: "correct horse")
            try await bea.login("Bea", password: "correct horse")
            let client = try #require(grid.databaseClient)

            // A no-copy item leaves the inventory when rezzed.
            let crate = try await makeObjectItem(ada, name: "Crate")
            try await operations.inventory.client.query("UPDATE inventory_items SET owner_mask = \(Int32(0x2000 | 0x4000)) WHERE id = \(crate)")
            guard case .rezzed(let object, let localID) = try await ada.call(.rez(crate, at: Vector3(130, 128, 22))) else {
                throw ScenarioError.timedOut("rez")
            }
            #expect(try await operations.inventory.item(id: crate) == nil)
            #expect(try await count(client, "SELECT count(*) FROM scene_objects WHERE id = \(object)") == 1)
            try await bea.waitFor("the crate in Bea's view") { $0.entities[localID]?.name == "Crate" }

            await expectRefusal(.notAllowed) { try await bea.call(.take(localID)) }
            await expectRefusal(.unknownEntity) { try await ada.call(.take(99_999)) }
            await expectRefusal(.unknownItem) { try await ada.call(.rez(UUID(), at: Vector3(130, 128, 22))) }
            await expectRefusal(.invalidValue) { try await ada.call(.rez(UUID(), at: Vector3(300, 128, 22))) }

            // A rez asked again with the same object id (after a timeout) answers with the same
            // object and rezzes nothing more.
            let region = try await operations.regions.locate(name: "Scenario Region").id
            let again = await operations.perform(
                .rez(account: try #require(ada.mirror.welcome?.agentID), item: crate, region: region, object: object, position: Vector3(1, 1, 1)),
                for: .region)
            guard case .success(.sceneObject(let replayed)) = again else { throw ScenarioError.timedOut("replayed rez: \(again)") }
            #expect(replayed.id == object && replayed.position == Vector3(130, 128, 22))
            #expect(try await count(client, "SELECT count(*) FROM scene_objects") == 1)

            guard case .id(let item) = try await ada.call(.take(localID)) else { throw ScenarioError.timedOut("take") }
            try await bea.waitFor("the crate gone from Bea's view") { $0.entities[localID] == nil }
            #expect(try await count(client, "SELECT count(*) FROM scene_objects WHERE id = \(object)") == 0)
            let taken = try #require(try await operations.inventory.item(id: item))
            let objectsFolder = try await systemFolder(ada, kind: 2)
            #expect(taken.name == "Crate" && taken.folderID == objectsFolder)
            #expect(ada.violations.isEmpty && bea.violations.isEmpty)
        }
    }

    @Test("a region's objects are flushed on a cadence and restored when its node restarts")
    func scenePersistence() async throws {
        try await withGridServices { grid, operations in
            _ = try await makeAccount(operations, "Ada")
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada", password: "correct horse")
            let client = try #require(grid.databaseClient)

            try await ada.send(.createObject(CreateObject(
                requestID: 7, shape: .sphere, position: Vector3(120, 120, 25), rotation: .identity,
                scale: Vector3(2, 2, 2), name: "Built Ball", physical: true)))
            let item = try await makeObjectItem(ada, name: "Rezzed Crate")
            guard case .rezzed(_, _) = try await ada.call(.rez(item, at: Vector3(125, 125, 22))) else { throw ScenarioError.timedOut("rez") }
            // The built object reaches storage with the next flush (every 0.5 s here).
            let deadline = ContinuousClock.now + .seconds(30)
            while try await count(client, "SELECT count(*) FROM scene_objects") < 2 {
                guard ContinuousClock.now < deadline else { throw ScenarioError.timedOut("flush") }
                try await Task.sleep(for: .milliseconds(50))
            }

            try await grid.restartRegionNode()
            // The client manager reconnects to the restarted node with a short backoff.
            let reconnect = ContinuousClock.now + .seconds(30)
            while grid.clientManager.routes.route(named: "Scenario Region") == nil {
                guard ContinuousClock.now < reconnect else { throw ScenarioError.timedOut("reconnection") }
                try await Task.sleep(for: .milliseconds(20))
            }
            let back = try await ScenarioClient.connect(grid.url)
            try await back.login("Ada", password: "correct horse", timeout: .seconds(20))
            try await back.waitFor(timeout: .seconds(30), "both objects restored") { mirror in
                Set(mirror.entities.values.filter { $0.kind == .object }.map(\.name)) == ["Built Ball", "Rezzed Crate"]
            }
            let ball = try #require(back.mirror.entities.values.first { $0.name == "Built Ball" })
            #expect(abs(ball.motion.position.position.x - 120) < 0.01)
            #expect(try await count(client, "SELECT count(*) FROM regions WHERE online") == 1)
            let restored = try #require(try await grid.runner("Scenario Region")?.inspect { $0.objectStates() })
            #expect(restored.first { $0.name == "Built Ball" }?.physical == true, "physical again after the restart: \(restored)")
            #expect(restored.first { $0.name == "Rezzed Crate" }?.physical == false)
        }
    }

    @Test("operator tools get bot sessions; bot accounts cannot log in with a password")
    func botSessions() async throws {
        try await withGridServices { grid, operations in
            let outcome = await operations.perform(.botSessions(prefix: "Load", count: 3), for: .tool)
            guard case .success(.sessions(let grants)) = outcome else { throw ScenarioError.timedOut("sessions: \(outcome)") }
            #expect(grants.map(\.name) == ["Load 1", "Load 2", "Load 3"])
            guard case .failure(let refused) = await operations.perform(.botSessions(prefix: "Load", count: 1), for: .clientManager) else {
                throw ScenarioError.timedOut("refusal")
            }
            #expect(refused.code == .notAllowed)

            let bot = try await ScenarioClient.connect(grid.url)
            let welcome = try await bot.login(Login(name: "Load 2", credential: .sessionToken(grants[1].token)))
            #expect(welcome.agentID == grants[1].account)
            let guesser = try await ScenarioClient.connect(grid.url)
            try await guesser.send(.login(Login(name: "Load 1", password: "")))
            try await guesser.waitForClose()
            #expect(guesser.closeCode == 4000 + Int(ErrorCode.badCredentials.rawValue))

            let swarm = BotSwarm(
                settings: .init(url: grid.url, count: 3, duration: .seconds(1), connectRate: 50, namePrefix: "Load"),
                group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
            var settings = swarm.settings
            settings.accounts = grants.map { BotAccount(name: $0.name, credential: .sessionToken($0.token)) }
            let summary = await BotSwarm(settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test")).run()
            #expect(summary.connected == 3 && summary.failed == 0 && summary.errors == 0, "\(summary.errorSamples)")
        }
    }

    @Test("the inventory demo: accounts made as `tessera user create` makes them, give, rez and take")
    func inventoryDemo() async throws {
        try await withGridServices { grid, operations in
            _ = try await makeAccount(operations, "Ada", password: "ada's password")
            _ = try await makeAccount(operations, "Bea", password: "bea's password")
            let lines = Mutex<[String]>([])
            try await InventoryDemo(
                url: grid.url, giver: .init(name: "Ada", password: "ada's password"), taker: .init(name: "Bea", password: "bea's password"),
                output: { line in lines.withLock { $0.append(line) } }
            ).run()
            let printed = lines.withLock { $0 }
            #expect(printed.count == 4, "\(printed)")
            #expect(printed.last?.contains("took the crate back") == true)
            let client = try #require(grid.databaseClient)
            #expect(try await count(client, "SELECT count(*) FROM scene_objects") == 0, "the crate left the world")
            #expect(try await count(client, "SELECT count(*) FROM inventory_items WHERE name = 'Demo Crate'") == 3, "original, copy given, taken back")

            await #expect {
                try await InventoryDemo(
                    url: grid.url, giver: .init(name: "Ada", password: "not it"), taker: .init(name: "Bea", password: "bea's password"),
                    output: { _ in }
                ).run()
            } throws: { error in
                "\(error)".contains("unknown name or wrong password")
            }
        }
    }

    @Test("a region's grid position cannot be taken by another live node")
    func registry() async throws {
        try await withGridServices { grid, operations in
            let location = try await operations.regions.locate(name: "Scenario Region")
            #expect(location.address.hasSuffix(":\(grid.config.regionNodes[0].port)"))
            var config = grid.config
            config.regionNodes[0].name = "intruder-node"
            config.regionNodes[0].port = 0
            let intruder = RegionNode(
                settings: .init(config: config.regionNodes[0], grid: config), group: MultiThreadedEventLoopGroup.singleton,
                logger: Logger(label: "test"))
            await #expect {
                try await intruder.start()
            } throws: { error in
                "\(error)".contains("already served by a live region")
            }
            await intruder.shutdown()
        }
    }
}
