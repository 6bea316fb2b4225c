import Crypto
import Foundation
import Logging
import PostgresNIO
import TesseraWorld

public enum AssetError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLarge(Int)
    case unknownType(Int16)
    case invalidName

    public var description: String {
        switch self {
        case .tooLarge(let size): "asset of \(size) bytes exceeds the limit of \(AssetStore.maximumSize) bytes"
        case .unknownType(let type): "unknown asset type \(type)"
        case .invalidName: "an asset name has at most \(maxNameBytes) bytes of UTF-8 and no U+0000"
        }
    }
}

/// Content-addressed assets: the id is the SHA-256 of the data, so equal data is stored once.
public struct AssetStore: Sendable {
    public static let maximumSize = 1 << 20
    /// Second Life's asset types this grid accepts (texture, sound, calling card, landmark,
    /// clothing, object, notecard, script, body part, animation, gesture, mesh...).
    public static let knownTypes: Set<Int16> = [0, 1, 2, 3, 5, 6, 7, 10, 13, 20, 21, 49, 56]
    public static let objectType: Int16 = 6
    /// LSL source text: what an object's script item runs.
    public static let scriptType: Int16 = 10

    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public static func id(of data: Data) -> Data { Data(SHA256.hash(data: data)) }

    /// At most `maxNameBytes` bytes of UTF-8 (what the wire carries), and no U+0000 (what
    /// PostgreSQL cannot store).
    public static func isValidName(_ name: String) -> Bool {
        name.utf8.count <= maxNameBytes && !name.unicodeScalars.contains("\u{0}")
    }

    /// Stores `data` (once) and returns its id.
    @discardableResult
    public func store(data: Data, type: Int16, name: String, creator: UUID?) async throws -> Data {
        guard data.count <= Self.maximumSize else { throw AssetError.tooLarge(data.count) }
        guard Self.knownTypes.contains(type) else { throw AssetError.unknownType(type) }
        // Bytes, not characters: the wire carries at most `maxNameBytes` (22 kanji are 66).
        guard Self.isValidName(name) else { throw AssetError.invalidName }
        let id = Self.id(of: data)
        let size = Int32(data.count)
        try await client.query(
            """
            INSERT INTO assets (id, asset_type, name, creator_id, data, size)
            VALUES (\(id), \(type), \(name), \(creator), \(data), \(size))
            ON CONFLICT (id) DO NOTHING
            """, logger: logger)
        return id
    }

    /// The asset's type and data, or nil; marks it as accessed.
    public func fetch(id: Data) async throws -> (type: Int16, data: Data)? {
        let rows = try await client.query(
            "UPDATE assets SET last_access = now() WHERE id = \(id) RETURNING asset_type, data", logger: logger)
        for try await (type, data) in rows.decode((Int16, Data).self) { return (type, data) }
        return nil
    }
}

/// What the admin console shows of an asset, without its data.
public struct AssetInfo: Sendable, Hashable {
    public var id: Data
    public var type: Int16
    public var name: String
    public var creatorID: UUID?
    public var size: Int
    public var createdAt: Date
}

extension AssetStore {
    /// The asset's metadata, or nil.
    public func info(id: Data) async throws -> AssetInfo? {
        let rows = try await client.query(
            "SELECT asset_type, name, creator_id, size, created_at FROM assets WHERE id = \(id)", logger: logger)
        for try await (type, name, creator, size, created) in rows.decode((Int16, String, UUID?, Int32, Date).self) {
            return AssetInfo(id: id, type: type, name: name, creatorID: creator, size: Int(size), createdAt: created)
        }
        return nil
    }
}
