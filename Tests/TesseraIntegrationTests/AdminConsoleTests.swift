import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Testing
import TesseraBots
import TesseraConsole
import TesseraGrid
import TesseraLocalGrid
import TesseraTesting
import TesseraClientProtocol
import TesseraStorage
import TesseraWorld

/// The admin REST console over a real socket, on a fresh PostgreSQL database.
@Suite("The admin REST console", .serialized)
struct AdminConsoleTests {
    struct Fixture {
        let console: AdminConsole
        let admins: AdminStore
        let accounts: AccountStore
        let client: PostgresClient
        let token: String
    }

    static func withConsole(_ body: @escaping @Sendable (Fixture, any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "tessera.console-test")
        logger.logLevel = .warning
        let settings = try await TestDatabases.fresh(migrationsDirectory: migrationsDirectory, logger: logger)
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        let running = Task.detached { await client.run() }
        defer { running.cancel() }
        let accounts = AccountStore(client: client, logger: logger, hasher: PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1))
        let admins = AdminStore(client: client, logger: logger)
        _ = try await accounts.create(name: "Root", password: "root password")
        try await admins.setAdmin(name: "Root", true)
        let (_, token) = try await admins.createToken(forAdmin: "Root", label: "tests")
        let console = AdminConsole(
            settings: .init(host: "127.0.0.1", port: 0), admins: admins, accounts: accounts,
            regions: RegistryRegionDirectory(registry: RegionRegistry(client: client, logger: logger), gridSecret: "unused", group: MultiThreadedEventLoopGroup.singleton),
            logins: LoginGate(client: client, logger: logger), group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        try await console.makeApplication().test(.live) { http in
            try await body(Fixture(console: console, admins: admins, accounts: accounts, client: client, token: token), http)
        }
    }

