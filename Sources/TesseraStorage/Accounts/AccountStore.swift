import Foundation
import Logging
import NIOPosix
import PostgresNIO
import TesseraWorld

/// An avatar account.
public struct Account: Sendable, Hashable {
    public var id: UUID
    public var name: String
}

public enum AccountError: Error, Equatable, CustomStringConvertible {
    case invalidName(String)
    case weakPassword
    case nameTaken(String)
    /// Unknown name or wrong password: one answer for both, so logins cannot probe names.
    case badCredentials
    /// Too many failed logins for this name from this address, or from this address; try again later.
    case rateLimited
    case invalidSession
    /// An admin disabled the account.
    case disabled

    public var description: String {
        switch self {
        case .invalidName(let reason): "invalid name: \(reason)"
        case .weakPassword: "passwords have at least 8 characters"
        case .nameTaken(let name): "the name \(name) is taken"
        case .badCredentials: "unknown name or wrong password"
        case .rateLimited: "too many failed logins; try again later"
        case .invalidSession: "the session token is unknown, expired or revoked"
        case .disabled: "this account is disabled"
        }
    }
}

/// Accounts and password logins. Passwords are hashed with scrypt and never logged; failed
/// logins are counted per client address, and per address and account name, over a sliding
/// window.
public struct AccountStore: Sendable {
    public let client: PostgresClient
    let logger: Logger
    public var hasher: PasswordHasher
    /// Failed logins allowed per address and name, and per address, within `failureWindow`.
    public var maxFailuresPerName = 5
    public var maxFailuresPerAddress = 20
    public var failureWindowSeconds = 300
    /// Where the KDF runs, for logins and for new passwords.
    public var checks: PasswordCheckQueue

    public init(client: PostgresClient, logger: Logger, hasher: PasswordHasher = .standard, checks: PasswordCheckQueue = .shared) {
        self.client = client
        self.logger = logger
        self.hasher = hasher
        self.checks = checks
    }

    var limiter: LoginLimiter { LoginLimiter(client: client, logger: logger, windowSeconds: failureWindowSeconds) }

    public func create(name: String, password: String) async throws -> Account {
        if let problem = Self.nameProblem(name) { throw AccountError.invalidName(problem) }
        guard password.count >= 8 else { throw AccountError.weakPassword }
        let hasher = hasher
        let hashed = try await checks.run { try hasher.hash(password) }
        let id = UUID()
        do {
            _ = try await client.query("""
                INSERT INTO accounts (id, name, password_hash, password_salt, password_kdf)
                VALUES (\(id), \(name), \(ByteBuffer(bytes: hashed.hash)), \(ByteBuffer(bytes: hashed.salt)), \(hashed.descriptor))
                """, logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw AccountError.nameTaken(name)
        }
        return Account(id: id, name: name)
    }

    /// Checks a name and password; `address` is the client's network address. Failed attempts
    /// are limited per address and per address and name ([LoginLimiter]); a stranger cannot
    /// lock an account for anyone else. An unknown name costs the same KDF work as a wrong
    /// password (it is checked against a dummy hash), so timing does not tell which names exist.
    /// Throws `PasswordCheckQueue.Busy` when the check could not start in time.
    public func authenticate(name: String, password: String, address: String) async throws -> Account {
        let source = LoginLimiter.source(of: address)
        let reservation = try await limiter.reserve([
            (subject: "address:" + source, limit: maxFailuresPerAddress),
            (subject: "name:" + source + " " + name.lowercased(), limit: maxFailuresPerName),
        ])
        do {
            let account = try await check(name: name, password: password)
            try await limiter.release(reservation)
            return account
        } catch AccountError.badCredentials {
            // Unrecorded (the database failed), the row stays pending and counts for a minute.
            try? await limiter.recordFailure(reservation)
            throw AccountError.badCredentials
        } catch {
            try? await limiter.release(reservation)
            throw error
        }
    }

    private func check(name: String, password: String) async throws -> Account {
        let rows = try await client.query("""
            SELECT id, name, password_hash, password_salt, password_kdf, disabled FROM accounts WHERE name_key = lower(\(name))
            """, logger: logger)
        var found: (UUID, String, ByteBuffer, ByteBuffer, String, Bool)?
        for try await row in rows.decode((UUID, String, ByteBuffer, ByteBuffer, String, Bool).self) { found = row }
        guard let (id, storedName, hash, salt, descriptor, disabled) = found, descriptor != PasswordHasher.disabledDescriptor else {
            // No account, or one without a password: the same work as a wrong password.
            let dummy = hasher
            _ = try await checks.run { try dummy.verifyDummy(password) }
            throw AccountError.badCredentials
        }
        let matches = try await checks.run {
            try PasswordHasher.verify(password, hash: Array(hash.readableBytesView), salt: Array(salt.readableBytesView), descriptor: descriptor)
        }
        guard matches else { throw AccountError.badCredentials }
        // Only after the password checked out: a disabled account is not revealed to guessers.
        if disabled { throw AccountError.disabled }
        return Account(id: id, name: storedName)
    }

    public func account(named name: String) async throws -> Account? {
        let rows = try await client.query("SELECT id, name FROM accounts WHERE name_key = lower(\(name))", logger: logger)
        for try await (id, name) in rows.decode((UUID, String).self) { return Account(id: id, name: name) }
        return nil
    }

    /// Every account name follows the one rule of `AvatarName` (the CLI, the admin console and
    /// bot accounts all create accounts here).
    static func nameProblem(_ name: String) -> String? {
        AvatarName.problem(name)
    }
}
