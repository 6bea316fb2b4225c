import Foundation
import Logging
import PostgresNIO

/// Avatars' inventories in PostgreSQL. Every public method is one transaction; every mutating
/// method first takes a transaction-scoped advisory lock per owner involved (in a fixed order),
/// so operations on one inventory are serialised and two concurrent folder moves cannot build
/// a cycle. Row locks are taken only on rows of an owner whose advisory lock is held.
public struct InventoryStore: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    /// How long one call may take, retries included, before it fails with
    /// `StorageError.timedOut` instead of waiting on a connection that will never answer.
    public var transactionTimeout: Duration = .seconds(10)
    /// Tests only: when set, `give` runs in an explicit transaction and this runs right after
    /// its write (the `inventory_give` call), before COMMIT.
    var faultAfterFirstWrite: (@Sendable (PostgresConnection) async throws -> Void)?

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    // MARK: Inventory and folders

    /// Creates the root and the system folders; running it again changes nothing. Returns the root.
    @discardableResult
    public func createInventory(for account: UUID) async throws -> UUID {
        try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            guard try await exists(conn, "SELECT 1 FROM accounts WHERE id = \(account)") else { throw InventoryError.unknownAccount }
            try await lockOwners(conn, [account])
            let rootKind = FolderKind.root.rawValue, rootName = FolderKind.root.defaultName
            try await conn.query(
                """
                INSERT INTO inventory_folders (id, owner_id, parent_id, name, kind)
                VALUES (\(UUID()), \(account), NULL, \(rootName), \(rootKind))
                ON CONFLICT (owner_id, kind) WHERE kind > 0 DO NOTHING
                """, logger: logger)
            let root = try await folderID(conn, owner: account, kind: .root)!
            for kind in FolderKind.systemFolders {
                let raw = kind.rawValue, name = kind.defaultName
                try await conn.query(
                    """
                    INSERT INTO inventory_folders (id, owner_id, parent_id, name, kind)
                    VALUES (\(UUID()), \(account), \(root), \(name), \(raw))
                    ON CONFLICT (owner_id, kind) WHERE kind > 0 DO NOTHING
                    """, logger: logger)
            }
            return root
        }
    }

    public func createFolder(owner: UUID, parent: UUID, name: String) async throws -> UUID {
        let name = try InventoryError.checkName(name)
        return try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            try await lockInventory(conn, owner)
            guard try await folderKind(conn, owner: owner, folder: parent) != nil else { throw InventoryError.unknownFolder }
            let id = UUID()
            try await conn.query(
                "INSERT INTO inventory_folders (id, owner_id, parent_id, name, kind) VALUES (\(id), \(owner), \(parent), \(name), 0)",
                logger: logger)
            return id
        }
    }

    public func renameFolder(owner: UUID, folder: UUID, name: String) async throws {
        let name = try InventoryError.checkName(name)
        try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            try await lockInventory(conn, owner)
            try await requireOrdinaryFolder(conn, owner: owner, folder: folder)
            try await conn.query("UPDATE inventory_folders SET name = \(name) WHERE id = \(folder)", logger: logger)
        }
    }

    /// Moves `folder` under `to`; refuses a move into itself or into one of its descendants.
    public func moveFolder(owner: UUID, folder: UUID, to target: UUID) async throws {
        try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            try await lockInventory(conn, owner)
            try await moveFolderLocked(conn, owner: owner, folder: folder, to: target)
        }
    }

    /// Moves a folder (and everything in it) into the owner's Trash.
    public func deleteToTrash(owner: UUID, folder: UUID) async throws {
        try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            try await lockInventory(conn, owner)
            guard let trash = try await folderID(conn, owner: owner, kind: .trash) else { throw InventoryError.unknownFolder }
            try await moveFolderLocked(conn, owner: owner, folder: folder, to: trash)
        }
    }

    /// Deletes everything in the owner's Trash; returns how many items were deleted.
    @discardableResult
    public func purgeTrash(owner: UUID) async throws -> Int {
        try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            try await lockInventory(conn, owner)
            guard let trash = try await folderID(conn, owner: owner, kind: .trash) else { throw InventoryError.unknownFolder }
            let rows = try await conn.query(
                """
                WITH RECURSIVE subtree AS (
                    SELECT id FROM inventory_folders WHERE id = \(trash)
                    UNION ALL
                    SELECT f.id FROM inventory_folders f JOIN subtree s ON f.parent_id = s.id
                ), gone AS (
                    DELETE FROM inventory_items WHERE owner_id = \(owner) AND folder_id IN (SELECT id FROM subtree) RETURNING 1
                )
                SELECT count(*) FROM gone
                """, logger: logger)
            var purged = 0
            for try await count in rows.decode(Int.self) { purged = count }
            try await conn.query("DELETE FROM inventory_folders WHERE parent_id = \(trash) AND owner_id = \(owner)", logger: logger)
            return purged
        }
    }

    // MARK: Helpers used inside transactions

    func moveFolderLocked(_ conn: PostgresConnection, owner: UUID, folder: UUID, to target: UUID) async throws {
        try await requireOrdinaryFolder(conn, owner: owner, folder: folder)
        guard try await folderKind(conn, owner: owner, folder: target) != nil else { throw InventoryError.unknownFolder }
        let cycle = try await exists(
            conn,
            """
            WITH RECURSIVE subtree AS (
                SELECT id FROM inventory_folders WHERE id = \(folder)
                UNION ALL
                SELECT f.id FROM inventory_folders f JOIN subtree s ON f.parent_id = s.id
            )
            SELECT 1 FROM subtree WHERE id = \(target)
            """)
        if cycle { throw InventoryError.wouldCreateCycle }
        try await conn.query("UPDATE inventory_folders SET parent_id = \(target) WHERE id = \(folder)", logger: logger)
    }

    /// Serialises this transaction with every other one touching these owners' inventories.
    /// The lock's key is computed by `inventory_lock` (migrations/0007), the same function the
    /// inventory functions take it with, and several locks are taken in the order they use.
    func lockOwners(_ conn: PostgresConnection, _ owners: [UUID]) async throws {
        for owner in Set(owners).sorted(by: { $0.uuidString < $1.uuidString }) {
            let rows = try await conn.query("SELECT inventory_lock(\(owner))", logger: logger)
            for try await _ in rows {}
        }
    }

    /// Locks the owner and checks that the inventory exists, in one round trip: the check runs
    /// inside `inventory_lock_owner` after the lock is held, so it sees what the previous
    /// holder committed.
    func lockInventory(_ conn: PostgresConnection, _ owner: UUID) async throws {
        let rows = try await conn.query("SELECT inventory_lock_owner(\(owner))", logger: logger)
        var root: UUID?
        for try await found in rows.decode(UUID?.self) { root = found }
        guard root != nil else { throw InventoryError.unknownAccount }
    }

    func folderID(_ conn: PostgresConnection, owner: UUID, kind: FolderKind) async throws -> UUID? {
        let raw = kind.rawValue
        let rows = try await conn.query("SELECT id FROM inventory_folders WHERE owner_id = \(owner) AND kind = \(raw)", logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    func folderKind(_ conn: PostgresConnection, owner: UUID, folder: UUID) async throws -> FolderKind? {
        let rows = try await conn.query("SELECT kind FROM inventory_folders WHERE id = \(folder) AND owner_id = \(owner)", logger: logger)
        for try await kind in rows.decode(Int16.self) { return FolderKind(rawValue: kind) ?? .ordinary }
        return nil
    }

    func requireOrdinaryFolder(_ conn: PostgresConnection, owner: UUID, folder: UUID) async throws {
        guard let kind = try await folderKind(conn, owner: owner, folder: folder) else { throw InventoryError.unknownFolder }
        if kind.isSystem { throw InventoryError.systemFolderImmutable }
    }

    func exists(_ conn: PostgresConnection, _ query: PostgresQuery) async throws -> Bool {
        let rows = try await conn.query(query, logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
