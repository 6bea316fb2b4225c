import Foundation
import NIOPosix
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
    /// (load-test bots). An existing account of that name is returned only if it is such an
    /// account too: an avatar's account with a password is never handed to a tool.
    public func ensureServiceAccount(name: String) async throws -> Account {
        if let problem = Self.nameProblem(name) { throw AccountError.invalidName(problem) }
        // Random bytes stand in for a hash and salt that no password can match.
        let filler = ByteBuffer(bytes: (0..<32).map { _ in UInt8.random(in: 0...255) })
        _ = try await client.query("""
            INSERT INTO accounts (id, name, password_hash, password_salt, password_kdf)
            VALUES (\(UUID()), \(name), \(filler), \(filler), \(PasswordHasher.disabledDescriptor))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        let rows = try await client.query("SELECT id, name, password_kdf FROM accounts WHERE name_key = lower(\(name))", logger: logger)
        for try await (id, storedName, kdf) in rows.decode((UUID, String, String).self) {
            guard kdf == PasswordHasher.disabledDescriptor else { throw AccountError.nameTaken(storedName) }
            return Account(id: id, name: storedName)
        }
        throw AccountError.invalidName("\(name) vanished while being created")
    }
}

extension AccountStore {
    /// Replaces an account's password (and its hashing parameters) and its viewer verifier, in
    /// one statement; false for an unknown name.
    @discardableResult
    public func setPassword(name: String, password: String) async throws -> Bool {
        guard password.count >= 8 else { throw AccountError.weakPassword }
        let (hashed, viewer) = try await verifiers(of: password)
        let rows = try await client.query("""
            UPDATE accounts SET password_hash = \(ByteBuffer(bytes: hashed.hash)), password_salt = \(ByteBuffer(bytes: hashed.salt)),
                password_kdf = \(hashed.descriptor), viewer_password_hash = \(ByteBuffer(bytes: viewer.hash)),
                viewer_password_salt = \(ByteBuffer(bytes: viewer.salt)), viewer_password_kdf = \(viewer.descriptor)
            WHERE name_key = lower(\(name)) RETURNING id
            """, logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }
}
