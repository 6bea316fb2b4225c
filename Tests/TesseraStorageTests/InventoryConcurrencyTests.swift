import Foundation
import PostgresNIO
import Synchronization
import Testing
import TesseraWorld
@testable import TesseraStorage
import TesseraTesting

@Suite("Inventory store under concurrency and failure")
struct InventoryConcurrencyTests {
    @Test("50 concurrent gives of one no-copy item: exactly one succeeds, the item exists once")
    func concurrentGives() async throws {
        try await withFreshDatabase { client in
            let world = try await InventoryWorld.make(client, accounts: 6)
            let giver = world.accounts[0]
            let item = try await world.item(owner: giver, masks: .granting([.transfer, .modify], next: .all))
            let results = await withTaskGroup(of: Result<UUID, any Error>.self) { group in
                for index in 0..<50 {
                    let recipient = world.accounts[1 + index % 5]
                    group.addTask {
                        do { return .success(try await world.store.give(item: item, from: giver, to: recipient)) } catch { return .failure(error) }
                    }
                }
                var results: [Result<UUID, any Error>] = []
                for await result in group { results.append(result) }
                return results
            }
            let successes = results.compactMap { try? $0.get() }
            #expect(successes.count == 1)
            let failures = results.compactMap { result -> (any Error)? in if case .failure(let e) = result { e } else { nil } }
            #expect(failures.allSatisfy { ($0 as? InventoryError) == .unknownItem }, "losers see the item gone: \(failures.prefix(3))")
            #expect(try await count(client, "SELECT count(*) FROM inventory_items") == 1)
            let winner = try #require(successes.first)
            let survivor = try #require(try await world.store.item(id: winner))
            #expect(survivor.ownerID != giver)
            #expect(try await world.store.item(id: item) == nil)
        }
    }

