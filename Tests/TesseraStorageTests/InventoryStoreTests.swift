import Foundation
import PostgresNIO
import Testing
@testable import TesseraStorage

@Suite("Inventory store against a real PostgreSQL")
struct InventoryStoreTests {
    @Test("createInventory makes a root and the system folders; a second call changes nothing")
    func createInventory() async throws {
        try await withFreshDatabase { client in
            let store = InventoryStore(client: client, logger: testLogger)
            let ada = try await makeAccount(client, "Ada")
            let root = try await store.createInventory(for: ada)
            let first = try await store.folders(owner: ada)
            #expect(first.count == 1 + FolderKind.systemFolders.count)
            #expect(first.filter { $0.kind == .root }.map(\.id) == [root])
            #expect(first.first { $0.kind == .root }?.parentID == nil)
            #expect(Set(first.filter { $0.kind != .root }.map(\.kind)) == Set(FolderKind.systemFolders))
            #expect(first.filter { $0.kind != .root }.allSatisfy { $0.parentID == root })
            #expect(first.first { $0.kind == .trash }?.name == "Trash")
            let again = try await store.createInventory(for: ada)
            #expect(again == root)
            #expect(try await store.folders(owner: ada) == first)
            await #expect(throws: InventoryError.unknownAccount) { try await store.createInventory(for: UUID()) }
        }
    }

    @Test("a folder cannot move into itself or a descendant; system folders are fixed")
    func folderCycles() async throws {
        try await withFreshDatabase { client in
            let world = try await InventoryWorld.make(client, accounts: 1)
            let store = world.store, ada = world.accounts[0]
            let root = try await world.root(ada)
            let a = try await store.createFolder(owner: ada, parent: root, name: "A")
            let b = try await store.createFolder(owner: ada, parent: a, name: "B")
            let c = try await store.createFolder(owner: ada, parent: b, name: "C")
            let before = try await store.folders(owner: ada)
            await #expect(throws: InventoryError.wouldCreateCycle) { try await store.moveFolder(owner: ada, folder: a, to: a) }
            await #expect(throws: InventoryError.wouldCreateCycle) { try await store.moveFolder(owner: ada, folder: a, to: c) }
            await #expect(throws: InventoryError.wouldCreateCycle) { try await store.moveFolder(owner: ada, folder: b, to: c) }
            #expect(try await store.folders(owner: ada) == before, "tree unchanged")

            let trash = try await world.folder(ada, .trash)
            await #expect(throws: InventoryError.systemFolderImmutable) { try await store.moveFolder(owner: ada, folder: trash, to: a) }
            await #expect(throws: InventoryError.systemFolderImmutable) { try await store.renameFolder(owner: ada, folder: trash, name: "Bin") }
            await #expect(throws: InventoryError.systemFolderImmutable) { try await store.renameFolder(owner: ada, folder: root, name: "Mine") }
            await #expect(throws: InventoryError.systemFolderImmutable) { try await store.deleteToTrash(owner: ada, folder: trash) }
            await #expect(throws: InventoryError.invalidName) { try await store.renameFolder(owner: ada, folder: a, name: "  ") }
            #expect(try await store.folders(owner: ada) == before, "tree unchanged")

            try await store.moveFolder(owner: ada, folder: c, to: root)
            try await store.renameFolder(owner: ada, folder: c, name: "Sea")
            let moved = try await store.folders(owner: ada).first { $0.id == c }
            #expect(moved?.parentID == root)
            #expect(moved?.name == "Sea")
        }
    }

    @Test("another avatar cannot touch my folders or items")
    func foreignAccess() async throws {
        try await withFreshDatabase { client in
            let world = try await InventoryWorld.make(client)
            let (ada, bob) = (world.accounts[0], world.accounts[1])
            let item = try await world.item(owner: ada, masks: .full)
            let adaRoot = try await world.root(ada)
            await #expect(throws: InventoryError.unknownFolder) { try await world.store.createFolder(owner: bob, parent: adaRoot, name: "x") }
            await #expect(throws: InventoryError.notOwner) { try await world.store.renameItem(owner: bob, item: item, name: "mine") }
            await #expect(throws: InventoryError.notOwner) { try await world.store.give(item: item, from: bob, to: ada) }
            await #expect(throws: InventoryError.unknownItem) { try await world.store.moveItem(owner: ada, item: UUID(), to: adaRoot) }
            #expect(try await world.store.item(id: item)?.ownerID == ada)
        }
    }

