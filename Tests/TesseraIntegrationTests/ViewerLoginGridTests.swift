import Foundation
import Logging
import PostgresNIO
import Testing
import TesseraGrid
import TesseraGridProtocol
import TesseraStorage
import TesseraTesting
import TesseraWire

/// Second Life viewer logins (`viewerLogin`, the password's MD5 checked against the account's
/// viewer verifier) performed by `GridOperations` on a fresh database, beside password logins.
@Suite("Viewer logins (MD5 pre-hash) through the grid calls")
struct ViewerLoginGridTests {
    static let password = "analytical engine"
    /// MD5("analytical engine"), as a viewer sends it after "$1$".
    static let md5 = "a3418898356f461ea5b5e151d7e0861a"

    struct Fixture {
        let client: PostgresClient
        let operations: GridOperations
        let ada: UUID

        func call(_ call: GridCall) async -> Result<GridAnswer, CallStatus> {
            await operations.perform(call, for: .clientManager)
        }

        func grant(_ call: GridCall) async throws -> SessionGrant {
            switch await self.call(call) {
            case .success(.session(let grant)): return grant
            case let other: throw CallStatus(.serviceUnavailable, "\(call) answered \(other)")
            }
        }

        func refusal(_ call: GridCall) async -> CallStatus? {
            if case .failure(let status) = await self.call(call) { return status }
            Issue.record("\(call) was not refused")
            return nil
        }

        func viewerLogin(_ name: String = "Ada Lovelace", md5: String, from address: String = "198.51.100.1") -> GridCall {
            .viewerLogin(name: name, md5Hex: md5, address: address)
        }

        func scalar<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> T? {
            for try await value in try await client.query(query, logger: ViewerLoginGridTests.logger).decode(T.self) { return value }
            return nil
        }

        var failuresRecorded: Int {
            get async throws {
                try await scalar("SELECT count(*)::int8 FROM login_failures WHERE subject LIKE 'name:%'", as: Int.self) ?? -1
            }
        }