    @Test("a connection cut in the middle of a transaction leaves nothing half-applied")
    func connectionCutRaw() async throws {
        try await withFreshDatabase { client in
            let world = try await InventoryWorld.make(client)
            let (ada, bob) = (world.accounts[0], world.accounts[1])
            let item = try await world.item(owner: ada, masks: .granting([.transfer], next: .all))
            let bobRoot = try await world.root(bob)
            var database = ""
            var port = 0
            for try await (name, number) in try await client.query("SELECT current_database(), inet_server_port()", logger: testLogger).decode((String, Int32).self) {
                (database, port) = (name, Int(number))
            }
            // A connection of its own, outside the pool, runs the first half of a no-copy give.
            let password = try await TestDatabases.sharedCluster(logger: testLogger).password
            let victim = try await PostgresConnection.connect(
                configuration: .init(host: "127.0.0.1", port: port, username: "tessera", password: password, database: database, tls: .disable),
                id: 99, logger: testLogger)
            abandonedConnections.withLock { $0.append(victim) }
            var pid: Int32 = 0
            do {
            try await victim.query("BEGIN", logger: testLogger)
            try await victim.query("DELETE FROM inventory_items WHERE id = \(item)", logger: testLogger)
            try await victim.query(
                """
                INSERT INTO inventory_items (id, owner_id, folder_id, asset_id, asset_type, name, base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask)
                SELECT \(UUID()), \(bob), \(bobRoot), id, asset_type, name, base_mask, owner_mask, 0, 0, next_owner_mask FROM assets, (VALUES (\(Permissions.all.rawValue), \(Permissions.transfer.rawValue), \(Permissions.all.rawValue))) AS m(base_mask, owner_mask, next_owner_mask) LIMIT 1
                """, logger: testLogger)
            for try await value in try await victim.query("SELECT pg_backend_pid()", logger: testLogger).decode(Int32.self) { pid = value }
            } catch {
                Issue.record("victim transaction failed before the cut: \(String(reflecting: error))")
                throw error
            }
            // Another client cuts it before COMMIT (the victim is never used again: its next query would never return).
            for try await killed in try await client.query("SELECT pg_terminate_backend(\(pid))", logger: testLogger).decode(Bool.self) { #expect(killed) }
            try await Task.sleep(for: .milliseconds(200))
            // Kept referenced (abandonedConnections): PostgresNIO asserts in deinit of a connection not closed by us.
            try? await victim.close()
            #expect(try await world.store.item(id: item)?.ownerID == ada, "the delete was rolled back")
            #expect(try await world.store.items(owner: bob).isEmpty, "the insert was rolled back")
            #expect(try await count(client, "SELECT count(*) FROM inventory_items") == 1)
            _ = try await world.store.give(item: item, from: ada, to: bob)
            #expect(try await world.store.items(owner: bob).count == 1)
        }
    }

    @Test(
        "a connection cut in the middle of a store give leaves nothing half-applied",
        .timeLimit(.minutes(1)))
    func connectionCut() async throws {
        try await withFreshDatabase { client in
            let world = try await InventoryWorld.make(client)
            let (ada, bob) = (world.accounts[0], world.accounts[1])
            let item = try await world.item(owner: ada, masks: .granting([.transfer], next: .all))
            // PostgresNIO never answers a query on a connection the server has closed: the
            // store's deadline is what ends such a call.
            var store = world.store
            store.transactionTimeout = .seconds(5)
            store.faultAfterFirstWrite = { conn in
                // The first write (deleting the giver's row) is done; the server now cuts this session
                // while it sits in the open transaction, and the next statement finds it gone. The
                // hook returns once the server has ended the session (seen from another connection),
                // not after a fixed time a loaded server may not have acted within.
                var backend: Int32 = 0
                for try await value in try await conn.query("SELECT pg_backend_pid()", logger: testLogger).decode(Int32.self) { backend = value }
                try await conn.query("SET LOCAL idle_in_transaction_session_timeout = 100", logger: testLogger)
                try await Eventually.until("the server ends the idle session", timeout: .seconds(30)) {
                    try await count(client, "SELECT count(*) FROM pg_stat_activity WHERE pid = \(backend)") == 0
                }
            }
            await #expect(throws: (any Error).self) { try await store.give(item: item, from: ada, to: bob) }
            #expect(try await world.store.item(id: item)?.ownerID == ada, "the delete was rolled back")
            #expect(try await world.store.items(owner: bob).isEmpty)
            #expect(try await count(client, "SELECT count(*) FROM inventory_items") == 1)

            // A second client kills the first one's backend while its transaction is open.
            var slow = store
            let pid = Locked<Int32?>(nil)
            let terminated = Locked(false)
            slow.faultAfterFirstWrite = { conn in
                let rows = try await conn.query("SELECT pg_backend_pid()", logger: testLogger)
                for try await value in rows.decode(Int32.self) { pid.withLock { $0 = value } }
                // The transaction stays open until the other client has killed this backend (before,
                // a 2 s sleep: a kill that came later found the give committed).
                try await Eventually.until("the other client kills this backend", timeout: .seconds(30)) { terminated.withLock { $0 } }
            }
            let attempt = Task { try await slow.give(item: item, from: ada, to: bob) }
            let victim = try? await Eventually.value("the transaction reports its backend", timeout: .seconds(30)) { pid.withLock { $0 } }
            let target = try #require(victim)
            try await client.query("SELECT pg_terminate_backend(\(target))", logger: testLogger)
            terminated.withLock { $0 = true }
            await #expect(throws: (any Error).self) { _ = try await attempt.value }
            #expect(try await world.store.item(id: item)?.ownerID == ada)
            #expect(try await count(client, "SELECT count(*) FROM inventory_items") == 1)
            // The pool recovers: the same give now goes through.
            _ = try await world.store.give(item: item, from: ada, to: bob)
            #expect(try await world.store.items(owner: bob).count == 1)
            #expect(try await world.store.item(id: item) == nil)
        }
    }
}

/// Connections the server cut that PostgresNIO still believes open (deinit would assert).
private let abandonedConnections = Locked<[PostgresConnection]>([])
