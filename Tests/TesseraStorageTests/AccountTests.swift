import Foundation
import PostgresNIO
import Testing
import TesseraStorage

@Suite("Accounts, logins and sessions against a real PostgreSQL")
struct AccountTests {
    /// A cheaper scrypt than production: these tests are about the rules, not the cost.
    private let hasher = PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1)

    @Test("a created account logs in with its password; the password is not stored")
    func createAndLogIn() async throws {
        try await withFreshDatabase { client in
            let accounts = AccountStore(client: client, logger: testLogger, hasher: hasher)
            let ada = try await accounts.create(name: "Ada Lovelace", password: "analytical engine")
            let again = try await accounts.authenticate(name: "ada lovelace", password: "analytical engine", address: "127.0.0.1")
            #expect(again == ada, "names match case-insensitively")
            let rows = try await client.query("SELECT password_hash, password_kdf FROM accounts", logger: testLogger)
            for try await (hash, kdf) in rows.decode((ByteBuffer, String).self) {
                #expect(hash.readableBytes == 32)
                #expect(!String(decoding: hash.readableBytesView, as: UTF8.self).contains("analytical"))
                #expect(kdf == "scrypt:1024:8:1")
            }
            await #expect(throws: AccountError.nameTaken("ADA LOVELACE")) {
                try await accounts.create(name: "ADA LOVELACE", password: "another password")
            }
        }
    }

    @Test("wrong password and unknown user are refused alike")
    func refused() async throws {
        try await withFreshDatabase { client in
            let accounts = AccountStore(client: client, logger: testLogger, hasher: hasher)
            _ = try await accounts.create(name: "Bob", password: "correct horse")
            await #expect(throws: AccountError.badCredentials) {
                try await accounts.authenticate(name: "Bob", password: "wrong horse", address: "10.0.0.1")
            }
            await #expect(throws: AccountError.badCredentials) {
                try await accounts.authenticate(name: "Nobody", password: "correct horse", address: "10.0.0.1")
            }
        }
    }

    @Test("bad names and weak passwords are refused before anything is stored")
    func validation() async throws {
        try await withFreshDatabase { client in
            let accounts = AccountStore(client: client, logger: testLogger, hasher: hasher)
            for name in ["", " Ada", "Ada ", "Tab\tName", String(repeating: "x", count: 64), "\u{410}da", "Ada  Lovelace"] {
                await #expect(throws: AccountError.self) { try await accounts.create(name: name, password: "long enough") }
            }
            await #expect(throws: AccountError.weakPassword) { try await accounts.create(name: "Short", password: "1234567") }
            let rows = try await client.query("SELECT count(*) FROM accounts", logger: testLogger)
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
        }
    }

    @Test("failed logins are limited per address and account, even with the right password; the account still logs in from elsewhere")
    func rateLimitedPerAddressAndName() async throws {
        try await withFreshDatabase { client in
            var accounts = AccountStore(client: client, logger: testLogger, hasher: hasher)
            accounts.maxFailuresPerName = 3
            _ = try await accounts.create(name: "Carol", password: "right password")
            for attempt in 0..<3 {
                await #expect(throws: AccountError.badCredentials) {
                    try await accounts.authenticate(name: "Carol", password: "guess \(attempt)", address: "10.0.0.1")
                }
            }
            await #expect(throws: AccountError.rateLimited) {
                try await accounts.authenticate(name: "Carol", password: "right password", address: "10.0.0.1")
            }
            let carol = try await accounts.authenticate(name: "Carol", password: "right password", address: "10.0.0.9")
            #expect(carol.name == "Carol", "a stranger's failures do not lock the account for its owner")
        }
    }

    @Test("failed logins are rate-limited per address, across names")
    func rateLimitedPerAddress() async throws {
        try await withFreshDatabase { client in
            var accounts = AccountStore(client: client, logger: testLogger, hasher: hasher)
            accounts.maxFailuresPerAddress = 4
            _ = try await accounts.create(name: "Dave", password: "right password")
            for attempt in 0..<4 {
                await #expect(throws: AccountError.badCredentials) {
                    try await accounts.authenticate(name: "Someone \(attempt)", password: "x", address: "192.0.2.7")
                }
            }
            await #expect(throws: AccountError.rateLimited) {
                try await accounts.authenticate(name: "Dave", password: "right password", address: "192.0.2.7")
            }
            let dave = try await accounts.authenticate(name: "Dave", password: "right password", address: "192.0.2.8")
            #expect(dave.name == "Dave", "another address is not affected")
        }
    }

    @Test("sessions: valid until expired or revoked")
    func sessions() async throws {
        try await withFreshDatabase { client in
            let accounts = AccountStore(client: client, logger: testLogger, hasher: hasher)
            let sessions = SessionStore(client: client, logger: testLogger)
            let erin = try await accounts.create(name: "Erin", password: "erin's password")
            let token = try await sessions.issue(for: erin.id)
            #expect(token.count >= 43)
            #expect(try await sessions.validate(token) == erin.id)
            await #expect(throws: AccountError.invalidSession) { try await sessions.validate(token + "x") }

            let expiring = try await sessions.issue(for: erin.id)
            _ = try await client.query("""
                UPDATE sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second'
                WHERE token_hash = sha256(convert_to(\(expiring), 'UTF8'))
                """, logger: testLogger)
            await #expect(throws: AccountError.invalidSession) { try await sessions.validate(expiring) }
            #expect(try await sessions.validate(token) == erin.id)

            try await sessions.revoke(token)
            await #expect(throws: AccountError.invalidSession) { try await sessions.validate(token) }
            let rows = try await client.query("SELECT count(*) FROM sessions WHERE token_hash = sha256(convert_to(\(token), 'UTF8'))", logger: testLogger)
            for try await count in rows.decode(Int.self) { #expect(count == 1, "only the token's hash is stored") }
        }
    }
}
