import Foundation
import Logging
import PostgresNIO

/// Whether non-admin accounts may log in (an admin closes the grid for maintenance, with a
/// message the refused get). Stored in `grid_settings`, so every client manager and a restart
/// see the same.
public struct LoginGate: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public struct State: Sendable, Hashable {
        public var enabled: Bool
        public var message: String
    }

    public func state() async throws -> State {
        for try await message in try await client.query(
            "SELECT value FROM grid_settings WHERE key = 'logins_disabled'", logger: logger
        ).decode(String.self) {
            return State(enabled: false, message: message)
        }
        return State(enabled: true, message: "")
    }

    public func disable(message: String) async throws {
        let text = message.isEmpty ? "logins are closed for maintenance; try again later" : String(message.prefix(1000))
        _ = try await client.query("""
            INSERT INTO grid_settings (key, value) VALUES ('logins_disabled', \(text))
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
            """, logger: logger)
    }

    public func enable() async throws {
        _ = try await client.query("DELETE FROM grid_settings WHERE key = 'logins_disabled'", logger: logger)
    }
}
