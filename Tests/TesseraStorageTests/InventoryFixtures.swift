import Foundation
import PostgresNIO
import Synchronization
@testable import TesseraStorage

/// An account row with placeholder credentials.
func makeAccount(_ client: PostgresClient, _ name: String) async throws -> UUID {
    let id = UUID()
    let salt = Data(repeating: 1, count: 16), hash = Data(repeating: 2, count: 32)
    try await client.query(
        "INSERT INTO accounts (id, name, password_hash, password_salt, password_kdf) VALUES (\(id), \(name), \(hash), \(salt), 'test')",
        logger: testLogger)
    return id
}

func count(_ client: PostgresClient, _ query: PostgresQuery) async throws -> Int {
    let rows = try await client.query(query, logger: testLogger)
    for try await n in rows.decode(Int.self) { return n }
    return -1
}

/// Accounts with inventories, one asset and one region.
struct InventoryWorld {
    let store: InventoryStore
    let assets: AssetStore
    let accounts: [UUID]
    let assetID: Data
    let region: UUID

    static func make(_ client: PostgresClient, accounts count: Int = 2) async throws -> InventoryWorld {
        let store = InventoryStore(client: client, logger: testLogger)
        let assets = AssetStore(client: client, logger: testLogger)
        var accounts: [UUID] = []
        for index in 0..<count {
            let id = try await makeAccount(client, "Avatar \(index)")
            try await store.createInventory(for: id)
            accounts.append(id)
        }
        let assetID = try await assets.store(data: Data("a box".utf8), type: AssetStore.objectType, name: "box", creator: accounts[0])
        let region = try await RegionRegistry(client: client, logger: testLogger)
            .register(name: "Sandbox", gridX: 1000, gridY: 1000, address: "127.0.0.1:9000", node: "node-a")
        return InventoryWorld(store: store, assets: assets, accounts: accounts, assetID: assetID, region: region)
    }

    func root(_ owner: UUID) async throws -> UUID {
        try await store.folders(owner: owner).first { $0.kind == .root }!.id
    }

    func folder(_ owner: UUID, _ kind: FolderKind) async throws -> UUID {
        try await store.folders(owner: owner).first { $0.kind == kind }!.id
    }

    func item(owner: UUID, masks: PermissionMasks, name: String = "thing") async throws -> UUID {
        try await store.createItem(
            owner: owner, folder: root(owner), assetID: assetID, type: AssetStore.objectType, name: name, masks: masks)
    }
}

extension PermissionMasks {
    /// Transfer and copy for the owner; the next owner gets `next`.
    static func granting(_ owner: Permissions, next: Permissions) -> PermissionMasks {
        PermissionMasks(base: .all, owner: owner, nextOwner: next)
    }
}

/// A `Mutex` that escaping closures can share.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R { try mutex.withLock { try body(&$0) } }
}
