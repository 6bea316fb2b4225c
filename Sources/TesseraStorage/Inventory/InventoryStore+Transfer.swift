import Foundation
import Logging
import PostgresNIO

extension InventoryStore {
    /// Gives an item. The giver must own it and hold transfer; with copy the giver keeps it and
    /// the recipient gets a copy, without copy the item leaves the giver. The recipient's masks
    /// follow Second Life's next-owner rule. Returns the recipient's item id.
    @discardableResult
    public func give(item: UUID, from giver: UUID, to recipient: UUID) async throws -> UUID {
        try await inTransaction(client, logger: logger) { conn in
            guard giver != recipient else { throw InventoryError.notAllowed("cannot give an item to its owner") }
            try await lockOwners(conn, [giver, recipient])
            guard try await folderID(conn, owner: giver, kind: .root) != nil else { throw InventoryError.unknownAccount }
            guard let destination = try await folderID(conn, owner: recipient, kind: .root) else { throw InventoryError.unknownAccount }
            let original = try await lockItem(conn, item, owner: giver)
            guard original.masks.owner.contains(.transfer) else { throw InventoryError.notAllowed("the item is not transferable") }
            if !original.masks.owner.contains(.copy) {
                try await conn.query("DELETE FROM inventory_items WHERE id = \(item)", logger: logger)
                if let fault = faultAfterFirstWrite { try await fault(conn) }
            }
            let given = UUID()
            try await insertItem(
                conn, id: given, owner: recipient, folder: destination, assetID: original.assetID, type: original.assetType,
                name: original.name, creator: original.creatorID, masks: original.masks.forNextOwner)
            if original.masks.owner.contains(.copy), let fault = faultAfterFirstWrite { try await fault(conn) }
            return given
        }
    }

    /// Rezzes an item into a region as a scene object; an item without copy leaves the inventory.
    public func rez(item: UUID, owner: UUID, region: UUID, position: SIMD3<Float>) async throws -> UUID {
        try await inTransaction(client, logger: logger) { conn in
            try await lockInventory(conn, owner)
            let source = try await lockItem(conn, item, owner: owner)
            guard try await exists(conn, "SELECT 1 FROM regions WHERE id = \(region)") else { throw InventoryError.unknownRegion }
            let object = UUID()
            let m = source.masks
            let (b, o, g, e, n) = (m.base.rawValue, m.owner.rawValue, m.group.rawValue, m.everyone.rawValue, m.nextOwner.rawValue)
            let place: [Float] = [position.x, position.y, position.z]
            let rotation: [Float] = [0, 0, 0, 1]
            let scale: [Float] = [1, 1, 1]
            try await conn.query(
                """
                INSERT INTO scene_objects (id, region_id, owner_id, creator_id, asset_id, name, shape, position, rotation, scale,
                    base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask)
                VALUES (\(object), \(region), \(owner), \(source.creatorID), \(source.assetID), \(source.name), 1,
                    \(place), \(rotation), \(scale), \(b), \(o), \(g), \(e), \(n))
                """, logger: logger)
            if !m.owner.contains(.copy) {
                try await conn.query("DELETE FROM inventory_items WHERE id = \(item)", logger: logger)
            }
            return object
        }
    }

    /// Takes a scene object back into its owner's Objects folder. Returns the new item's id.
    public func take(object: UUID, by owner: UUID) async throws -> UUID {
        try await inTransaction(client, logger: logger) { conn in
            try await lockInventory(conn, owner)
            let rows = try await conn.query(
                """
                SELECT creator_id, asset_id, name, base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask
                FROM scene_objects WHERE id = \(object) AND owner_id = \(owner) FOR UPDATE
                """, logger: logger)
            var found: (UUID?, Data?, String, PermissionMasks)?
            for try await (creator, asset, name, b, o, g, e, n) in rows.decode((UUID?, Data?, String, Int32, Int32, Int32, Int32, Int32).self) {
                found = (creator, asset, name, PermissionMasks(
                    base: Permissions(rawValue: b), owner: Permissions(rawValue: o), group: Permissions(rawValue: g),
                    everyone: Permissions(rawValue: e), nextOwner: Permissions(rawValue: n)))
            }
            guard let (creator, asset, name, masks) = found else {
                if try await exists(conn, "SELECT 1 FROM scene_objects WHERE id = \(object)") { throw InventoryError.notOwner }
                throw InventoryError.unknownObject
            }
            guard let asset else { throw InventoryError.notAllowed("the object has no stored asset") }
            guard let objects = try await folderID(conn, owner: owner, kind: .objects) else { throw InventoryError.unknownFolder }
            try await conn.query("DELETE FROM scene_objects WHERE id = \(object)", logger: logger)
            let item = UUID()
            try await insertItem(
                conn, id: item, owner: owner, folder: objects, assetID: asset, type: AssetStore.objectType, name: name,
                creator: creator, masks: masks)
            return item
        }
    }
}
