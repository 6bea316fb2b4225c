import Foundation
import Logging
import PostgresNIO

/// One page of a folder's direct contents.
public struct FolderContents: Sendable, Hashable {
    public var folder: UUID
    /// Sub-folders plus items in the folder.
    public var total: Int
    public var folders: [InventoryFolder]
    public var items: [InventoryItem]
}

extension InventoryStore {
    /// Entries `start ..< start + limit` of a folder (nil: the root): its sub-folders first,
    /// then its items, each ordered by name and id, read in one snapshot.
    public func contents(owner: UUID, folder: UUID?, start: Int, limit: Int) async throws -> FolderContents {
        try await client.withConnection { conn in
            try await conn.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let contents = try await readContents(conn, owner: owner, folder: folder, start: start, limit: limit)
                try await conn.query("COMMIT", logger: logger)
                return contents
            } catch {
                _ = try? await conn.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    private func readContents(_ conn: PostgresConnection, owner: UUID, folder: UUID?, start: Int, limit: Int) async throws -> FolderContents {
        let id: UUID
        if let folder {
            guard try await folderKind(conn, owner: owner, folder: folder) != nil else { throw InventoryError.unknownFolder }
            id = folder
        } else {
            guard let root = try await folderID(conn, owner: owner, kind: .root) else { throw InventoryError.unknownAccount }
            id = root
        }
        var folderCount = 0, itemCount = 0
        let counts = try await conn.query("""
            SELECT (SELECT count(*) FROM inventory_folders WHERE parent_id = \(id)),
                   (SELECT count(*) FROM inventory_items WHERE folder_id = \(id))
            """, logger: logger)
        for try await (folders, items) in counts.decode((Int, Int).self) { (folderCount, itemCount) = (folders, items) }
        var folders: [InventoryFolder] = []
        if start < folderCount {
            let rows = try await conn.query("""
                SELECT id, parent_id, name, kind FROM inventory_folders WHERE parent_id = \(id)
                ORDER BY name, id OFFSET \(start) LIMIT \(limit)
                """, logger: logger)
            for try await (child, parent, name, kind) in rows.decode((UUID, UUID?, String, Int16).self) {
                folders.append(InventoryFolder(id: child, ownerID: owner, parentID: parent, name: name, kind: FolderKind(rawValue: kind) ?? .ordinary))
            }
        }
        var items: [InventoryItem] = []
        let itemStart = max(0, start - folderCount)
        let itemLimit = limit - folders.count
        if itemLimit > 0, itemStart < itemCount {
            items = try await selectItems(conn, """
                SELECT \(unescaped: Self.itemColumns) FROM inventory_items WHERE folder_id = \(id)
                ORDER BY name, id OFFSET \(itemStart) LIMIT \(itemLimit)
                """)
        }
        return FolderContents(folder: id, total: folderCount + itemCount, folders: folders, items: items)
    }
}