        /// An account as made before viewer logins existed: no viewer verifier.
        func forgetViewerVerifier(of name: String) async throws {
            _ = try await client.query("""
                UPDATE accounts SET viewer_password_hash = NULL, viewer_password_salt = NULL, viewer_password_kdf = NULL
                WHERE name_key = lower(\(name))
                """, logger: ViewerLoginGridTests.logger)
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "tessera.viewer-login-test")
        logger.logLevel = .critical
        return logger
    }()
    static func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let settings = try await TestDatabases.fresh(migrationsDirectory: migrationsDirectory, logger: logger)
        try await withDatabase(settings, logger: logger) { client in
            let operations = GridOperations(client: client, logger: logger, hasher: PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1))
            let ada = try await operations.accounts.create(name: "Ada Lovelace", password: password).id
            try await body(Fixture(client: client, operations: operations, ada: ada))
        }
    }

    @Test("the viewer secret is the lowercase hex MD5 of the password's UTF-8")
    func viewerSecret() {
        #expect(ViewerPassword.md5Hex(of: Self.password) == Self.md5)
        #expect(ViewerPassword.md5Hex(of: "") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(ViewerPassword.md5Hex(of: "✓ password") == "707ae08a9c202abad4795f19ee44487d")
    }

    @Test("a viewer login with the password's MD5 gets a session like a password login; the MD5 is stored only behind the KDF")
    func rightMD5() async throws {
        try await Self.withFixture { fixture in
            let viewer = try await fixture.grant(fixture.viewerLogin(md5: Self.md5))
            #expect(viewer.account == fixture.ada)
            #expect(viewer.name == "Ada Lovelace")
            #expect(viewer.token.count == 43, "256 random bits, base64url without padding")
            // Valid for the default 24 hours (issued within the last minute).
            let now = UInt64(Date().timeIntervalSince1970 * 1000)
            #expect(viewer.expiresMillis > now + 86_340_000 && viewer.expiresMillis <= now + 86_400_000)
            let plain = try await fixture.grant(.login(name: "ada lovelace", password: Self.password, address: "198.51.100.1"))
            #expect(plain.account == viewer.account && plain.name == viewer.name && plain.token != viewer.token)
            // The viewer's token is a session like any other.
            let resumed = try await fixture.grant(.resumeSession(token: viewer.token))
            #expect(resumed.account == fixture.ada)
            // Upper-case hex is the same MD5.
            #expect(try await fixture.grant(fixture.viewerLogin(md5: Self.md5.uppercased())).account == fixture.ada)
            // The row: two verifiers, same KDF parameters, different salts, neither holds the MD5.
            for try await (hash, salt, kdf, viewerHash, viewerSalt, viewerKDF) in try await fixture.client.query(
                "SELECT password_hash, password_salt, password_kdf, viewer_password_hash, viewer_password_salt, viewer_password_kdf FROM accounts",
                logger: Self.logger
            ).decode((ByteBuffer, ByteBuffer, String, ByteBuffer, ByteBuffer, String).self) {
                #expect(kdf == "scrypt:1024:8:1")
                #expect(viewerKDF == kdf)
                #expect(viewerHash.readableBytes == 32 && viewerSalt.readableBytes == 16)
                #expect(viewerSalt != salt && viewerHash != hash)
                let stored = String(decoding: viewerHash.readableBytesView, as: UTF8.self)
                #expect(!stored.contains(Self.md5.prefix(8)))
                #expect(Array(viewerHash.readableBytesView) != Array(md5Bytes(Self.md5)))
            }
            #expect(try await fixture.failuresRecorded == 0)
        }
    }

    @Test("a wrong MD5 and an unknown name are refused alike, and counted as failed logins")
    func refused() async throws {
        try await Self.withFixture { fixture in
            let wrong = await fixture.refusal(fixture.viewerLogin(md5: ViewerPassword.md5Hex(of: "analytical engine!")))
            #expect(wrong == CallStatus(.badCredentials, "unknown name or wrong password"))
            let unknown = await fixture.refusal(fixture.viewerLogin("Nobody Here", md5: Self.md5))
            #expect(unknown == wrong)
            // The plain password is not a viewer secret (nor its MD5 a password).
            #expect(await fixture.refusal(.login(name: "Ada Lovelace", password: Self.md5, address: "198.51.100.1")) == wrong)
            let recorded = try await fixture.failuresRecorded
            #expect(recorded == 3)
        }
    }

    @Test("viewer and password logins share one failure budget per address and name")
    func sharedLimits() async throws {
        try await Self.withFixture { fixture in
            // The default budget: 5 failures per address and name.
            for attempt in 0..<3 {
                _ = await fixture.refusal(.login(name: "Ada Lovelace", password: "guess \(attempt)", address: "198.51.100.1"))
            }
            for attempt in 0..<2 {
                _ = await fixture.refusal(fixture.viewerLogin(md5: ViewerPassword.md5Hex(of: "guess \(attempt)")))
            }
            let limited = CallStatus(.rateLimited, "too many failed logins; try again later")
            #expect(await fixture.refusal(fixture.viewerLogin(md5: Self.md5)) == limited)
            #expect(await fixture.refusal(.login(name: "Ada Lovelace", password: Self.password, address: "198.51.100.1")) == limited)
            // From elsewhere the owner still gets in.
            let elsewhere = try await fixture.grant(fixture.viewerLogin(md5: Self.md5, from: "192.0.2.9"))
            #expect(elsewhere.account == fixture.ada)
        }
    }

    @Test("a malformed MD5 is refused naming what is wrong, and is not counted as a guess")
    func malformed() async throws {
        try await Self.withFixture { fixture in
            let short = await fixture.refusal(fixture.viewerLogin(md5: "abc"))
            #expect(short == CallStatus(.invalidValue, "the viewer password is not an MD5 hex digest: 3 bytes where 32 hex digits belong"))
            let prefixed = await fixture.refusal(fixture.viewerLogin(md5: "$1$" + String(Self.md5.prefix(29))))
            #expect(prefixed == CallStatus(
                .invalidValue, "the viewer password is not an MD5 hex digest: characters other than the hex digits 0-9 and a-f"))
            let recorded = try await fixture.failuresRecorded
            #expect(recorded == 0)
            // The store checks too, for callers in the same process.
            await #expect(throws: AccountError.invalidViewerPassword("it has characters other than the hex digits 0-9 and a-f")) {
                try await fixture.operations.accounts.authenticate(name: "Ada Lovelace", viewerMD5: String(repeating: "z", count: 32), address: "1.2.3.4")
            }
        }
    }

    @Test("an account made before viewer logins is refused with a clear message, gains its verifier at its next password login, then logs in as a viewer")
    func accountFromBefore() async throws {
        try await Self.withFixture { fixture in
            try await fixture.forgetViewerVerifier(of: "Ada Lovelace")
            let refused = await fixture.refusal(fixture.viewerLogin(md5: Self.md5))
            #expect(refused == CallStatus(
                .badCredentials,
                "this account has no viewer password yet: log in once with the Tessera client or have an admin set the password again"))
            #expect(try await fixture.failuresRecorded == 1, "counted like a wrong password")
            #expect(try await fixture.scalar("SELECT count(*)::int8 FROM accounts WHERE viewer_password_hash IS NULL", as: Int.self) == 1)
            // A wrong password adds nothing.
            _ = await fixture.refusal(.login(name: "Ada Lovelace", password: "not it at all", address: "198.51.100.2"))
            #expect(try await fixture.scalar("SELECT count(*)::int8 FROM accounts WHERE viewer_password_hash IS NULL", as: Int.self) == 1)
            // The password login stores the viewer verifier.
            _ = try await fixture.grant(.login(name: "Ada Lovelace", password: Self.password, address: "198.51.100.2"))
            #expect(try await fixture.scalar(
                "SELECT viewer_password_kdf FROM accounts WHERE viewer_password_hash IS NOT NULL AND octet_length(viewer_password_salt) = 16",
                as: String.self) == "scrypt:1024:8:1")
            #expect(try await fixture.grant(fixture.viewerLogin(md5: Self.md5)).account == fixture.ada)
            // Another password login leaves the verifier as it is.
            let before = try await fixture.scalar("SELECT viewer_password_salt FROM accounts", as: ByteBuffer.self)
            _ = try await fixture.grant(.login(name: "Ada Lovelace", password: Self.password, address: "198.51.100.2"))
            #expect(try await fixture.scalar("SELECT viewer_password_salt FROM accounts", as: ByteBuffer.self) == before)
        }
    }

    @Test("setting the password replaces both verifiers: the old MD5 no longer logs in, the new one does")
    func setPasswordReplacesBoth() async throws {
        try await Self.withFixture { fixture in
            #expect(try await fixture.operations.accounts.setPassword(name: "ada lovelace", password: "difference engine"))
            let wrong = CallStatus(.badCredentials, "unknown name or wrong password")
            #expect(await fixture.refusal(fixture.viewerLogin(md5: Self.md5)) == wrong)
            #expect(await fixture.refusal(.login(name: "Ada Lovelace", password: Self.password, address: "198.51.100.3")) == wrong)
            let md5 = ViewerPassword.md5Hex(of: "difference engine")
            #expect(try await fixture.grant(fixture.viewerLogin(md5: md5, from: "198.51.100.4")).account == fixture.ada)
            // An account from before gets its verifier from a password change too.
            try await fixture.forgetViewerVerifier(of: "Ada Lovelace")
            #expect(try await fixture.operations.accounts.setPassword(name: "Ada Lovelace", password: "third password"))
            #expect(try await fixture.grant(fixture.viewerLogin(md5: ViewerPassword.md5Hex(of: "third password"), from: "198.51.100.4")).account
                == fixture.ada)
        }
    }

    @Test("viewer logins meet the same gates: closed logins, disabled accounts, accounts without a password")
    func gates() async throws {
        try await Self.withFixture { fixture in
            try await fixture.operations.logins.disable(message: "back at noon")
            #expect(await fixture.refusal(fixture.viewerLogin(md5: Self.md5)) == CallStatus(.notAllowed, "back at noon"))
            try await fixture.operations.logins.enable()
            #expect(try await fixture.operations.accounts.setDisabled(name: "Ada Lovelace", true))
            #expect(await fixture.refusal(fixture.viewerLogin(md5: Self.md5)) == CallStatus(.notAllowed, "this account is disabled"))
            // A bot's account (no password) has no viewer verifier and is refused like a wrong password.
            _ = try await fixture.operations.accounts.ensureServiceAccount(name: "Bot 1")
            #expect(await fixture.refusal(fixture.viewerLogin("Bot 1", md5: Self.md5))
                == CallStatus(.badCredentials, "unknown name or wrong password"))
            // Only a client manager may ask.
            if case .failure(let status) = await fixture.operations.perform(fixture.viewerLogin(md5: Self.md5), for: .region) {
                #expect(status.code == .notAllowed)
            } else {
                Issue.record("a region logged a viewer in")
            }
        }
    }
}

/// The MD5's raw bytes from its hex, to show the stored verifier is not the digest itself.
private func md5Bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map { index in
        UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) ?? 0
    }
}
