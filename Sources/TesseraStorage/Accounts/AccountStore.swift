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
    /// A viewer login's MD5 is not 32 hex digits; the reason says what was wrong.
    case invalidViewerPassword(String)
    /// A viewer login for an account that has no viewer verifier yet (made before viewer
    /// logins existed and not logged in with its password since).
    case noViewerPassword

    public var description: String {
        switch self {
        case .invalidName(let reason): "invalid name: \(reason)"
        case .weakPassword: "passwords have at least 8 characters"
        case .nameTaken(let name): "the name \(name) is taken"
        case .badCredentials: "unknown name or wrong password"
        case .rateLimited: "too many failed logins; try again later"
        case .invalidSession: "the session token is unknown, expired or revoked"
        case .disabled: "this account is disabled"
        case .invalidViewerPassword(let reason): "the viewer password is not an MD5 hex digest: \(reason)"
        case .noViewerPassword:
            "this account has no viewer password yet: log in once with the Tessera client or have an admin set the password again"
        }
    }
}

/// What a login presents: the password itself, or the MD5 hex of it that a Second Life viewer
/// sends (`ViewerPassword`), checked against the account's viewer verifier.
public enum LoginSecret: Sendable {
    case password(String)
    case viewerMD5(String)
}

/// Accounts and password logins. Passwords are hashed with scrypt and never logged; each
/// account has two verifiers, both scrypt with the same parameters and their own salts: one of
/// the password, one of its MD5 hex (what Second Life viewers send). Failed logins are counted
/// per client address, and per address and account name, over a sliding window.
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
        let (hashed, viewer) = try await verifiers(of: password)
        let id = UUID()
        do {
            _ = try await client.query("""
                INSERT INTO accounts (id, name, password_hash, password_salt, password_kdf,
                    viewer_password_hash, viewer_password_salt, viewer_password_kdf)
                VALUES (\(id), \(name), \(ByteBuffer(bytes: hashed.hash)), \(ByteBuffer(bytes: hashed.salt)), \(hashed.descriptor),
                    \(ByteBuffer(bytes: viewer.hash)), \(ByteBuffer(bytes: viewer.salt)), \(viewer.descriptor))
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
    /// Throws `PasswordCheckQueue.Busy` when the check could not start in time. An account
    /// without a viewer verifier gains one here, at its first successful password login.
    public func authenticate(name: String, password: String, address: String) async throws -> Account {
        try await authenticate(name: name, secret: .password(password), address: address)
    }

    /// A Second Life viewer's login: `md5Hex` (32 hex digits, either case) is checked against
    /// the account's viewer verifier, with the same limits, answers and timing as a password
    /// login. An account without a viewer verifier is refused with `noViewerPassword`, which
    /// counts as a failed login (so it cannot be used to probe names more often than guesses).
    public func authenticate(name: String, viewerMD5 md5Hex: String, address: String) async throws -> Account {
        if let problem = ViewerPassword.problem(md5Hex) { throw AccountError.invalidViewerPassword(problem) }
        return try await authenticate(name: name, secret: .viewerMD5(md5Hex.lowercased()), address: address)
    }

    /// The one login path: limits, check, failure counting.
    public func authenticate(name: String, secret: LoginSecret, address: String) async throws -> Account {
        let source = LoginLimiter.source(of: address)
        let reservation = try await limiter.reserve([
            (subject: "address:" + source, limit: maxFailuresPerAddress),
            (subject: "name:" + source + " " + name.lowercased(), limit: maxFailuresPerName),
        ])
        do {
            let account = try await check(name: name, secret: secret)
            try await limiter.release(reservation)
            return account
        } catch let error as AccountError where error == .badCredentials || error == .noViewerPassword {
            // Unrecorded (the database failed), the row stays pending and counts for a minute.
            try? await limiter.recordFailure(reservation)
            throw error
        } catch {
            try? await limiter.release(reservation)
            throw error
        }
    }

    private func check(name: String, secret: LoginSecret) async throws -> Account {
        let rows = try await client.query("""
            SELECT id, name, password_hash, password_salt, password_kdf,
                viewer_password_hash, viewer_password_salt, viewer_password_kdf, disabled
            FROM accounts WHERE name_key = lower(\(name))
            """, logger: logger)
        var found: (UUID, String, ByteBuffer, ByteBuffer, String, ByteBuffer?, ByteBuffer?, String?, Bool)?
        for try await row in rows.decode((UUID, String, ByteBuffer, ByteBuffer, String, ByteBuffer?, ByteBuffer?, String?, Bool).self) {
            found = row
        }
        let presented = switch secret {
        case .password(let password): password
        case .viewerMD5(let md5Hex): md5Hex
        }
        let dummy = hasher
        guard let (id, storedName, hash, salt, descriptor, viewerHash, viewerSalt, viewerDescriptor, disabled) = found,
            descriptor != PasswordHasher.disabledDescriptor
        else {
            // No account, or one without a password: the same work as a wrong password.
            _ = try await checks.run { try dummy.verifyDummy(presented) }
            throw AccountError.badCredentials
        }
        var verifier = (hash: hash, salt: salt, descriptor: descriptor)
        if case .viewerMD5 = secret {
            guard let viewerHash, let viewerSalt, let viewerDescriptor else {
                // The same work as a wrong password, so timing adds nothing to the answer.
                _ = try await checks.run { try dummy.verifyDummy(presented) }
                throw AccountError.noViewerPassword
            }
            verifier = (viewerHash, viewerSalt, viewerDescriptor)
        }
        let matches = try await checks.run { [verifier] in
            try PasswordHasher.verify(
                presented, hash: Array(verifier.hash.readableBytesView), salt: Array(verifier.salt.readableBytesView),
                descriptor: verifier.descriptor)
        }
        guard matches else { throw AccountError.badCredentials }
        // Only after the password checked out: a disabled account is not revealed to guessers.
        if disabled { throw AccountError.disabled }
        if case .password(let password) = secret, viewerHash == nil {
            await addViewerVerifier(account: id, password: password, passwordHash: hash)
        }
        return Account(id: id, name: storedName)
    }

    /// Both verifiers of a new password, made with the grid's current parameters.
    func verifiers(of password: String) async throws -> (password: PasswordHasher.Hashed, viewer: PasswordHasher.Hashed) {
        let hasher = hasher
        return try await checks.run { (try hasher.hash(password), try hasher.hash(ViewerPassword.md5Hex(of: password))) }
    }

    /// Gives an account made before viewer logins its viewer verifier, from the password that
    /// just logged in. Written only while the account still has none and its password is still
    /// the one checked (a password set meanwhile wrote both verifiers). A failure is logged and
    /// does not fail the login: the next one tries again.
    private func addViewerVerifier(account: UUID, password: String, passwordHash: ByteBuffer) async {
        let hasher = hasher
        do {
            let viewer = try await checks.run { try hasher.hash(ViewerPassword.md5Hex(of: password)) }
            _ = try await client.query("""
                UPDATE accounts SET viewer_password_hash = \(ByteBuffer(bytes: viewer.hash)),
                    viewer_password_salt = \(ByteBuffer(bytes: viewer.salt)), viewer_password_kdf = \(viewer.descriptor)
                WHERE id = \(account) AND viewer_password_hash IS NULL AND password_hash = \(passwordHash)
                """, logger: logger)
        } catch {
            logger.warning("could not store an account's viewer password verifier", metadata: [
                "account": "\(account)", "error": "\(String(reflecting: error))",
            ])
        }
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
