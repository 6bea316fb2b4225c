import Foundation
import Logging
import PostgresNIO

public enum RegionRegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    case positionTaken(x: Int32, y: Int32)
    case nameTaken(String)
    case unknownRegion(String)

    public var description: String {
        switch self {
        case .positionTaken(let x, let y): "grid position (\(x), \(y)) is already served by a live region"
        case .nameTaken(let name): "a region named \(name) is already registered at another grid position"
        case .unknownRegion(let name): name.isEmpty ? "no region is online" : "no region named \(name) is online"
        }
    }
}

/// A registered region and where its node listens.
public struct RegisteredRegion: Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var gridX: Int32
    public var gridY: Int32
    public var address: String
    public var node: String
    public var online: Bool
}

/// Which region node serves which grid position. A region's row outlives its node (it keeps
/// the region's stored objects): stopping marks it offline, and the same region (same name,
/// same position) takes it back when it starts again, at once from the node that held it, or
/// from another node once the row is offline or its heartbeat stale. A position held by
/// another region cannot be taken until an operator removes that region; the unique constraints
/// decide, not a check-then-insert.
public struct RegionRegistry: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    /// A heartbeat older than this frees an online region's row for its next start.
    public var staleAfterSeconds = 30

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func register(name: String, gridX: Int32, gridY: Int32, address: String, node: String) async throws -> UUID {
        let stale = staleAfterSeconds
        do {
            return try await inTransaction(client, logger: logger, timeout: .seconds(10)) { conn in
                let rows = try await conn.query("""
                    SELECT id, grid_x, grid_y, node_name, online AND heartbeat_at > now() - make_interval(secs => \(stale))
                    FROM regions WHERE name = \(name) FOR UPDATE
                    """, logger: logger)
                var existing: (UUID, Int32, Int32, String, Bool)?
                for try await row in rows.decode((UUID, Int32, Int32, String, Bool).self) { existing = row }
                if let (id, x, y, holder, live) = existing {
                    guard x == gridX, y == gridY else { throw RegionRegistryError.nameTaken(name) }
                    // The node that held it may take it back at once (it restarted after a crash).
                    guard !live || holder == node else { throw RegionRegistryError.positionTaken(x: gridX, y: gridY) }
                    try await conn.query("""
                        UPDATE regions SET online = true, address = \(address), node_name = \(node), heartbeat_at = now()
                        WHERE id = \(id)
                        """, logger: logger)
                    return id
                }
                let id = UUID()
                try await conn.query(
                    """
                    INSERT INTO regions (id, name, grid_x, grid_y, address, node_name)
                    VALUES (\(id), \(name), \(gridX), \(gridY), \(address), \(node))
                    """, logger: logger)
                return id
            }
        } catch where sqlState(of: error) == "23505" {
            let detail = (error as? PSQLError)?.serverInfo?[.constraintName] ?? ""
            if detail.contains("name") { throw RegionRegistryError.nameTaken(name) }
            throw RegionRegistryError.positionTaken(x: gridX, y: gridY)
        }
    }

    /// Marks the region offline; its row and stored objects stay.
    @discardableResult
    public func deregister(id: UUID) async throws -> Bool {
        let rows = try await client.query("UPDATE regions SET online = false WHERE id = \(id) RETURNING id", logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// Removes the region's row and, by cascade, its stored objects (an operator's decision).
    @discardableResult
    public func remove(id: UUID) async throws -> Bool {
        let rows = try await client.query("DELETE FROM regions WHERE id = \(id) RETURNING id", logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    public func heartbeat(_ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await client.query("UPDATE regions SET heartbeat_at = now() WHERE id = ANY(\(ids)) AND online", logger: logger)
    }

    /// An online region by name; the empty name means the first online region by grid position.
    /// Every online region whose heartbeat is fresh.
    public func online() async throws -> [RegisteredRegion] {
        let stale = staleAfterSeconds
        let rows = try await client.query("""
            SELECT id, name, grid_x, grid_y, address, node_name, online FROM regions
            WHERE online AND heartbeat_at > now() - make_interval(secs => \(stale)) ORDER BY grid_y, grid_x
            """, logger: logger)
        var regions: [RegisteredRegion] = []
        for try await (id, name, x, y, address, node, online) in rows.decode((UUID, String, Int32, Int32, String, String, Bool).self) {
            regions.append(RegisteredRegion(id: id, name: name, gridX: x, gridY: y, address: address, node: node, online: online))
        }
        return regions
    }

    public func locate(name: String) async throws -> RegisteredRegion {
        let rows = try await client.query("""
            SELECT id, name, grid_x, grid_y, address, node_name, online FROM regions
            WHERE online AND (\(name) = '' OR name = \(name)) ORDER BY grid_y, grid_x LIMIT 1
            """, logger: logger)
        for try await (id, name, x, y, address, node, online) in rows.decode((UUID, String, Int32, Int32, String, String, Bool).self) {
            return RegisteredRegion(id: id, name: name, gridX: x, gridY: y, address: address, node: node, online: online)
        }
        throw RegionRegistryError.unknownRegion(name)
    }
}
