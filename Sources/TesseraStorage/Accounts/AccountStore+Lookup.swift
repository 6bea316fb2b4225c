import Foundation
import PostgresNIO

extension AccountStore {
    public func account(id: UUID) async throws -> Account? {
        let rows = try await client.query("SELECT id, name FROM accounts WHERE id = \(id)", logger: logger)
        for try await (id, name) in rows.decode((UUID, String).self) { return Account(id: id, name: name) }
        return nil
    }
}

extension AccountStore {
    /// The account with this name, created if missing as an account without a password: no
    /// one can log in to it with a password, only with a session an operator tool issues
    /// (load-test bots). An existing account of that name is returned as it is.
    public func ensureServiceAccount(name: String) async throws -> Account {
        if let problem = Self.nameProblem(name) { throw AccountError.invalidName(problem) }
        let empty = ByteBuffer()
        _ = try await client.query("""
            INSERT INTO accounts (id, name, password_hash, password_salt, password_kdf)
            VALUES (\(UUID()), \(name), \(empty), \(empty), \(PasswordHasher.disabledDescriptor))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        guard let account = try await account(named: name) else { throw AccountError.invalidName("\(name) vanished while being created") }
        return account
    }
}
