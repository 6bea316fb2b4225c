import Foundation
import Logging
import PostgresNIO

extension InventoryStore {
    /// Gives an item. The giver must own it and hold transfer; with copy the giver keeps it and
    /// the recipient gets a copy, without copy the item leaves the giver. The recipient's masks
    /// follow Second Life's next-owner rule. Returns the recipient's item id.
    @discardableResult
    public func give(item: UUID, from giver: UUID, to recipient: UUID) async throws -> UUID {
        guard giver != recipient else { throw InventoryError.notAllowed("cannot give an item to its owner") }
        let given = UUID()
        let call: PostgresQuery = "SELECT inventory_give(\(item), \(giver), \(recipient), \(given))"
        guard let fault = faultAfterFirstWrite else {
            try await inStatement(client, logger: logger, timeout: transactionTimeout, call)
            return given
        }
        // Fault injection needs the transaction open after the write, so tests give in an
        // explicit one: the same function call, then the fault, then COMMIT.
        return try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            for try await _ in try await conn.query(call, logger: logger) {}
            try await fault(conn)
            return given
        }
    }

    /// Rezzes an item into a region as scene object `object` (the caller may choose its id, so
    /// a retried rez can find the object of an attempt that committed); an item without copy
    /// leaves the inventory.
    public func rez(item: UUID, owner: UUID, region: UUID, position: SIMD3<Float>, object: UUID = UUID()) async throws -> UUID {
        let place: [Float] = [position.x, position.y, position.z]
        try await inStatement(client, logger: logger, timeout: transactionTimeout, "SELECT inventory_rez(\(item), \(owner), \(region), \(object), \(place))")
        return object
    }

    /// Takes a scene object back into its owner's Objects folder, with its form and contents
    /// (migrations/0011). Returns the new item's id. The region may send the object's latest
    /// look and contents (scripts with their newest checkpoints): written to the item in the
    /// same transaction, replacing what the last flush stored; nil keeps that. Contents that
    /// cannot be stored refuse the take (`notAllowed`, naming the item and why) and nothing
    /// changes.
    public func take(object: UUID, by owner: UUID, look: PersistedLook? = nil, contents: [PersistedContent]? = nil) async throws -> UUID {
        let item = UUID()
        let take: PostgresQuery = "SELECT inventory_take(\(object), \(owner), \(item), \(AssetStore.objectType))"
        guard look != nil || contents != nil else {
            try await inStatement(client, logger: logger, timeout: transactionTimeout, take)
            return item
        }
        if let problem = look?.storageProblem ?? contents.flatMap(PersistedContent.problem(of:)) {
            throw InventoryError.notAllowed("the object's \(problem)")
        }
        let logger = logger
        return try await inTransaction(client, logger: logger, timeout: transactionTimeout) { conn in
            for try await _ in try await conn.query(take, logger: logger) {}
            if let look {
                _ = try await conn.query("""
                    UPDATE inventory_item_objects SET color = \(look.colorArray), floating_text = \(look.text),
                        floating_text_color = \(look.textColorArray)
                    WHERE item_id = \(item)
                    """, logger: logger)
            }
            if let contents {
                _ = try await conn.query("DELETE FROM object_contents WHERE item_id = \(item)", logger: logger)
                do {
                    try await ContentRows.insert(conn, holder: .item(item), contents, logger: logger)
                } catch where sqlState(of: error).map(Self.blamesRow) == true {
                    // An unknown script asset, say: the take is refused whole, nothing changes.
                    throw InventoryError.notAllowed("the object's contents were refused by the database (SQLSTATE \(sqlState(of: error) ?? ""))")
                }
            }
            return item
        }
    }

    /// SQLSTATE classes that blame the data written: data exceptions (22) and integrity (23).
    static func blamesRow(_ state: String) -> Bool {
        state.hasPrefix("22") || state.hasPrefix("23")
    }
}
