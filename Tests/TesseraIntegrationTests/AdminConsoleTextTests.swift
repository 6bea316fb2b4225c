import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import TesseraConsole
import TesseraStorage

/// Issue 13, item 2 at the console: U+0000 (which PostgreSQL's text cannot hold) anywhere an
/// admin sends text — a path name, a query parameter, a JSON string, a command line — is a 400
/// problem naming the field, never a 500 or a database error; and an asset name is limited in
/// bytes, as the wire carries it (item 8).
@Suite("The admin console refuses text the grid cannot store", .serialized)
struct AdminConsoleTextTests {
    struct Case: CustomStringConvertible {
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        var contentType = "application/json"
        /// What the problem's detail must name.
        var field: String

        var description: String { "\(method) \(uri) \(body ?? "")" }
    }

    /// Every route that takes text, with U+0000 in each text it takes.
    static let cases: [Case] = [
        Case(method: .get, uri: "/users?search=a%00b", field: "search"),
        Case(method: .get, uri: "/users?cursor=%00", field: "cursor"),
        Case(method: .get, uri: "/users/Ro%00ot", field: "the path"),
        Case(method: .get, uri: "/users/Ro%00ot/inventory", field: "the path"),
        Case(method: .post, uri: "/users", body: #"{"name":"Nul\u0000Name","password":"long enough"}"#, field: "name"),
        Case(method: .post, uri: "/users", body: #"{"name":"Nul Password","password":"long\u0000enough"}"#, field: "password"),
        Case(method: .post, uri: "/users/Ro%00ot/disable", field: "the path"),
        Case(method: .post, uri: "/users/Ro%00ot/enable", field: "the path"),
        Case(method: .post, uri: "/users/Root/password", body: #"{"password":"\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"}"#, field: "password"),
        Case(method: .get, uri: "/audit?cursor=1%00", field: "cursor"),
        Case(method: .get, uri: "/regions/Nowhere%00", field: "the path"),
        Case(method: .get, uri: "/agents?search=%00", field: "search"),
        Case(method: .get, uri: "/agents?region=%00", field: "region"),
        Case(method: .get, uri: "/agents/Ada%00", field: "the path"),
        Case(method: .post, uri: "/agents/Ada/kick", body: #"{"message":"bye\u0000"}"#, field: "message"),
        Case(method: .post, uri: "/agents/Ada/teleport", body: #"{"region":"Plaza\u0000"}"#, field: "region"),
        Case(method: .post, uri: "/alerts", body: #"{"message":"hello\u0000"}"#, field: "message"),
        Case(method: .post, uri: "/alerts", body: #"{"message":"hello","region":"\u0000"}"#, field: "region"),
        Case(method: .post, uri: "/alerts", body: #"{"message":"hello","agent":"A\u0000"}"#, field: "agent"),
        Case(method: .post, uri: "/regions/Plaza/restart", body: #"{"message":"\u0000"}"#, field: "message"),
        Case(method: .post, uri: "/logins/disable", body: #"{"message":"closed\u0000"}"#, field: "message"),
        Case(method: .post, uri: "/console", body: #"{"command":"show accounts \u0000"}"#, field: "command"),
        Case(method: .post, uri: "/console", body: "show accounts \u{0}", contentType: "text/plain", field: "the command"),
        Case(method: .post, uri: "/console", body: #"{"command":"help","\u0000":1}"#, field: "a key of the body"),
        Case(method: .get, uri: "/assets/%00", field: "the path"),
        Case(method: .post, uri: "/assets?type=7&name=note%00", body: "data", contentType: "application/octet-stream", field: "name"),
    ]

    @Test("U+0000 in any text of any route is a 400 problem naming the field; nothing reaches the database")
    func nulIsRefusedEverywhere() async throws {
        try await AdminConsoleTests.withConsole { fixture, http in
            for test in Self.cases {
                var headers = AdminConsoleTests.bearer(fixture.token)
                headers[.contentType] = test.contentType
                try await http.execute(uri: test.uri, method: test.method, headers: headers, body: test.body.map { ByteBuffer(string: $0) }) { response in
                    #expect(response.status == .badRequest, "\(test): \(String(buffer: response.body))")
                    let problem = try AdminConsoleTests.problem(response)
                    #expect(problem.type == "/problems/invalid-text", "\(test): \(problem)")
                    #expect(problem.detail?.contains(test.field) == true && problem.detail?.contains("U+0000") == true, "\(test): \(problem)")
                }
            }
            // Nothing was made or changed, and the audit trail still works and holds no NUL.
            #expect(try await fixture.accounts.list(limit: 10).map(\.name) == ["Root"])
            _ = try await fixture.accounts.authenticate(name: "Root", password: "root password", address: "test")
            try await http.execute(uri: "/audit?limit=500", method: .get, headers: AdminConsoleTests.bearer(fixture.token)) { response in
                #expect(response.status == .ok)
                #expect(!String(buffer: response.body).contains("\\u0000"))
            }
        }
    }

    /// Text in any script is text: searches pass. Account names follow the avatar name rule
    /// (ASCII letters and digits, docs/client-protocol.md "Name rules"), so a name in kanji is
    /// refused with 400 naming the rule, not a database error, and looking it up finds nobody.
    @Test("text that is not NUL passes: control characters and any script in a search; a kanji account name breaks the name rule (400)")
    func otherTextPasses() async throws {
        try await AdminConsoleTests.withConsole { fixture, http in
            var headers = AdminConsoleTests.bearer(fixture.token)
            headers[.contentType] = "application/json"
            try await http.execute(uri: "/users", method: .post, headers: headers, body: ByteBuffer(string: #"{"name":"\u6f22\u5b57 Kanji","password":"long enough"}"#)) { response in
                #expect(response.status == .badRequest)
            }
            for uri in ["/users?search=%01", "/users?search=%E6%BC%A2"] {
                try await http.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == .ok, "\(uri)")
                }
            }
            try await http.execute(uri: "/users/%E6%BC%A2%E5%AD%97%20Kanji", method: .get, headers: headers) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("an asset name is at most 63 bytes: 22 kanji (66 bytes, 22 characters) are a 400 naming the limit; 21 are stored")
    func assetNameInBytes() async throws {
        try await AdminConsoleTests.withConsole { fixture, http in
            let kanji22 = String(repeating: "漢", count: 22)
            let kanji21 = String(repeating: "漢", count: 21)
            func uri(_ name: String) -> String { "/assets?type=7&name=" + name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
            try await http.execute(uri: uri(kanji22), method: .post, headers: AdminConsoleTests.bearer(fixture.token), body: ByteBuffer(string: "note")) { response in
                #expect(response.status == .badRequest)
                let problem = try AdminConsoleTests.problem(response)
                #expect(problem.type == "/problems/invalid-parameter" && problem.detail?.contains("63 bytes") == true && problem.detail?.contains("66") == true, "\(problem)")
            }
            try await http.execute(uri: uri(kanji21), method: .post, headers: AdminConsoleTests.bearer(fixture.token), body: ByteBuffer(string: "note")) { response in
                #expect(response.status == .created)
                struct Asset: Decodable { var name: String }
                let asset = try JSONDecoder().decode(Asset.self, from: Data(buffer: response.body))
                #expect(asset.name == kanji21)
            }
            // The store itself refuses what the wire cannot carry, whoever calls it.
            let assets = AssetStore(client: fixture.client, logger: Logger(label: "tessera.console-test"))
            await #expect(throws: AssetError.invalidName) { try await assets.store(data: Data("x".utf8), type: 7, name: kanji22, creator: nil) }
        }
    }
}
