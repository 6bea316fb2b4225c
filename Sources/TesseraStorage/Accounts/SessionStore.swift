import Crypto
import Foundation
import Logging
import PostgresNIO

/// Session tokens issued at login. The client holds the token; the database holds only its
/// SHA-256, so a copy of the database does not let anyone log in.
public struct SessionStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    public var lifetimeSeconds = 24 * 3600

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// A new token for `account`, valid for `lifetimeSeconds`.
    public func issue(for account: UUID, lifetimeSeconds: Int? = nil) async throws -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let token = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let lifetime = lifetimeSeconds ?? self.lifetimeSeconds
        _ = try await client.query("""
            INSERT INTO sessions (token_hash, account_id, expires_at)
            VALUES (\(Self.digest(token)), \(account), now() + make_interval(secs => \(lifetime)))
            """, logger: logger)
        return token
    }

    /// The account of a valid (known, unexpired, unrevoked) token.
    public func validate(_ token: String) async throws -> UUID {
        let rows = try await client.query("""
            SELECT s.account_id FROM sessions s JOIN accounts a ON a.id = s.account_id
            WHERE s.token_hash = \(Self.digest(token)) AND s.revoked_at IS NULL AND s.expires_at > now() AND NOT a.disabled
            """, logger: logger)
        for try await account in rows.decode(UUID.self) { return account }
        throw AccountError.invalidSession
    }

    public func revoke(_ token: String) async throws {
        _ = try await client.query(
            "UPDATE sessions SET revoked_at = now() WHERE token_hash = \(Self.digest(token)) AND revoked_at IS NULL",
            logger: logger
        )
    }

    /// Revokes every session of an account (e.g. after a password change or a ban).
    public func revokeAll(for account: UUID) async throws {
        _ = try await client.query(
            "UPDATE sessions SET revoked_at = now() WHERE account_id = \(account) AND revoked_at IS NULL", logger: logger
        )
    }

    static func digest(_ token: String) -> ByteBuffer {
        ByteBuffer(bytes: Array(SHA256.hash(data: Array(token.utf8))))
    }
}