    @Test("delete to trash and purge")
    func trash() async throws {
        try await withFreshDatabase { client in
            let world = try await InventoryWorld.make(client, accounts: 1)
            let store = world.store, ada = world.accounts[0]
            let root = try await world.root(ada)
            let box = try await store.createFolder(owner: ada, parent: root, name: "Box")
            let inner = try await store.createItem(owner: ada, folder: box, assetID: world.assetID, type: 6, name: "inner", masks: .full)
            let loose = try await world.item(owner: ada, masks: .full)
            let kept = try await world.item(owner: ada, masks: .full)
            try await store.deleteToTrash(owner: ada, folder: box)
            try await store.deleteToTrash(owner: ada, item: loose)
            #expect(try await store.item(id: loose)?.folderID == world.folder(ada, .trash))
            #expect(try await store.purgeTrash(owner: ada) == 2)
            #expect(try await store.item(id: inner) == nil)
            #expect(try await store.items(owner: ada).map(\.id) == [kept])
            #expect(try await store.folders(owner: ada).count == 1 + FolderKind.systemFolders.count)
            #expect(try await store.purgeTrash(owner: ada) == 0)
        }
    }

    @Test("give: copy keeps the original, no-copy moves it; next-owner masks applied")
    func give() async throws {
        try await withFreshDatabase { client in
            let world = try await InventoryWorld.make(client)
            let store = world.store, (ada, bob) = (world.accounts[0], world.accounts[1])
            let copyable = try await world.item(owner: ada, masks: .granting([.transfer, .copy, .modify], next: [.transfer, .copy]))
            let gift = try await store.give(item: copyable, from: ada, to: bob)
            #expect(try await store.item(id: copyable)?.ownerID == ada, "giver keeps a copyable item")
            let copy = try #require(try await store.item(id: gift))
            #expect(copy.ownerID == bob)
            #expect(copy.folderID == (try await world.root(bob)))
            #expect(copy.masks.owner == [.transfer, .copy])
            #expect(copy.masks.base == [.transfer, .copy])

            let single = try await world.item(owner: ada, masks: .granting([.transfer, .modify, .move], next: [.modify]))
            let moved = try await store.give(item: single, from: ada, to: bob)
            #expect(try await store.item(id: single) == nil, "no-copy item leaves the giver")
            let received = try #require(try await store.item(id: moved))
            #expect(received.ownerID == bob)
            #expect(received.masks.owner == [.modify])
            #expect(received.masks.base == [.modify])
            await #expect(throws: InventoryError.notAllowed("the item is not transferable")) {
                try await store.give(item: moved, from: bob, to: ada)
            }

            let fixed = try await world.item(owner: ada, masks: .granting([.copy, .modify], next: .all))
            await #expect(throws: InventoryError.notAllowed("the item is not transferable")) { try await store.give(item: fixed, from: ada, to: bob) }
            let itemsBefore = try await count(client, "SELECT count(*) FROM inventory_items")
            await #expect(throws: InventoryError.unknownAccount) { try await store.give(item: single, from: ada, to: UUID()) }
            let loose = try await world.item(owner: ada, masks: .granting([.transfer], next: .all))
            await #expect(throws: InventoryError.unknownAccount) { try await store.give(item: loose, from: ada, to: UUID()) }
            #expect(try await store.item(id: loose)?.ownerID == ada, "unknown recipient: nothing changed")
            #expect(try await count(client, "SELECT count(*) FROM inventory_items") == itemsBefore + 1)
        }
    }

    @Test("rez and take move rows between inventory and the scene")
    func rezAndTake() async throws {
        try await withFreshDatabase { client in
            let world = try await InventoryWorld.make(client)
            let store = world.store, (ada, bob) = (world.accounts[0], world.accounts[1])
            let single = try await world.item(owner: ada, masks: .granting([.transfer, .modify], next: .all), name: "statue")
            let object = try await store.rez(item: single, owner: ada, region: world.region, position: [10, 20, 30])
            #expect(try await store.item(id: single) == nil, "no-copy item left the inventory")
            #expect(try await count(client, "SELECT count(*) FROM scene_objects") == 1)
            #expect(try await count(client, "SELECT count(*) FROM scene_objects WHERE id = \(object) AND owner_id = \(ada) AND position = ARRAY[10,20,30]::real[]") == 1)

            let copyable = try await world.item(owner: ada, masks: .full, name: "brick")
            let brick = try await store.rez(item: copyable, owner: ada, region: world.region, position: [1, 2, 3])
            #expect(try await store.item(id: copyable)?.ownerID == ada, "copyable item stays")
            #expect(try await count(client, "SELECT count(*) FROM scene_objects") == 2)
            await #expect(throws: InventoryError.unknownRegion) { try await store.rez(item: copyable, owner: ada, region: UUID(), position: .zero) }

            await #expect(throws: InventoryError.notOwner) { try await store.take(object: object, by: bob) }
            let taken = try await store.take(object: object, by: ada)
            #expect(try await count(client, "SELECT count(*) FROM scene_objects WHERE id = \(object)") == 0)
            let back = try #require(try await store.item(id: taken))
            #expect(back.folderID == (try await world.folder(ada, .objects)))
            #expect(back.name == "statue")
            #expect(back.masks.owner == [.transfer, .modify])
            await #expect(throws: InventoryError.unknownObject) { try await store.take(object: object, by: ada) }
            #expect(try await count(client, "SELECT count(*) FROM scene_objects WHERE id = \(brick)") == 1)
        }
    }

    @Test("region positions cannot be taken twice; assets are content-addressed and limited")
    func regionsAndAssets() async throws {
        try await withFreshDatabase { client in
            let regions = RegionRegistry(client: client, logger: testLogger)
            let a = try await regions.register(name: "A", gridX: 1, gridY: 1, address: "h:1", node: "n")
            await #expect(throws: RegionRegistryError.positionTaken(x: 1, y: 1)) {
                try await regions.register(name: "B", gridX: 1, gridY: 1, address: "h:2", node: "n")
            }
            await #expect(throws: RegionRegistryError.positionTaken(x: 1, y: 1)) {
                try await regions.register(name: "A", gridX: 1, gridY: 1, address: "h:9", node: "other")
            }
            await #expect(throws: RegionRegistryError.nameTaken("A")) {
                try await regions.register(name: "A", gridX: 2, gridY: 2, address: "h:9", node: "n")
            }
            // Stopping keeps the row (and the region's objects) for the same region's restart,
            // which gets its id back; another region still cannot take the position.
            #expect(try await regions.deregister(id: a))
            #expect(try await regions.register(name: "A", gridX: 1, gridY: 1, address: "h:3", node: "n") == a)
            #expect(try await regions.locate(name: "A").address == "h:3")
            #expect(try await regions.deregister(id: a))
            await #expect(throws: RegionRegistryError.unknownRegion("A")) { try await regions.locate(name: "A") }
            await #expect(throws: RegionRegistryError.positionTaken(x: 1, y: 1)) {
                try await regions.register(name: "B", gridX: 1, gridY: 1, address: "h:2", node: "n")
            }
            #expect(try await regions.remove(id: a))
            let b = try await regions.register(name: "B", gridX: 1, gridY: 1, address: "h:2", node: "n")
            #expect(try await regions.locate(name: "").id == b)

            let assets = AssetStore(client: client, logger: testLogger)
            let data = Data("hello".utf8)
            let id = try await assets.store(data: data, type: 7, name: "note", creator: nil)
            #expect(try await assets.store(data: data, type: 7, name: "note again", creator: nil) == id)
            #expect(id == AssetStore.id(of: data) && id.count == 32)
            #expect(try await count(client, "SELECT count(*) FROM assets") == 1)
            #expect(try await assets.fetch(id: id)?.data == data)
            #expect(try await assets.fetch(id: Data(count: 32)) == nil)
            await #expect(throws: AssetError.tooLarge(AssetStore.maximumSize + 1)) {
                try await assets.store(data: Data(count: AssetStore.maximumSize + 1), type: 0, name: "big", creator: nil)
            }
            await #expect(throws: AssetError.unknownType(99)) { try await assets.store(data: data, type: 99, name: "x", creator: nil) }
        }
    }
}