    struct ProblemDocument: Decodable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var instance: String?
    }

    static func problem(_ response: TestResponse) throws -> ProblemDocument {
        #expect(response.headers[.contentType] == "application/problem+json")
        return try JSONDecoder().decode(ProblemDocument.self, from: Data(buffer: response.body))
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    @Test("/health answers without a token; every other route needs a valid one, and says so in a problem document")
    func authentication() async throws {
        try await Self.withConsole { fixture, http in
            try await http.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"ok\""))
            }
            for headers: HTTPFields in [[:], Self.bearer("tsa_not-a-token"), [.authorization: "Basic cm9vdDpyb290"]] {
                try await http.execute(uri: "/audit", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                    let problem = try Self.problem(response)
                    #expect(problem.type == "/problems/unauthorized" && problem.status == 401 && problem.instance == "/audit")
                }
            }
            // An expired token, and a revoked one.
            let (expiredID, expired) = try await fixture.admins.createToken(forAdmin: "Root")
            _ = try await fixture.client.query(
                "UPDATE admin_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE id = \(expiredID)")
            let (revokedID, revoked) = try await fixture.admins.createToken(forAdmin: "Root")
            try await fixture.admins.revoke(tokenID: revokedID)
            for token in [expired, revoked] {
                try await http.execute(uri: "/tokens", method: .get, headers: Self.bearer(token)) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            // Every refusal is in the audit trail, which the valid token can read.
            try await http.execute(uri: "/audit?limit=10", method: .get, headers: Self.bearer(fixture.token)) { response in
                #expect(response.status == .ok)
                struct Page: Decodable { var items: [Item]; var next: String? }
                struct Item: Decodable { var actor: String; var action: String; var result: String; var target: String }
                let page = try JSONDecoder().decode(Page.self, from: Data(buffer: response.body))
                #expect(page.items.count == 5)
                #expect(page.items.allSatisfy { $0.actor == "anonymous" && $0.action == "authenticate" })
                #expect(Set(page.items.map(\.result)) == ["no token", "invalid token"])
                #expect(page.items.first?.target == "GET /tokens")
                #expect(page.next == nil)
            }
        }
    }

    @Test("lists page with limit and cursor; a bad parameter is a 400 problem naming it; an unknown route is a 404 problem")
    func pagingAndErrors() async throws {
        try await Self.withConsole { fixture, http in
            for index in 1...7 {
                try await fixture.admins.audit(nil, action: "test", target: "entry \(index)", result: "ok")
            }
            struct Page: Decodable { var items: [Item]; var next: String? }
            struct Item: Decodable { var id: Int64; var target: String }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let uri = "/audit?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                try await http.execute(uri: uri, method: .get, headers: Self.bearer(fixture.token)) { response in
                    #expect(response.status == .ok)
                    let page = try JSONDecoder().decode(Page.self, from: Data(buffer: response.body))
                    #expect(page.items.count <= 3)
                    seen += page.items.map(\.target)
                    cursor = page.next
                }
            } while cursor != nil
            #expect(seen == (1...7).reversed().map { "entry \($0)" }, "every entry once, newest first")
            for (uri, parameter) in [("/audit?limit=0", "limit"), ("/audit?limit=abc", "limit"), ("/audit?cursor=-3", "cursor")] {
                try await http.execute(uri: uri, method: .get, headers: Self.bearer(fixture.token)) { response in
                    #expect(response.status == .badRequest)
                    let problem = try Self.problem(response)
                    #expect(problem.type == "/problems/invalid-parameter" && problem.detail?.contains(parameter) == true, "\(uri): \(problem)")
                }
            }
            try await http.execute(uri: "/regions/nowhere", method: .get, headers: Self.bearer(fixture.token)) { response in
                #expect(response.status == .notFound)
                let problem = try Self.problem(response)
                #expect(problem.status == 404)
            }
            try await http.execute(uri: "/tokens", method: .get, headers: Self.bearer(fixture.token)) { response in
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                #expect(body.contains("\"label\":\"tests\"") && !body.contains(fixture.token), "tokens are listed, never shown")
            }
        }
    }

    @Test("after ten failed attempts from one address, missing and invalid tokens get 429 for a minute; health stays open")
    func failuresAreRateLimited() async throws {
        try await Self.withConsole { fixture, http in
            for _ in 0..<10 {
                try await http.execute(uri: "/tokens", method: .get, headers: Self.bearer("tsa_guess")) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            try await http.execute(uri: "/tokens", method: .get, headers: Self.bearer("tsa_another_guess")) { response in
                #expect(response.status == .tooManyRequests)
                let problem = try Self.problem(response)
                #expect(problem.type == "/problems/rate-limited")
            }
            try await http.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok, "health stays open")
            }
            // A valid token from the same address still passes: AdminConsoleEdgeTests.validTokenPassesTheLimiter.
        }
    }

    @Test("the OpenAPI document and the router agree, and the document is what /openapi.yaml serves")
    func openAPIMatchesTheRouter() async throws {
        let document = AdminConsole.openAPIDocument
        #expect(document.hasPrefix("openapi: 3.1"))
        // The paths section: "  /path:" lines, each followed by "    method:" lines.
        var documented = Set<String>()
        var inPaths = false
        var path: String?
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.hasPrefix(" "), !line.isEmpty { break }
            if line.hasPrefix("  /"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(String(method)) { documented.insert("\(method.uppercased()) \(path)") }
            }
        }
        var logger = Logger(label: "tessera.console-test")
        logger.logLevel = .critical
        let unused = PostgresClient(configuration: .init(host: "127.0.0.1", port: 1, username: "none", password: nil, database: nil, tls: .disable))
        let console = AdminConsole(
            settings: .init(host: "127.0.0.1", port: 0), admins: AdminStore(client: unused, logger: logger),
            accounts: AccountStore(client: unused, logger: logger),
            regions: RegistryRegionDirectory(registry: RegionRegistry(client: unused, logger: logger), gridSecret: "unused", group: MultiThreadedEventLoopGroup.singleton),
            logins: LoginGate(client: unused, logger: logger), group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let routed = Set(console.makeRouter().routes.map { "\($0.method) \($0.path)" })
        #expect(!documented.isEmpty)
        #expect(routed.subtracting(documented).isEmpty, "routes missing from the document: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented routes that do not exist: \(documented.subtracting(routed).sorted())")
        try await Self.withConsole { fixture, http in
            try await http.execute(uri: "/openapi.yaml", method: .get, headers: Self.bearer(fixture.token)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == document)
            }
        }
    }

    struct UserJSON: Decodable {
        var id: String
        var name: String
        var admin: Bool
        var disabled: Bool
    }

    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("users: create (201, 409, 400), show and search with pages, disable stops logins and sessions, enable, reset the password; every change audited")
    func users() async throws {
        try await Self.withConsole { fixture, http in
            var headers = Self.bearer(fixture.token)
            headers[.contentType] = "application/json"
            try await http.execute(uri: "/users", method: .post, headers: headers, body: Self.json(#"{"name":"Ada Lovelace","password":"analytical engine"}"#)) { response in
                #expect(response.status == .created)
                #expect(response.headers[.location] == "/users/Ada%20Lovelace")
                let user = try JSONDecoder().decode(UserJSON.self, from: Data(buffer: response.body))
                #expect(user.name == "Ada Lovelace" && !user.admin && !user.disabled)
            }
            try await http.execute(uri: "/users", method: .post, headers: headers, body: Self.json(#"{"name":"ada lovelace","password":"another one!"}"#)) { response in
                #expect(response.status == .conflict)
                let problem = try Self.problem(response)
                #expect(problem.type == "/problems/name-taken")
            }
            for body in [#"{"name":"Bea","password":"short"}"#, #"{"name":" Bea","password":"long enough"}"#, #"{"nom":"Bea"}"#, "not json"] {
                try await http.execute(uri: "/users", method: .post, headers: headers, body: Self.json(body)) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    let problem = try Self.problem(response)
                    #expect(problem.type == "/problems/invalid-body", "\(body): \(problem)")
                }
            }
            for name in ["Bea", "Cai", "Dora"] {
                _ = try await fixture.accounts.create(name: name, password: "password \(name)")
            }
            struct Page: Decodable { var items: [UserJSON]; var next: String? }
            var names: [String] = []
            var cursor: String?
            repeat {
                let uri = "/users?limit=2" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)" } ?? "")
                try await http.execute(uri: uri, method: .get, headers: headers) { response in
                    let page = try JSONDecoder().decode(Page.self, from: Data(buffer: response.body))
                    names += page.items.map(\.name)
                    cursor = page.next
                }
            } while cursor != nil
            #expect(names == ["Ada Lovelace", "Bea", "Cai", "Dora", "Root"], "every account once, by name")
            try await http.execute(uri: "/users?search=O", method: .get, headers: headers) { response in
                let page = try JSONDecoder().decode(Page.self, from: Data(buffer: response.body))
                #expect(page.items.map(\.name) == ["Ada Lovelace", "Dora", "Root"], "case-insensitive, anywhere in the name")
            }
            try await http.execute(uri: "/users/ada%20LOVELACE", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                let user = try JSONDecoder().decode(UserJSON.self, from: Data(buffer: response.body))
                #expect(user.name == "Ada Lovelace", "found by its percent-encoded name, in any case")
            }
            try await http.execute(uri: "/users/Nobody", method: .get, headers: headers) { response in
                #expect(response.status == .notFound)
                let problem = try Self.problem(response)
                #expect(problem.detail?.contains("Nobody") == true)
            }

            // Disable: the password stops working, and sessions issued before are revoked.
            let sessions = SessionStore(client: fixture.client, logger: Logger(label: "test"))
            let bea = try #require(try await fixture.accounts.account(named: "Bea"))
            let session = try await sessions.issue(for: bea.id)
            try await http.execute(uri: "/users/Bea/disable", method: .post, headers: headers) { response in
                #expect(response.status == .ok)
                let user = try JSONDecoder().decode(UserJSON.self, from: Data(buffer: response.body))
                #expect(user.disabled)
            }
            await #expect(throws: AccountError.disabled) { try await fixture.accounts.authenticate(name: "Bea", password: "password Bea", address: "test") }
            await #expect(throws: AccountError.invalidSession) { try await sessions.validate(session) }
            try await http.execute(uri: "/users/Bea/enable", method: .post, headers: headers) { response in
                #expect(response.status == .ok)
            }
            _ = try await fixture.accounts.authenticate(name: "Bea", password: "password Bea", address: "test")
            try await http.execute(uri: "/users/Bea/password", method: .post, headers: headers, body: Self.json(#"{"password":"a brand new one"}"#)) { response in
                #expect(response.status == .noContent)
            }
            _ = try await fixture.accounts.authenticate(name: "Bea", password: "a brand new one", address: "test")
            try await http.execute(uri: "/users/Nobody/disable", method: .post, headers: headers) { response in
                #expect(response.status == .notFound)
            }

            try await http.execute(uri: "/audit?limit=20", method: .get, headers: headers) { response in
                struct AuditPage: Decodable { var items: [Item] }
                struct Item: Decodable { var actor: String; var action: String; var target: String; var result: String; var detail: String }
                let page = try JSONDecoder().decode(AuditPage.self, from: Data(buffer: response.body))
                let changes = page.items.filter { $0.actor == "Root" }.map { "\($0.action) \($0.target): \($0.result)" }
                #expect(changes == [
                    "disable user Nobody: 404 No such account",
                    "reset password Bea: ok",
                    "enable user Bea: ok",
                    "disable user Bea: ok",
                    "create user  Bea: 400 Invalid account",
                    "create user Bea: 400 Invalid account",
                    "create user ada lovelace: 409 The name is taken",
                    "create user Ada Lovelace: ok",
                ], "\(changes)")
                #expect(!page.items.contains { $0.detail.contains("a brand new one") || $0.detail.contains("analytical engine") }, "no password reaches the audit trail")
            }
        }
    }

    /// A console over a scenario grid's services, and the token of its admin Root.
    static func gridConsole(_ grid: ScenarioGrid, _ operations: GridOperations) async throws -> (AdminConsole, String) {
        let client = try #require(grid.databaseClient)
        var logger = Logger(label: "tessera.console-test")
        logger.logLevel = .warning
        let admins = AdminStore(client: client, logger: logger)
        _ = try await makeAccount(operations, "Root")
        try await admins.setAdmin(name: "Root", true)
        let (_, token) = try await admins.createToken(forAdmin: "Root")
        let console = AdminConsole(
            settings: .init(host: "127.0.0.1", port: 0), admins: admins, accounts: operations.accounts,
            regions: RegistryRegionDirectory(
                registry: operations.regions, gridSecret: "scenario-grid-secret", group: MultiThreadedEventLoopGroup.singleton,
                // Under TLS the console asks the nodes with the grid services' certificate.
                tls: try grid.certificates?.identity("scenario-grid", .grid, logger: logger)),
            logins: operations.logins, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        return (console, token)
    }

    @Test("regions: the registry's online regions with their nodes' live figures; one by name; 404 for another")
    func regions() async throws {
        try await withGridServices { grid, operations in
            let (console, token) = try await Self.gridConsole(grid, operations)
            _ = try await makeAccount(operations, "Ada")
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada", password: "correct horse")
            struct Region: Decodable {
                var name: String
                var node: String
                var grid_x: Int
                var grid_y: Int
                var reachable: Bool
                var agents: Int?
                var frame_rate: Double?
                var physics: String?
            }
            struct Page: Decodable { var items: [Region]; var next: String? }
            try await console.makeApplication().test(.live) { http in
                try await http.execute(uri: "/regions", method: .get, headers: Self.bearer(token)) { response in
                    #expect(response.status == .ok)
                    let page = try JSONDecoder().decode(Page.self, from: Data(buffer: response.body))
                    #expect(page.items.map(\.name) == ["Scenario Region"])
                    let region = try #require(page.items.first)
                    #expect(region.reachable && region.agents == 1, "\(region)")
                    #expect(region.grid_x == 1000 && region.grid_y == 1000 && region.node == "scenario-node-1")
                    #expect((region.frame_rate ?? 0) > 0 && region.physics == "none")
                }
                try await http.execute(uri: "/regions/scenario%20region", method: .get, headers: Self.bearer(token)) { response in
                    #expect(response.status == .ok)
                    let region = try JSONDecoder().decode(Region.self, from: Data(buffer: response.body))
                    #expect(region.name == "Scenario Region")
                }
                try await http.execute(uri: "/regions/Nowhere", method: .get, headers: Self.bearer(token)) { response in
                    #expect(response.status == .notFound)
                    let problem = try Self.problem(response)
                    #expect(problem.detail?.contains("Nowhere") == true)
                }
                try await http.execute(uri: "/regions", method: .get) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            await ada.close()
        }
    }

    @Test("logins: closing them refuses non-admins with the admin's message, at password and token login; admins still log in; opening them again")
    func loginsCloseAndOpen() async throws {
        try await withGridServices { grid, operations in
            let (console, token) = try await Self.gridConsole(grid, operations)
            _ = try await makeAccount(operations, "Ada")
            let first = try await ScenarioClient.connect(grid.url)
            let welcome = try await first.login("Ada", password: "correct horse")
            await first.close()
            struct Logins: Decodable { var enabled: Bool; var message: String? }
            try await console.makeApplication().test(.live) { http in
                var headers = Self.bearer(token)
                headers[.contentType] = "application/json"
                try await http.execute(uri: "/logins/disable", method: .post, headers: headers, body: Self.json(#"{"message":"maintenance until 18:00"}"#)) { response in
                    #expect(response.status == .ok)
                    let state = try JSONDecoder().decode(Logins.self, from: Data(buffer: response.body))
                    #expect(!state.enabled && state.message == "maintenance until 18:00")
                }
                for login in [Login(name: "Ada", password: "correct horse"), Login(name: "Ada", credential: .sessionToken(welcome.sessionToken))] {
                    let refused = try await ScenarioClient.connect(grid.url)
                    try await refused.send(.login(login))
                    try await refused.waitForClose()
                    #expect(refused.closeCode == 4000 + Int(ErrorCode.notAllowed.rawValue))
                    #expect(refused.closeReason?.contains("maintenance") == true, "\(String(describing: refused.closeReason))")
                }
                let root = try await ScenarioClient.connect(grid.url)
                _ = try await root.login("Root", password: "correct horse")
                await root.close()
                try await http.execute(uri: "/logins/enable", method: .post, headers: Self.bearer(token)) { response in
                    let state = try JSONDecoder().decode(Logins.self, from: Data(buffer: response.body))
                    #expect(state.enabled && state.message == nil)
                }
                let again = try await ScenarioClient.connect(grid.url)
                _ = try await again.login("Ada", password: "correct horse")
                await again.close()
                try await http.execute(uri: "/logins", method: .get, headers: Self.bearer(token)) { response in
                    let state = try JSONDecoder().decode(Logins.self, from: Data(buffer: response.body))
                    #expect(state.enabled)
                }
            }
        }
    }
}
