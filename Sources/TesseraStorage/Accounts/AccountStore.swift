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
    /// Too many failed logins for this name or from this address; try again later.
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
/// logins are counted per account name and per client address over a sliding window.
public struct AccountStore: Sendable {
    public let client: PostgresClient
    let logger: Logger
    public var hasher: PasswordHasher
    /// Failed logins allowed per name, and per address, within `failureWindow`.
    public var maxFailuresPerName = 5
    public var maxFailuresPerAddress = 20
    public var failureWindowSeconds = 300

    public init(client: PostgresClient, logger: Logger, hasher: PasswordHasher = .standard) {
        self.client = client
        self.logger = logger
        self.hasher = hasher
    }

    public func create(name: String, password: String) async throws -> Account {
        if let problem = Self.nameProblem(name) { throw AccountError.invalidName(problem) }
        guard password.count >= 8 else { throw AccountError.weakPassword }
        let hasher = hasher
        let hashed = try await NIOThreadPool.singleton.runIfActive { try hasher.hash(password) }
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

    /// Checks a name and password; `address` is the client's network address.
    public func authenticate(name: String, password: String, address: String) async throws -> Account {
        let nameKey = "name:" + name.lowercased()
        let addressKey = "address:" + address
        let (nameFailures, addressFailures) = try await recentFailures(nameKey, addressKey)
        guard nameFailures < maxFailuresPerName, addressFailures < maxFailuresPerAddress else {
            throw AccountError.rateLimited
        }
        let rows = try await client.query("""
            SELECT id, name, password_hash, password_salt, password_kdf, disabled FROM accounts WHERE name_key = lower(\(name))
            """, logger: logger)
        var found: (UUID, String, ByteBuffer, ByteBuffer, String, Bool)?
        for try await row in rows.decode((UUID, String, ByteBuffer, ByteBuffer, String, Bool).self) { found = row }
        if let (id, storedName, hash, salt, descriptor, disabled) = found,
            // The KDF is slow by design: it runs on the blocking pool, not on the event loops.
            try await NIOThreadPool.singleton.runIfActive({
                try PasswordHasher.verify(password, hash: Array(hash.readableBytesView), salt: Array(salt.readableBytesView), descriptor: descriptor)
            })
        {
            // Only after the password checked out: a disabled account is not revealed to guessers.
            if disabled { throw AccountError.disabled }
            return Account(id: id, name: storedName)
        }
        _ = try await client.query(
            "INSERT INTO login_failures (subject) VALUES (\(nameKey)), (\(addressKey))", logger: logger
        )
        throw AccountError.badCredentials
    }

    private func recentFailures(_ nameKey: String, _ addressKey: String) async throws -> (Int, Int) {
        let rows = try await client.query("""
            SELECT count(*) FILTER (WHERE subject = \(nameKey)), count(*) FILTER (WHERE subject = \(addressKey))
            FROM login_failures
            WHERE subject IN (\(nameKey), \(addressKey)) AND failed_at > now() - make_interval(secs => \(failureWindowSeconds))
            """, logger: logger)
        for try await (byName, byAddress) in rows.decode((Int, Int).self) { return (byName, byAddress) }
        return (0, 0)
    }

    public func account(named name: String) async throws -> Account? {
        let rows = try await client.query("SELECT id, name FROM accounts WHERE name_key = lower(\(name))", logger: logger)
        for try await (id, name) in rows.decode((UUID, String).self) { return Account(id: id, name: name) }
        return nil
    }

    static func nameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.trimmingCharacters(in: .whitespaces) == name else {
            return "a name is non-empty, without leading or trailing spaces"
        }
        guard name.utf8.count <= maxNameBytes else { return "a name has at most \(maxNameBytes) bytes" }
        guard !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            return "a name has no control characters"
        }
        return nil
    }
}
