import Foundation
import Logging
import PostgresNIO

public enum RegionRegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    case positionTaken(x: Int32, y: Int32)
    case nameTaken(String)

    public var description: String {
        switch self {
        case .positionTaken(let x, let y): "grid position (\(x), \(y)) is already served by a live region"
        case .nameTaken(let name): "a region named \(name) is already registered"
        }
    }
}

/// Which region node serves which grid position. A position cannot be taken twice: the
/// UNIQUE (grid_x, grid_y) constraint decides, not a check-then-insert.
public struct RegionRegistry: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func register(name: String, gridX: Int32, gridY: Int32, address: String, node: String) async throws -> UUID {
        let id = UUID()
        do {
            try await client.query(
                """
                INSERT INTO regions (id, name, grid_x, grid_y, address, node_name)
                VALUES (\(id), \(name), \(gridX), \(gridY), \(address), \(node))
                """, logger: logger)
        } catch where sqlState(of: error) == "23505" {
            let detail = (error as? PSQLError)?.serverInfo?[.constraintName] ?? ""
            if detail.contains("name") { throw RegionRegistryError.nameTaken(name) }
            throw RegionRegistryError.positionTaken(x: gridX, y: gridY)
        }
        return id
    }

    /// Removes the region (and, by cascade, its persisted objects).
    @discardableResult
    public func deregister(id: UUID) async throws -> Bool {
        let rows = try await client.query("DELETE FROM regions WHERE id = \(id) RETURNING id", logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }
}
