import Foundation
import PostgresNIO
import Testing
import TesseraStorage

@Suite("Admin roles, tokens and the audit trail against a real PostgreSQL")
struct AdminStoreTests {
    static let hasher = PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1)

    @Test("only an admin account gets a token; the token authenticates until revoked; only its hash is stored")
    func tokens() async throws {
        try await withFreshDatabase { client in
            let accounts = AccountStore(client: client, logger: testLogger, hasher: Self.hasher)
            let admins = AdminStore(client: client, logger: testLogger)
            _ = try await accounts.create(name: "Root", password: "root password")
            _ = try await accounts.create(name: "Guest", password: "guest password")
            await #expect(throws: AdminError.notAdmin("Guest")) { try await admins.createToken(forAdmin: "Guest") }
            await #expect(throws: AdminError.unknownAccount("Nobody")) { try await admins.createToken(forAdmin: "Nobody") }
            #expect(try await admins.setAdmin(name: "root", true), "names are case-insensitive")
            #expect(try await admins.setAdmin(name: "Nobody", true) == false)
            await #expect(throws: AdminError.badLifetime(0)) { try await admins.createToken(forAdmin: "Root", lifetimeDays: 0) }

            let (id, token) = try await admins.createToken(forAdmin: "Root", label: "laptop")
            #expect(token.hasPrefix("tsa_") && token.count > 40)
            let principal = try #require(try await admins.authenticate(token))
            #expect(principal.name == "Root" && principal.tokenID == id)
            #expect(try await admins.authenticate(token + "x") == nil)
            #expect(try await admins.authenticate("") == nil)
            var stored = 0
            for try await count in try await client.query(
                "SELECT count(*) FROM admin_tokens WHERE position(convert_to(\(token), 'UTF8') in token_hash) > 0 OR position(convert_to('tsa_', 'UTF8') in token_hash) > 0",
                logger: testLogger
            ).decode(Int.self) { stored = count }
            #expect(stored == 0, "the token itself is nowhere in the table")
            let listed = try await admins.tokens()
            #expect(listed.map(\.label) == ["laptop"] && listed[0].lastUsedAt != nil)

            #expect(try await admins.revoke(tokenID: id))
            #expect(try await admins.revoke(tokenID: id) == false, "revoking twice changes nothing")
            #expect(try await admins.authenticate(token) == nil, "a revoked token is refused")

            let (_, second) = try await admins.createToken(forAdmin: "Root")
            #expect(try await admins.authenticate(second) != nil)
            await #expect(throws: AdminError.lastActiveAdmin("Root")) { try await admins.setAdmin(name: "Root", false) }
            #expect(try await admins.authenticate(second) != nil, "the last admin keeps its role")
            try await admins.setAdmin(name: "Guest", true)
            try await admins.setAdmin(name: "Root", false)
            #expect(try await admins.authenticate(second) == nil, "a token of an account that lost the role is refused")
            try await admins.setAdmin(name: "Root", true)
            #expect(try await admins.authenticate(second) == nil, "and stays refused when the role comes back")
            let (_, third) = try await admins.createToken(forAdmin: "Root")
            _ = try await client.query("UPDATE accounts SET disabled = true WHERE name = 'Root'", logger: testLogger)
            #expect(try await admins.authenticate(third) == nil, "a token of a disabled account is refused")
            _ = try await client.query("UPDATE accounts SET disabled = false WHERE name = 'Root'", logger: testLogger)
            #expect(try await admins.authenticate(third) != nil)
            _ = try await client.query("UPDATE admin_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second'", logger: testLogger)
            #expect(try await admins.authenticate(third) == nil, "an expired token is refused")
        }
    }

    @Test("the audit trail pages newest first and keeps who, what, when and the result")
    func audit() async throws {
        try await withFreshDatabase { client in
            let accounts = AccountStore(client: client, logger: testLogger, hasher: Self.hasher)
            let admins = AdminStore(client: client, logger: testLogger)
            _ = try await accounts.create(name: "Root", password: "root password")
            try await admins.setAdmin(name: "Root", true)
            let (_, token) = try await admins.createToken(forAdmin: "Root")
            let root = try #require(try await admins.authenticate(token))
            for index in 1...5 {
                try await admins.audit(root, action: "alert", target: "region \(index)", result: "ok", detail: String(repeating: "x", count: 3000))
            }
            try await admins.audit(nil, action: "authenticate", result: "invalid token")
            let first = try await admins.auditPage(limit: 4)
            #expect(first.map(\.action) == ["authenticate", "alert", "alert", "alert"])
            #expect(first[0].actor == "anonymous" && first[0].result == "invalid token")
            #expect(first[1].actor == "Root" && first[1].target == "region 5" && first[1].detail.count == 2000, "long details are cut to 2000")
            let rest = try await admins.auditPage(limit: 4, before: first.last!.id)
            #expect(rest.map(\.target) == ["region 2", "region 1"])
            #expect(Set(first.map(\.id)).isDisjoint(with: rest.map(\.id)))
        }
    }
}
