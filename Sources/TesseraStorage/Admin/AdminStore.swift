import Crypto
import Foundation
import Logging
import PostgresNIO

/// Who an admin request is: a valid admin token of an enabled admin account.
public struct AdminPrincipal: Sendable, Hashable {
    public var accountID: UUID
    public var name: String
    public var tokenID: UUID
}

/// An admin token as listed (never the token itself, which only its creator ever sees).
public struct AdminTokenInfo: Sendable, Hashable {
    public var id: UUID
    public var accountName: String
    public var label: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    public var lastUsedAt: Date?
}

/// One line of the audit trail.
public struct AuditEntry: Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var target: String
    public var result: String
    public var detail: String
}

public enum AdminError: Error, Equatable, CustomStringConvertible {
    case unknownAccount(String)
    case notAdmin(String)
    case badLifetime(Int)

    public var description: String {
        switch self {
        case .unknownAccount(let name): "no account named \(name)"
        case .notAdmin(let name): "\(name) is not an admin (grant the role first: tessera admin grant \(name))"
        case .badLifetime(let days): "a token lives 1 to 365 days, not \(days)"
        }
    }
}

/// The admin role, admin bearer tokens (stored as SHA-256 only) and the audit trail.
public struct AdminStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Gives or takes the admin role; false when there is no such account.
    @discardableResult
    public func setAdmin(name: String, _ admin: Bool) async throws -> Bool {
        let rows = try await client.query(
            "UPDATE accounts SET is_admin = \(admin) WHERE name_key = lower(\(name)) RETURNING id", logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// A new token for an admin account; the token is returned once and never stored.
    public func createToken(forAdmin name: String, label: String = "", lifetimeDays: Int = 30) async throws -> (id: UUID, token: String) {
        guard (1...365).contains(lifetimeDays) else { throw AdminError.badLifetime(lifetimeDays) }
        var found: (UUID, Bool)?
        for try await row in try await client.query(
            "SELECT id, is_admin FROM accounts WHERE name_key = lower(\(name))", logger: logger
        ).decode((UUID, Bool).self) { found = row }
        guard let (account, isAdmin) = found else { throw AdminError.unknownAccount(name) }
        guard isAdmin else { throw AdminError.notAdmin(name) }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let token = "tsa_" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let id = UUID()
        _ = try await client.query("""
            INSERT INTO admin_tokens (id, account_id, token_hash, label, expires_at)
            VALUES (\(id), \(account), \(Self.digest(token)), \(String(label.prefix(100))), now() + make_interval(days => \(Int32(lifetimeDays))))
            """, logger: logger)
        return (id, token)
    }

    /// The principal of a token that is known, unexpired, unrevoked, of an enabled admin; nil otherwise.
    public func authenticate(_ token: String) async throws -> AdminPrincipal? {
        guard token.utf8.count <= 200 else { return nil }
        let rows = try await client.query("""
            UPDATE admin_tokens t SET last_used_at = now()
            FROM accounts a
            WHERE t.token_hash = \(Self.digest(token)) AND t.revoked_at IS NULL AND t.expires_at > now()
              AND a.id = t.account_id AND a.is_admin AND NOT a.disabled
            RETURNING a.id, a.name, t.id
            """, logger: logger)
        for try await (account, name, tokenID) in rows.decode((UUID, String, UUID).self) {
            return AdminPrincipal(accountID: account, name: name, tokenID: tokenID)
        }
        return nil
    }

    /// Revokes a token by id; false when there is none, or it was revoked already.
    @discardableResult
    public func revoke(tokenID: UUID) async throws -> Bool {
        let rows = try await client.query(
            "UPDATE admin_tokens SET revoked_at = now() WHERE id = \(tokenID) AND revoked_at IS NULL RETURNING id", logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    public func tokens() async throws -> [AdminTokenInfo] {
        var tokens: [AdminTokenInfo] = []
        for try await (id, name, label, created, expires, revoked, used) in try await client.query("""
            SELECT t.id, a.name, t.label, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
            FROM admin_tokens t JOIN accounts a ON a.id = t.account_id ORDER BY t.created_at, t.id
            """, logger: logger).decode((UUID, String, String, Date, Date, Date?, Date?).self) {
            tokens.append(AdminTokenInfo(id: id, accountName: name, label: label, createdAt: created, expiresAt: expires, revokedAt: revoked, lastUsedAt: used))
        }
        return tokens
    }

    /// Appends one line to the audit trail (`principal` nil: an unauthenticated attempt).
    public func audit(_ principal: AdminPrincipal?, action: String, target: String = "", result: String, detail: String = "") async throws {
        _ = try await client.query("""
            INSERT INTO admin_audit (account_id, actor, token_id, action, target, result, detail)
            VALUES (\(principal?.accountID), \(principal?.name ?? "anonymous"), \(principal?.tokenID),
                \(String(action.prefix(100))), \(String(target.prefix(200))), \(String(result.prefix(200))), \(String(detail.prefix(2000))))
            """, logger: logger)
    }

    /// The newest entries first, `limit` of them, older than `before` (an entry id) when given.
    public func auditPage(limit: Int, before: Int64? = nil) async throws -> [AuditEntry] {
        let limit = max(1, min(limit, 1000))
        var entries: [AuditEntry] = []
        for try await (id, at, actor, action, target, result, detail) in try await client.query("""
            SELECT id, at, actor, action, target, result, detail FROM admin_audit
            WHERE \(before ?? Int64.max) > id ORDER BY id DESC LIMIT \(limit)
            """, logger: logger).decode((Int64, Date, String, String, String, String, String).self) {
            entries.append(AuditEntry(id: id, at: at, actor: actor, action: action, target: target, result: result, detail: detail))
        }
        return entries
    }

    static func digest(_ token: String) -> ByteBuffer {
        ByteBuffer(bytes: Array(SHA256.hash(data: Array(token.utf8))))
    }
}
