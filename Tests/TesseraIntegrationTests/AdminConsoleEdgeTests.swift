import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Testing
import TesseraConsole
import TesseraGrid
import TesseraStorage

/// Issue 13, item 9 and the console's part of items 2 and 8: the last admin, tokens across
/// disable and enable, the failure limiter, the bearer scheme, body limits, security headers,
/// and text PostgreSQL cannot store — over a real socket on a fresh PostgreSQL database.
@Suite("The admin console's edge", .serialized)
struct AdminConsoleEdgeTests {
    typealias Fixture = AdminConsoleTests.Fixture

    static func bearer(_ token: String) -> HTTPFields { AdminConsoleTests.bearer(token) }

    static func jsonHeaders(_ token: String) -> HTTPFields {
        var headers = bearer(token)
        headers[.contentType] = "application/json"
        return headers
    }

    static func user(_ response: TestResponse) throws -> AdminConsoleTests.UserJSON {
        try JSONDecoder().decode(AdminConsoleTests.UserJSON.self, from: Data(buffer: response.body))
    }

    @Test("the last enabled admin cannot be disabled (409); disabling revokes its tokens, and enabling does not revive them")
    func lastAdminAndTokens() async throws {
        try await AdminConsoleTests.withConsole { fixture, http in
            let root = Self.jsonHeaders(fixture.token)
            // Root is the only admin: refused, with a problem that says what to do, and audited.
            try await http.execute(uri: "/users/Root/disable", method: .post, headers: root) { response in
                #expect(response.status == .conflict)
                let problem = try AdminConsoleTests.problem(response)
                #expect(problem.type == "/problems/last-admin" && problem.detail?.contains("last enabled admin") == true, "\(problem)")
            }
            try await http.execute(uri: "/users/Root", method: .get, headers: root) { response in
                #expect(response.status == .ok, "Root's token still works")
                let user = try Self.user(response)
                #expect(!user.disabled)
            }
            // A second admin; then Root's own token disables Root, which revokes that token.
            try await http.execute(uri: "/users", method: .post, headers: root, body: ByteBuffer(string: #"{"name":"Bea","password":"bea password","admin":true}"#)) { response in
                #expect(response.status == .created)
            }
            let (_, bea) = try await fixture.admins.createToken(forAdmin: "Bea")
            try await http.execute(uri: "/users/Root/disable", method: .post, headers: root) { response in
                #expect(response.status == .ok)
                let user = try Self.user(response)
                #expect(user.disabled)
            }
            try await http.execute(uri: "/audit", method: .get, headers: root) { response in
                #expect(response.status == .unauthorized, "a disabled admin's token stops at once")
            }
            // Now Bea is the last enabled admin.
            try await http.execute(uri: "/users/Bea/disable", method: .post, headers: Self.jsonHeaders(bea)) { response in
                #expect(response.status == .conflict)
            }
            try await http.execute(uri: "/users/Root/enable", method: .post, headers: Self.jsonHeaders(bea)) { response in
                #expect(response.status == .ok)
                let user = try Self.user(response)
                #expect(!user.disabled)
            }
            try await http.execute(uri: "/audit", method: .get, headers: root) { response in
                #expect(response.status == .unauthorized, "enabling Root does not revive the token it had")
            }
            let tokens = try await fixture.admins.tokens()
            #expect(tokens.filter { $0.accountName == "Root" }.allSatisfy { $0.revokedAt != nil })
            // A fresh token for Root works.
            let (_, fresh) = try await fixture.admins.createToken(forAdmin: "Root")
            try await http.execute(uri: "/audit?limit=50", method: .get, headers: Self.bearer(fresh)) { response in
                #expect(response.status == .ok)
                struct Page: Decodable { var items: [Item] }
                struct Item: Decodable { var actor: String; var action: String; var target: String; var result: String }
                let changes = try JSONDecoder().decode(Page.self, from: Data(buffer: response.body)).items
                    .filter { $0.action.hasSuffix(" user") }.map { "\($0.actor): \($0.action) \($0.target): \($0.result)" }
                #expect(changes == [
                    "Bea: enable user Root: ok",
                    "Bea: disable user Bea: 409 The last enabled admin cannot be disabled",
                    "Root: disable user Root: ok",
                    "Root: create user Bea: ok",
                    "Root: disable user Root: 409 The last enabled admin cannot be disabled",
                ], "\(changes)")
            }
        }
    }

    @Test("the store refuses taking the role from the last admin, and of two concurrent disables of the last two admins one is refused")
    func lastAdminInTheStore() async throws {
        try await AdminConsoleTests.withConsole { fixture, _ in
            await #expect(throws: AdminError.lastActiveAdmin("root")) { try await fixture.admins.setAdmin(name: "root", false) }
            // A disabled admin does not count: Ann is an admin but disabled.
            _ = try await fixture.accounts.create(name: "Ann", password: "ann password")
            try await fixture.admins.setAdmin(name: "Ann", true)
            _ = try await fixture.accounts.setDisabled(name: "Ann", true)
            await #expect(throws: AdminError.lastActiveAdmin("Root")) { try await fixture.accounts.setDisabled(name: "Root", true) }
            await #expect(throws: AdminError.disabledAccount("Ann")) { try await fixture.admins.createToken(forAdmin: "Ann") }
            // Taking the role revokes the tokens; giving it back does not revive them.
            _ = try await fixture.accounts.setDisabled(name: "Ann", false)
            let (_, annToken) = try await fixture.admins.createToken(forAdmin: "Ann")
            #expect(try await fixture.admins.authenticate(annToken) != nil)
            try await fixture.admins.setAdmin(name: "Ann", false)
            try await fixture.admins.setAdmin(name: "Ann", true)
            #expect(try await fixture.admins.authenticate(annToken) == nil)
            // Root and Ann are the enabled admins; both are disabled at once, many times over.
            func outcome(_ name: String) async -> Result<Bool, any Error> {
                do { return .success(try await fixture.accounts.setDisabled(name: name, true)) } catch { return .failure(error) }
            }
            for _ in 0..<10 {
                async let first = outcome("Root")
                async let second = outcome("Ann")
                let outcomes = await [first, second]
                let refused = outcomes.filter { if case .failure(let error) = $0 { return error as? AdminError != nil } else { return false } }
                #expect(refused.count == 1, "exactly one is refused: \(outcomes)")
                let enabled = try await fixture.accounts.list(limit: 10).filter { $0.isAdmin && !$0.disabled }
                #expect(enabled.count == 1, "one enabled admin remains")
                _ = try await fixture.accounts.setDisabled(name: "Root", false)
                _ = try await fixture.accounts.setDisabled(name: "Ann", false)
            }
        }
    }

    @Test("failed tokens from an address do not lock out a valid token from it; missing and invalid ones get 429 there")
    func validTokenPassesTheLimiter() async throws {
        try await AdminConsoleTests.withConsole { fixture, http in
            for _ in 0..<10 {
                try await http.execute(uri: "/tokens", method: .get, headers: Self.bearer("tsa_guess")) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            for headers in [Self.bearer("tsa_guess"), [:]] as [HTTPFields] {
                try await http.execute(uri: "/tokens", method: .get, headers: headers) { response in
                    #expect(response.status == .tooManyRequests)
                    let problem = try AdminConsoleTests.problem(response)
                    #expect(problem.type == "/problems/rate-limited")
                }
            }
            try await http.execute(uri: "/tokens", method: .get, headers: Self.bearer(fixture.token)) { response in
                #expect(response.status == .ok, "the valid token passes")
            }
            // The trail holds the ten failures, not the refused flood after them.
            let failures = try await fixture.admins.auditPage(limit: 100).filter { $0.action == "authenticate" }
            #expect(failures.count == 10)
        }
    }

    @Test("the bearer scheme is case-insensitive; other schemes and a scheme without a token are 401")
    func bearerScheme() async throws {
        try await AdminConsoleTests.withConsole { fixture, http in
            for value in ["Bearer \(fixture.token)", "bearer \(fixture.token)", "BEARER \(fixture.token)", "BeArEr   \(fixture.token) "] {
                try await http.execute(uri: "/tokens", method: .get, headers: [.authorization: value]) { response in
                    #expect(response.status == .ok, "\(value.prefix(10))")
                }
            }
            for value in ["Bearer", "Bearer ", "Bearer\(fixture.token)", "Basic \(fixture.token)", "Token \(fixture.token)"] {
                try await http.execute(uri: "/tokens", method: .get, headers: [.authorization: value]) { response in
                    #expect(response.status == .unauthorized, "\(value.prefix(12))")
                }
            }
        }
    }

    @Test("an oversized body is 413 with a problem document, on JSON routes, the command line and uploads")
    func oversizedBodies() async throws {
        try await AdminConsoleTests.withConsole { fixture, http in
            let bigJSON = #"{"name":"Big","password":""# + String(repeating: "x", count: ConsoleContext.maxBodyBytes) + #""}"#
            var plain = Self.bearer(fixture.token)
            plain[.contentType] = "text/plain"
            let cases: [(String, HTTPFields, ByteBuffer)] = [
                ("/users", Self.jsonHeaders(fixture.token), ByteBuffer(string: bigJSON)),
                ("/alerts", Self.jsonHeaders(fixture.token), ByteBuffer(string: bigJSON)),
                ("/console", plain, ByteBuffer(string: "show accounts " + String(repeating: "a", count: 5000))),
                ("/assets?type=0&name=big", Self.bearer(fixture.token), ByteBuffer(repeating: 7, count: AssetStore.maximumSize + 1)),
            ]
            for (uri, headers, body) in cases {
                try await http.execute(uri: uri, method: .post, headers: headers, body: body) { response in
                    #expect(response.status == .contentTooLarge, "\(uri)")
                    let problem = try AdminConsoleTests.problem(response)
                    #expect(problem.type == "/problems/too-large" && problem.status == 413, "\(uri): \(problem)")
                    #expect(problem.detail?.contains("NIO") != true, "no library error text: \(problem)")
                }
            }
            #expect(try await fixture.accounts.summary(named: "Big") == nil)
        }
    }

    @Test("every answer carries Content-Security-Policy, X-Frame-Options: DENY and X-Content-Type-Options: nosniff")
    func securityHeaders() async throws {
        try await AdminConsoleTests.withConsole { fixture, http in
            let requests: [(String, HTTPFields, HTTPResponse.Status)] = [
                ("/dashboard/", [:], .ok), ("/dashboard/app.js", [:], .ok), ("/dashboard/style.css", [:], .ok),
                ("/dashboard/missing.js", [:], .notFound), ("/health", [:], .ok), ("/", [:], .found),
                ("/users", [:], .unauthorized), ("/users", Self.bearer(fixture.token), .ok), ("/nowhere", Self.bearer(fixture.token), .notFound),
                ("/openapi.yaml", Self.bearer(fixture.token), .ok),
            ]
            for (uri, headers, status) in requests {
                try await http.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == status, "\(uri)")
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "\(uri): \(policy)")
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                }
            }
            // The dashboard has nothing inline for the policy to block.
            try await http.execute(uri: "/dashboard/", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(!html.contains("<script>") && !html.contains("style=") && !html.contains("onclick") && !html.contains("<style"))
            }
        }
    }
}
