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

    /// Takes a scene object back into its owner's Objects folder. Returns the new item's id.
    public func take(object: UUID, by owner: UUID) async throws -> UUID {
        let item = UUID()
        try await inStatement(client, logger: logger, timeout: transactionTimeout, "SELECT inventory_take(\(object), \(owner), \(item), \(AssetStore.objectType))")
        return item
    }
}
