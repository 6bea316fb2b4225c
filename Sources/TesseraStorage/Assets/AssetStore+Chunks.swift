import Foundation
import Logging
import PostgresNIO

/// An asset's metadata and a slice of its bytes.
public struct AssetSlice: Sendable, Hashable {
    public var type: Int16
    public var name: String
    public var creator: UUID?
    public var created: Date
    public var size: Int
    public var offset: Int
    public var data: Data
}

extension AssetStore {
    /// Metadata and up to `length` bytes from `offset` (SQL's substring reads only that much);
    /// nil for an unknown asset. Marks the asset as accessed.
    public func slice(id: Data, offset: Int, length: Int) async throws -> AssetSlice? {
        let from = Int32(clamping: offset + 1), count = Int32(clamping: max(0, length))
        let rows = try await client.query("""
            UPDATE assets SET last_access = now() WHERE id = \(id)
            RETURNING asset_type, name, creator_id, created_at, size, substring(data FROM \(from) FOR \(count))
            """, logger: logger)
        for try await (type, name, creator, created, size, data) in rows.decode((Int16, String, UUID?, Date, Int32, Data).self) {
            return AssetSlice(type: type, name: name, creator: creator, created: created, size: Int(size), offset: offset, data: data)
        }
        return nil
    }
}
