import Foundation
import Logging
import PostgresNIO

/// An account as the admin console lists it.
public struct AccountSummary: Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var isAdmin: Bool
    public var disabled: Bool
    public var createdAt: Date
}

extension AccountStore {
    /// Accounts ordered by name (case-insensitive), those whose name contains `search` when
    /// given, starting after the name `after`.
    public func list(search: String? = nil, after: String? = nil, limit: Int) async throws -> [AccountSummary] {
        let pattern = search.map { "%" + $0.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" } ?? "%"
        var accounts: [AccountSummary] = []
        for try await (id, name, admin, disabled, created) in try await client.query("""
            SELECT id, name, is_admin, disabled, created_at FROM accounts
            WHERE name_key LIKE \(pattern) AND name_key > \(after?.lowercased() ?? "")
            ORDER BY name_key LIMIT \(max(1, min(limit, 1000)))
            """, logger: logger).decode((UUID, String, Bool, Bool, Date).self) {
            accounts.append(AccountSummary(id: id, name: name, isAdmin: admin, disabled: disabled, createdAt: created))
        }
        return accounts
    }

    public func isAdmin(id: UUID) async throws -> Bool {
        for try await admin in try await client.query("SELECT is_admin FROM accounts WHERE id = \(id)", logger: logger).decode(Bool.self) {
            return admin
        }
        return false
    }

    public func summary(named name: String) async throws -> AccountSummary? {
        for try await (id, name, admin, disabled, created) in try await client.query(
            "SELECT id, name, is_admin, disabled, created_at FROM accounts WHERE name_key = lower(\(name))", logger: logger
        ).decode((UUID, String, Bool, Bool, Date).self) {
            return AccountSummary(id: id, name: name, isAdmin: admin, disabled: disabled, createdAt: created)
        }
        return nil
    }

    /// Disables or enables an account; false when there is no such account. A disabled one
    /// cannot log in, and its sessions and admin tokens are revoked, so enabling it again does
    /// not bring them back (enabling also revokes any token left from before this rule).
    /// Disabling the last enabled admin is refused (`AdminError.lastActiveAdmin`).
    public func setDisabled(name: String, _ disabled: Bool) async throws -> Bool {
        let logger = logger
        return try await inTransaction(client, logger: logger, timeout: .seconds(10)) { connection in
            if disabled { try await AdminStore.refuseLastActiveAdmin(connection, name: name, logger: logger) }
            var found: (UUID, Bool)?
            for try await row in try await connection.query(
                "SELECT id, disabled FROM accounts WHERE name_key = lower(\(name)) FOR UPDATE", logger: logger
            ).decode((UUID, Bool).self) { found = row }
            guard let (account, wasDisabled) = found else { return false }
            guard wasDisabled != disabled else { return true }
            try await AdminStore.execute(connection, "UPDATE accounts SET disabled = \(disabled) WHERE id = \(account)", logger: logger)
            if disabled {
                try await AdminStore.execute(
                    connection, "UPDATE sessions SET revoked_at = now() WHERE account_id = \(account) AND revoked_at IS NULL", logger: logger)
            }
            try await AdminStore.revokeTokens(connection, of: account, logger: logger)
            return true
        }
    }
}
