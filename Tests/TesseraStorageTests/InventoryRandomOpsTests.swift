import Foundation
import PostgresNIO
import Synchronization
import Testing
import TesseraWorld
@testable import TesseraStorage

/// What the test believes about the world; guesses may be stale under concurrency, which only
/// makes operations fail. The counters change only on successful operations.
private struct Model {
    var items: [UUID: (owner: UUID, copy: Bool)] = [:]
    var objects: [UUID: (owner: UUID, copy: Bool)] = [:]
    var trashed: Set<UUID> = []
    var folders: [UUID: [UUID]] = [:]
    var created = 0, purged = 0, copies = 0
    var succeeded: [String: Int] = [:]
    var unexpected: [String] = []
}

@Suite("Inventory store: random concurrent operations")
struct InventoryRandomOpsTests {
    static let operations = 10_000
    static let clients = 20

    @Test("20 concurrent clients, 10,000 random operations: every invariant holds")
    func randomOperations() async throws {
        try await withFreshDatabase { client in
            let world = try await InventoryWorld.make(client, accounts: 5)
            let store = world.store
            var model = Model()
            // Copy-ness is kept along an item's lineage: next-owner masks keep the copy bit as it is.
            let kinds: [(PermissionMasks, Bool)] = [
                (.granting([.transfer, .copy, .modify], next: [.transfer, .copy, .modify]), true),
                (.granting([.transfer, .modify], next: [.transfer, .modify]), false),
                (.granting([.transfer, .copy], next: [.copy]), true),
                (.granting([.transfer], next: [.modify]), false),
                (.granting([.copy, .modify], next: .all), true),
            ]
            for account in world.accounts {
                let root = try await world.root(account)
                var folders = [root, try await world.folder(account, .objects), try await world.folder(account, .trash)]
                for index in 0..<4 { folders.append(try await store.createFolder(owner: account, parent: root, name: "F\(index)")) }
                model.folders[account] = folders
                for index in 0..<8 {
                    let (masks, copy) = kinds[index % kinds.count]
                    let item = try await world.item(owner: account, masks: masks, name: "item \(index)")
                    model.items[item] = (account, copy)
                    model.created += 1
                }
            }
            let shared = Locked(model)
            let perClient = Self.operations / Self.clients
            let started = ContinuousClock.now
            await withTaskGroup(of: Void.self) { group in
                for clientIndex in 0..<Self.clients {
                    group.addTask {
                        var random = SplitMix64(seed: UInt64(clientIndex) &* 7919 &+ 17)
                        for _ in 0..<perClient {
                            await Self.step(&random, store: store, world: world, model: shared)
                        }
                    }
                }
            }
            let elapsed = ContinuousClock.now - started
            let final = shared.withLock { $0 }
            print("random inventory operations: \(Self.operations) in \(elapsed); succeeded \(final.succeeded.sorted { $0.key < $1.key })")
            #expect(final.unexpected.isEmpty, "unexpected errors: \(final.unexpected.prefix(5))")
            #expect(final.succeeded.values.reduce(0, +) > Self.operations / 10, "enough operations succeeded to mean something")

            let items = try await count(client, "SELECT count(*) FROM inventory_items")
            let objects = try await count(client, "SELECT count(*) FROM scene_objects")
            #expect(items + objects == final.created - final.purged + final.copies,
                    "items \(items) + objects \(objects) vs created \(final.created) - purged \(final.purged) + copies \(final.copies)")
            #expect(try await count(client, """
                SELECT count(*) FROM inventory_items i
                WHERE (SELECT count(*) FROM inventory_folders f WHERE f.id = i.folder_id AND f.owner_id = i.owner_id) <> 1
                """) == 0, "every item is in exactly one folder of its owner")
            #expect(try await count(client, """
                SELECT count(*) FROM scene_objects o WHERE (SELECT count(*) FROM accounts a WHERE a.id = o.owner_id) <> 1
                """) == 0, "every scene object has one owner")
            #expect(try await count(client, """
                WITH RECURSIVE reachable AS (
                    SELECT id FROM inventory_folders WHERE kind = 1
                    UNION SELECT f.id FROM inventory_folders f JOIN reachable r ON f.parent_id = r.id
                ) SELECT (SELECT count(*) FROM inventory_folders) - (SELECT count(*) FROM reachable)
                """) == 0, "every folder hangs from its owner's root: no cycles")
            #expect(try await count(client, "SELECT count(*) FROM inventory_folders WHERE kind = 1") == world.accounts.count)
            #expect(try await count(client, "SELECT count(*) FROM inventory_items WHERE owner_mask & ~base_mask <> 0") == 0)
        }
    }

    private static func step(_ random: inout SplitMix64, store: InventoryStore, world: InventoryWorld, model: Locked<Model>) async {
        let accounts = world.accounts
        let snapshot = model.withLock { m in
            (m.items.randomElement(using: &random), m.objects.randomElement(using: &random))
        }
        let someone = accounts.randomElement(using: &random)!
        let roll = Int.random(in: 0..<100, using: &random)
        let name: String
        do {
            switch roll {
            case 0..<25:
                name = "give"
                guard let (item, info) = snapshot.0 else { return }
                let to = accounts.filter { $0 != info.owner }.randomElement(using: &random)!
                let given = try await store.give(item: item, from: info.owner, to: to)
                model.withLock { m in
                    if info.copy { m.copies += 1 } else { m.items[item] = nil; m.trashed.remove(item) }
                    m.items[given] = (to, info.copy)
                }
            case 25..<40:
                name = "rez"
                guard let (item, info) = snapshot.0 else { return }
                let position = SIMD3<Float>(Float.random(in: 0..<256, using: &random), Float.random(in: 0..<256, using: &random), 20)
                let object = try await store.rez(item: item, owner: info.owner, region: world.region, position: position)
                model.withLock { m in
                    if info.copy { m.copies += 1 } else { m.items[item] = nil; m.trashed.remove(item) }
                    m.objects[object] = (info.owner, info.copy)
                }
            case 40..<55:
                name = "take"
                guard let (object, info) = snapshot.1 else { return }
                let item = try await store.take(object: object, by: info.owner)
                model.withLock { m in
                    m.objects[object] = nil
                    m.items[item] = (info.owner, info.copy)
                }
            case 55..<67:
                name = "move item"
                guard let (item, info) = snapshot.0 else { return }
                let folders = model.withLock { $0.folders[info.owner] ?? [] }
                try await store.moveItem(owner: info.owner, item: item, to: folders.randomElement(using: &random)!)
            case 67..<75:
                name = "move folder"
                let folders = model.withLock { $0.folders[someone] ?? [] }
                try await store.moveFolder(owner: someone, folder: folders.randomElement(using: &random)!, to: folders.randomElement(using: &random)!)
            case 75..<85:
                name = "delete item"
                guard let (item, info) = snapshot.0 else { return }
                try await store.deleteToTrash(owner: info.owner, item: item)
                model.withLock { m in _ = m.trashed.insert(item) }
            case 85..<88:
                name = "delete folder"
                let folders = model.withLock { $0.folders[someone] ?? [] }
                try await store.deleteToTrash(owner: someone, folder: folders.randomElement(using: &random)!)
            case 88..<92:
                name = "purge"
                let purged = try await store.purgeTrash(owner: someone)
                model.withLock { m in
                    m.purged += purged
                    for item in m.trashed where m.items[item]?.owner == someone { m.items[item] = nil }
                }
            case 92..<96:
                name = "create folder"
                let folders = model.withLock { $0.folders[someone] ?? [] }
                let folder = try await store.createFolder(owner: someone, parent: folders.randomElement(using: &random)!, name: "made")
                model.withLock { m in m.folders[someone, default: []].append(folder) }
            default:
                name = "create item"
                let copy = Bool.random(using: &random)
                let masks: PermissionMasks = copy ? .granting([.transfer, .copy], next: [.transfer, .copy]) : .granting([.transfer], next: [.transfer])
                let item = try await store.createItem(owner: someone, folder: model.withLock { $0.folders[someone]![0] }, assetID: world.assetID, type: 6, name: "new", masks: masks)
                model.withLock { m in
                    m.created += 1
                    m.items[item] = (someone, copy)
                }
            }
            model.withLock { m in m.succeeded[name, default: 0] += 1 }
        } catch is InventoryError {
            // Refusals are expected: stale guesses, cycles, system folders, missing rights.
        } catch {
            model.withLock { m in m.unexpected.append(String(reflecting: error)) }
        }
    }
}
