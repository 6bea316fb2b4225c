import Foundation
import Logging
import PostgresNIO

extension InventoryStore {
    /// Creates an item for an existing asset in one of the owner's folders.
    public func createItem(
        owner: UUID, folder: UUID, assetID: Data, type: Int16, name: String, masks: PermissionMasks, creator: UUID? = nil
    ) async throws -> UUID {
        let name = try InventoryError.checkName(name)
        guard masks.owner.isSubset(of: masks.base), masks.nextOwner.isSubset(of: masks.base) else {
            throw InventoryError.notAllowed("owner and next-owner masks must be within the base mask")
        }
        return try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            try await lockInventory(conn, owner)
            guard try await folderKind(conn, owner: owner, folder: folder) != nil else { throw InventoryError.unknownFolder }
            guard try await exists(conn, "SELECT 1 FROM assets WHERE id = \(assetID)") else { throw InventoryError.unknownAsset }
            let id = UUID()
            try await insertItem(conn, id: id, owner: owner, folder: folder, assetID: assetID, type: type, name: name, creator: creator ?? owner, masks: masks)
            return id
        }
    }

    public func renameItem(owner: UUID, item: UUID, name: String) async throws {
        let name = try InventoryError.checkName(name)
        try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            try await lockInventory(conn, owner)
            _ = try await lockItem(conn, item, owner: owner)
            try await conn.query("UPDATE inventory_items SET name = \(name) WHERE id = \(item)", logger: logger)
        }
    }

    public func moveItem(owner: UUID, item: UUID, to folder: UUID) async throws {
        try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            try await lockInventory(conn, owner)
            _ = try await lockItem(conn, item, owner: owner)
            guard try await folderKind(conn, owner: owner, folder: folder) != nil else { throw InventoryError.unknownFolder }
            try await conn.query("UPDATE inventory_items SET folder_id = \(folder) WHERE id = \(item)", logger: logger)
        }
    }

    /// Moves an item into the owner's Trash.
    public func deleteToTrash(owner: UUID, item: UUID) async throws {
        try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            try await lockInventory(conn, owner)
            _ = try await lockItem(conn, item, owner: owner)
            guard let trash = try await folderID(conn, owner: owner, kind: .trash) else { throw InventoryError.unknownFolder }
            try await conn.query("UPDATE inventory_items SET folder_id = \(trash) WHERE id = \(item)", logger: logger)
        }
    }

    // MARK: Reads

    public func item(id: UUID) async throws -> InventoryItem? {
        try await client.withConnection { conn in try await selectItems(conn, "SELECT \(unescaped: Self.itemColumns) FROM inventory_items WHERE id = \(id)").first }
    }

    public func items(owner: UUID) async throws -> [InventoryItem] {
        try await client.withConnection { conn in try await selectItems(conn, "SELECT \(unescaped: Self.itemColumns) FROM inventory_items WHERE owner_id = \(owner) ORDER BY created_at, id") }
    }

    public func folders(owner: UUID) async throws -> [InventoryFolder] {
        let rows = try await client.query(
            "SELECT id, parent_id, name, kind FROM inventory_folders WHERE owner_id = \(owner) ORDER BY kind, name, id", logger: logger)
        var folders: [InventoryFolder] = []
        for try await (id, parent, name, kind) in rows.decode((UUID, UUID?, String, Int16).self) {
            folders.append(InventoryFolder(id: id, ownerID: owner, parentID: parent, name: name, kind: FolderKind(rawValue: kind) ?? .ordinary))
        }
        return folders
    }

    // MARK: Helpers used inside transactions

    /// Locks the item `FOR UPDATE` if `owner` owns it; the caller holds the owner's advisory lock,
    /// so no other transaction can hold or wait for this row.
    func lockItem(_ conn: PostgresConnection, _ item: UUID, owner: UUID) async throws -> InventoryItem {
        if let found = try await selectItems(conn, "SELECT \(unescaped: Self.itemColumns) FROM inventory_items WHERE id = \(item) AND owner_id = \(owner) FOR UPDATE").first { return found }
        if try await exists(conn, "SELECT 1 FROM inventory_items WHERE id = \(item)") { throw InventoryError.notOwner }
        throw InventoryError.unknownItem
    }

    static let itemColumns =
        "id, owner_id, folder_id, asset_id, asset_type, name, creator_id, base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask"

    /// Runs `query`, which selects `itemColumns` from inventory_items.
    func selectItems(_ conn: PostgresConnection, _ query: PostgresQuery) async throws -> [InventoryItem] {
        let rows = try await conn.query(query, logger: logger)
        var items: [InventoryItem] = []
        for try await (id, owner, folder, asset, type, name, creator, b, o, g, e, n) in rows.decode(
            (UUID, UUID, UUID, Data, Int16, String, UUID?, Int32, Int32, Int32, Int32, Int32).self)
        {
            let masks = PermissionMasks(
                base: Permissions(rawValue: b), owner: Permissions(rawValue: o), group: Permissions(rawValue: g),
                everyone: Permissions(rawValue: e), nextOwner: Permissions(rawValue: n))
            items.append(InventoryItem(id: id, ownerID: owner, folderID: folder, assetID: asset, assetType: type, name: name, creatorID: creator, masks: masks))
        }
        return items
    }

    func insertItem(
        _ conn: PostgresConnection, id: UUID, owner: UUID, folder: UUID, assetID: Data, type: Int16, name: String,
        creator: UUID?, masks: PermissionMasks
    ) async throws {
        let (b, o, g, e, n) = (masks.base.rawValue, masks.owner.rawValue, masks.group.rawValue, masks.everyone.rawValue, masks.nextOwner.rawValue)
        try await conn.query(
            """
            INSERT INTO inventory_items (id, owner_id, folder_id, asset_id, asset_type, name, creator_id,
                base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask)
            VALUES (\(id), \(owner), \(folder), \(assetID), \(type), \(name), \(creator), \(b), \(o), \(g), \(e), \(n))
            """, logger: logger)
    }
}
