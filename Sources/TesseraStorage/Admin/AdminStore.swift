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
    /// Disabling the account, or taking its role, would leave the grid without an enabled admin.
    case lastActiveAdmin(String)
    /// A disabled account gets no token: enabling it must not bring back what it had.
    case disabledAccount(String)

    public var description: String {
        switch self {
        case .unknownAccount(let name): "no account named \(name)"
        case .notAdmin(let name): "\(name) is not an admin (grant the role first: tessera admin grant \(name))"
        case .badLifetime(let days): "a token lives 1 to 365 days, not \(days)"
        case .lastActiveAdmin(let name):
            "\(name) is the last enabled admin; make another admin first (tessera admin grant NAME, tessera user enable NAME)"
        case .disabledAccount(let name): "\(name) is disabled (enable it first: tessera user enable \(name))"
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

    /// Gives or takes the admin role; false when there is no such account. Taking it from the
    /// last enabled admin is refused (`lastActiveAdmin`). Whenever the role changes, the
    /// account's admin tokens are revoked: taken, they stop working; given back, the tokens
    /// of an earlier grant stay dead.
    @discardableResult
    public func setAdmin(name: String, _ admin: Bool) async throws -> Bool {
        let logger = logger
        return try await inTransaction(client, logger: logger, timeout: .seconds(10)) { connection in
            if !admin { try await Self.refuseLastActiveAdmin(connection, name: name, logger: logger) }
            var found: (UUID, Bool)?
            for try await row in try await connection.query(
                "SELECT id, is_admin FROM accounts WHERE name_key = lower(\(name)) FOR UPDATE", logger: logger
            ).decode((UUID, Bool).self) { found = row }
            guard let (account, wasAdmin) = found else { return false }
            guard wasAdmin != admin else { return true }
            try await Self.execute(connection, "UPDATE accounts SET is_admin = \(admin) WHERE id = \(account)", logger: logger)
            try await Self.revokeTokens(connection, of: account, logger: logger)
            return true
        }
    }

    /// Throws `lastActiveAdmin` when the account `name` is the only enabled admin. Locks every
    /// enabled admin's row (in id order) until the transaction ends, so two transactions that
    /// each disable a different one of the last two admins cannot both pass.
    static func refuseLastActiveAdmin(_ connection: PostgresConnection, name: String, logger: Logger) async throws {
        var active: [Bool] = []
        for try await isTarget in try await connection.query("""
            SELECT name_key = lower(\(name)) FROM accounts WHERE is_admin AND NOT disabled ORDER BY id FOR UPDATE
            """, logger: logger).decode(Bool.self) { active.append(isTarget) }
        if active == [true] { throw AdminError.lastActiveAdmin(name) }
    }

    /// Revokes every admin token of an account that is not revoked yet.
    static func revokeTokens(_ connection: PostgresConnection, of account: UUID, logger: Logger) async throws {
        try await execute(
            connection, "UPDATE admin_tokens SET revoked_at = now() WHERE account_id = \(account) AND revoked_at IS NULL", logger: logger)
    }

    /// Runs a statement and reads its (empty) result, which is what surfaces its errors.
    static func execute(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await connection.query(query, logger: logger) {}
    }

    /// A new token for an admin account; the token is returned once and never stored.
    public func createToken(forAdmin name: String, label: String = "", lifetimeDays: Int = 30) async throws -> (id: UUID, token: String) {
        guard (1...365).contains(lifetimeDays) else { throw AdminError.badLifetime(lifetimeDays) }
        var found: (UUID, Bool, Bool)?
        for try await row in try await client.query(
            "SELECT id, is_admin, disabled FROM accounts WHERE name_key = lower(\(name))", logger: logger
        ).decode((UUID, Bool, Bool).self) { found = row }
        guard let (account, isAdmin, disabled) = found else { throw AdminError.unknownAccount(name) }
        guard isAdmin else { throw AdminError.notAdmin(name) }
        guard !disabled else { throw AdminError.disabledAccount(name) }
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
        // Only what `createToken` makes (`tsa_` and 43 characters) is looked up.
        guard token.hasPrefix("tsa_"), token.utf8.count == 47 else { return nil }
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
                \(Self.storable(action, 100)), \(Self.storable(target, 200)), \(Self.storable(result, 200)), \(Self.storable(detail, 2000)))
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

    /// At most `limit` characters, with U+0000 (which PostgreSQL cannot store) shown as U+FFFD:
    /// the trail records whatever was tried, even text the console refuses.
    static func storable(_ text: String, _ limit: Int) -> String {
        String(text.prefix(limit)).replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }

    static func digest(_ token: String) -> ByteBuffer {
        ByteBuffer(bytes: Array(SHA256.hash(data: Array(token.utf8))))
    }
}
