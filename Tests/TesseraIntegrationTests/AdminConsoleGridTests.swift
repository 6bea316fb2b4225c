import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraConsole
import TesseraGrid
import TesseraLocalGrid
import TesseraTesting
import TesseraStorage
import TesseraWorld

/// The console's actions on a running grid — agents, alerts, kicks, teleports, restarts, the
/// command line and the event stream — over real sockets, a real region node and PostgreSQL.
@Suite("The admin console on a running grid", .serialized)
struct AdminConsoleGridTests {
    struct Agent: Decodable {
        var agent_id: String
        var name: String
        var region: String
        var grid_x: Int
        var position: [Double]
        var in_region_since: String
        var client_manager: String
    }
    struct Agents: Decodable { var items: [Agent]; var next: String? }
    struct Action: Decodable { var affected: Int; var detail: String }
    struct Delivered: Decodable { var delivered: Int }

    static func post(_ http: any TestClientProtocol, _ uri: String, _ token: String?, _ body: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = token.map { AdminConsoleTests.bearer($0) } ?? [:]
        if body != nil { headers[.contentType] = "application/json" }
        return try await http.execute(uri: uri, method: .post, headers: headers, body: body.map(ByteBuffer.init(string:)))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(buffer: response.body))
    }

    @Test("agents: listed with region, position, since and client manager; kicked with a message the client sees; 404 and 401 and 400 as documented")
    func agentsAndKick() async throws {
        try await withGridServices { grid, operations in
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            _ = try await makeAccount(operations, "Ada Lovelace")
            _ = try await makeAccount(operations, "Bea")
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada Lovelace", password: "correct horse")
            let bea = try await ScenarioClient.connect(grid.url)
            try await bea.login("Bea", password: "correct horse")
            try await console.makeApplication().test(.live) { http in
                let list = try await http.execute(uri: "/agents", method: .get, headers: AdminConsoleTests.bearer(token))
                #expect(list.status == .ok)
                let page = try Self.decode(Agents.self, list)
                #expect(page.items.map(\.name) == ["Ada Lovelace", "Bea"])
                let first = try #require(page.items.first)
                #expect(first.region == "Scenario Region" && first.grid_x == 1000 && first.position.count == 3)
                #expect(!first.client_manager.isEmpty && first.in_region_since.hasPrefix("20"), "\(first)")
                let paged = try Self.decode(Agents.self, try await http.execute(uri: "/agents?limit=1", method: .get, headers: AdminConsoleTests.bearer(token)))
                #expect(paged.items.map(\.name) == ["Ada Lovelace"] && paged.next == "Ada Lovelace")
                let one = try await http.execute(uri: "/agents/bea", method: .get, headers: AdminConsoleTests.bearer(token))
                #expect(try Self.decode(Agent.self, one).name == "Bea")
                #expect(try await http.execute(uri: "/agents/Nobody", method: .get, headers: AdminConsoleTests.bearer(token)).status == .notFound)
                #expect(try await http.execute(uri: "/agents", method: .get).status == .unauthorized)
                #expect(try await http.execute(uri: "/agents?limit=0", method: .get, headers: AdminConsoleTests.bearer(token)).status == .badRequest)

                #expect(try await Self.post(http, "/agents/Bea/kick", nil, #"{"message":"x"}"#).status == .unauthorized)
                #expect(try await Self.post(http, "/agents/Bea/kick", token, #"{"message": 7}"#).status == .badRequest)
                #expect(try await Self.post(http, "/agents/Nobody/kick", token, #"{"message":"x"}"#).status == .notFound)
                let kicked = try await Self.post(http, "/agents/Bea/kick", token, #"{"message":"please read the covenant"}"#)
                #expect(kicked.status == .ok)
                #expect(try Self.decode(Action.self, kicked).affected == 1)
                try await bea.waitForClose()
                #expect(bea.closeCode == 4000 + Int(ErrorCode.kicked.rawValue))
                #expect(bea.closeReason == "please read the covenant")
                let after = try Self.decode(Agents.self, try await http.execute(uri: "/agents", method: .get, headers: AdminConsoleTests.bearer(token)))
                #expect(after.items.map(\.name) == ["Ada Lovelace"])
                let audit = try await http.execute(uri: "/audit?limit=20", method: .get, headers: AdminConsoleTests.bearer(token))
                let trail = String(buffer: audit.body)
                #expect(trail.contains(#""action":"kick""#) && trail.contains("please read the covenant"), "\(trail)")
            }
            #expect(ada.mirror.alerts.isEmpty)
            await ada.close()
        }
    }

    @Test("alerts: to everyone, to one region, to one avatar — the clients get Alert with its scope; 400 for an empty one, 404 for unknown targets")
    func alerts() async throws {
        try await withGridServices { grid, operations in
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            _ = try await makeAccount(operations, "Ada")
            _ = try await makeAccount(operations, "Bea")
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada", password: "correct horse")
            let bea = try await ScenarioClient.connect(grid.url)
            try await bea.login("Bea", password: "correct horse")
            try await console.makeApplication().test(.live) { http in
                let everyone = try await Self.post(http, "/alerts", token, #"{"message":"restart at 18:00"}"#)
                #expect(everyone.status == .ok)
                #expect(try Self.decode(Delivered.self, everyone).delivered == 2)
                let region = try await Self.post(http, "/alerts", token, #"{"message":"this region","region":"scenario region"}"#)
                #expect(try Self.decode(Delivered.self, region).delivered == 2)
                let one = try await Self.post(http, "/alerts", token, #"{"message":"just you","agent":"Bea"}"#)
                #expect(try Self.decode(Delivered.self, one).delivered == 1)
                #expect(try await Self.post(http, "/alerts", token, #"{"message":"  "}"#).status == .badRequest)
                #expect(try await Self.post(http, "/alerts", token, #"{"text":"wrong field"}"#).status == .badRequest)
                #expect(try await Self.post(http, "/alerts", token, #"{"message":"x","region":"Nowhere"}"#).status == .notFound)
                #expect(try await Self.post(http, "/alerts", token, #"{"message":"x","agent":"Nobody"}"#).status == .notFound)
                #expect(try await Self.post(http, "/alerts", nil, #"{"message":"x"}"#).status == .unauthorized)
            }
            try await bea.waitFor("three alerts") { $0.alerts.count == 3 }
            #expect(bea.mirror.alerts == [
                Alert(scope: .grid, text: "restart at 18:00"), Alert(scope: .region, text: "this region"), Alert(scope: .personal, text: "just you"),
            ])
            try await ada.waitFor("two alerts") { $0.alerts.count == 2 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(ada.mirror.alerts.map(\.text) == ["restart at 18:00", "this region"], "the personal alert reached Bea only")
            await ada.close()
            await bea.close()
        }
    }

    @Test("POST /console: show regions, show users, alert, kick user with an unquoted two-word name, login disable/enable, help; 400 for unknown lines, 401 without a token")
    func commandLine() async throws {
        try await withGridServices { grid, operations in
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            _ = try await makeAccount(operations, "Ada Lovelace")
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada Lovelace", password: "correct horse")
            try await console.makeApplication().test(.live) { http in
                func run(_ line: String) async throws -> (HTTPResponse.Status, String) {
                    let body = String(decoding: try JSONEncoder().encode(["command": line]), as: UTF8.self)
                    let response = try await Self.post(http, "/console", token, body)
                    return (response.status, String(buffer: response.body))
                }
                let (status, regions) = try await run("show regions")
                #expect(status == .ok)
                #expect(regions.hasPrefix("Region") && regions.contains("Scenario Region") && regions.contains("1 regions, 1 agents"), "\(regions)")
                let (_, users) = try await run("show users")
                #expect(users.contains("Ada Lovelace") && users.contains("1 agents in the grid"), "\(users)")
                let (_, uptime) = try await run("show uptime")
                #expect(uptime.contains("Uptime: 0d"))
                let (_, help) = try await run("help")
                #expect(help.contains("kick user NAME") && help.contains("show regions"))
                let (_, alerted) = try await run("alert The grid restarts soon")
                #expect(alerted == "Alert delivered to 1 avatars\n")
                let (_, disabled) = try await run("login disable back at six")
                #expect(disabled.contains("back at six"))
                #expect(try await operations.logins.state().enabled == false)
                _ = try await run("login enable")
                #expect(try await operations.logins.state().enabled == true)
                let (unknown, problem) = try await run("fly me to the moon")
                #expect(unknown == .badRequest && problem.contains("unknown command"), "\(problem)")
                let (missing, _) = try await run("kick user Nobody Here")
                #expect(missing == .notFound)
                let (kickStatus, kicked) = try await run("kick user Ada Lovelace time to go")
                #expect(kickStatus == .ok && kicked.hasPrefix("Kicked Ada Lovelace"), "\(kicked)")
                let plain = try await http.execute(
                    uri: "/console", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "text/plain"], body: ByteBuffer(string: "show uptime"))
                #expect(plain.status == .ok && String(buffer: plain.body).contains("Uptime"))
                #expect(try await Self.post(http, "/console", nil, #"{"command":"show regions"}"#).status == .unauthorized)
            }
            try await ada.waitForClose()
            #expect(ada.closeReason == "time to go")
            #expect(ada.mirror.alerts.map(\.text) == ["The grid restarts soon"])
        }
    }

    @Test("restart a region: alone it tells its avatars and logs them out, writes its scene and reloads it from storage; 404 for an unknown region")
    func restartRegion() async throws {
        try await withGridServices { grid, operations in
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            _ = try await makeAccount(operations, "Ada")
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada", password: "correct horse")
            try await ada.send(.createObject(CreateObject(requestID: 1, shape: .box, position: Vector3(100, 100, 22), scale: Vector3(1, 1, 1), name: "crate")))
            try await ada.waitFor("the crate") { $0.results.contains { $0.requestID == 1 } }
            let runner = try #require(grid.runner("Scenario Region"))
            try await console.makeApplication().test(.live) { http in
                #expect(try await Self.post(http, "/regions/Nowhere/restart", token).status == .notFound)
                let restarted = try await Self.post(http, "/regions/Scenario%20Region/restart", token, #"{"message":"back in a moment"}"#)
                #expect(restarted.status == .ok, "\(String(buffer: restarted.body))")
                let result = try Self.decode(Action.self, restarted)
                #expect(result.affected == 1 && result.detail.contains("1 logged out") && result.detail.contains("1 objects restored"), "\(result)")
            }
            try await ada.waitForClose()
            #expect(ada.closeCode == 4000 + Int(ErrorCode.regionRestarting.rawValue))
            #expect(ada.closeReason == "back in a moment")
            #expect(ada.mirror.alerts.map(\.text) == ["back in a moment"])
            let names = try await runner.inspect { $0.objectRecords().map(\.name) }
            #expect(names == ["crate"], "the stored crate is back")
            #expect(runner.stats.restarts == 1)
            let again = try await ScenarioClient.connect(grid.url)
            _ = try await again.login("Ada", password: "correct horse")
            await again.close()
        }
    }
}

extension AdminConsoleGridTests {
    @Test("inventory: a user's folder tree and items, read-only; assets: upload (201, audited), metadata, download; 400, 401 and 404 as documented")
    func inventoryAndAssets() async throws {
        try await withGridServices { grid, operations in
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            let ada = try await makeAccount(operations, "Ada")
            let root = try await operations.inventory.createInventory(for: ada)
            let folder = try await operations.inventory.createFolder(owner: ada, parent: root, name: "Crates")
            try await console.makeApplication().test(.live) { http in
                let bytes = ByteBuffer(string: "a notecard's text ✦")
                let upload = try await http.execute(
                    uri: "/assets?type=7&name=Welcome", method: .post, headers: AdminConsoleTests.bearer(token), body: bytes)
                #expect(upload.status == .created)
                struct Asset: Decodable { var id: String; var type: Int; var name: String; var size: Int; var creator: String? }
                let asset = try Self.decode(Asset.self, upload)
                #expect(asset.type == 7 && asset.name == "Welcome" && asset.size == bytes.readableBytes && asset.id.count == 64)
                #expect(asset.creator != nil, "the uploading admin is its creator")
                #expect(upload.headers[.location] == "/assets/\(asset.id)")
                let meta = try await http.execute(uri: "/assets/\(asset.id)", method: .get, headers: AdminConsoleTests.bearer(token))
                #expect(try Self.decode(Asset.self, meta).name == "Welcome")
                let data = try await http.execute(uri: "/assets/\(asset.id)/data", method: .get, headers: AdminConsoleTests.bearer(token))
                #expect(data.status == .ok && data.body == bytes)
                #expect(try await http.execute(uri: "/assets/\(String(repeating: "0", count: 64))", method: .get, headers: AdminConsoleTests.bearer(token)).status == .notFound)
                #expect(try await http.execute(uri: "/assets/xyz", method: .get, headers: AdminConsoleTests.bearer(token)).status == .badRequest)
                #expect(try await http.execute(uri: "/assets?type=999", method: .post, headers: AdminConsoleTests.bearer(token), body: bytes).status == .badRequest)
                #expect(try await http.execute(uri: "/assets", method: .post, headers: AdminConsoleTests.bearer(token), body: bytes).status == .badRequest)
                #expect(try await http.execute(uri: "/assets/\(asset.id)", method: .get).status == .unauthorized)

                _ = try await operations.inventory.createItem(
                    owner: ada, folder: folder, assetID: AssetStore.id(of: Data(buffer: bytes)), type: 7, name: "Welcome note", masks: .full)
                struct Tree: Decodable {
                    struct Folder: Decodable { var id: String; var parent: String?; var name: String }
                    struct Item: Decodable { var folder: String; var name: String; var asset_id: String }
                    var account: String
                    var folders: [Folder]
                    var items: [Item]
                }
                let inventory = try await http.execute(uri: "/users/Ada/inventory", method: .get, headers: AdminConsoleTests.bearer(token))
                #expect(inventory.status == .ok)
                let tree = try Self.decode(Tree.self, inventory)
                let crates = try #require(tree.folders.first { $0.name == "Crates" })
                #expect(crates.parent == root.uuidString.lowercased())
                #expect(tree.items.map(\.name) == ["Welcome note"] && tree.items.first?.folder == crates.id && tree.items.first?.asset_id == asset.id)
                #expect(try await http.execute(uri: "/users/Nobody/inventory", method: .get, headers: AdminConsoleTests.bearer(token)).status == .notFound)
                let audit = String(buffer: try await http.execute(uri: "/audit", method: .get, headers: AdminConsoleTests.bearer(token)).body)
                #expect(audit.contains(#""action":"upload asset""#))
            }
        }
    }
}

extension AdminConsoleGridTests {
    @Test("teleport: an admin moves an avatar to a point of a region (the client sees itself there); 400 for a bad position, 404 for unknown avatars and regions, 401 without a token")
    func teleport() async throws {
        try await withGridServices { grid, operations in
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            _ = try await makeAccount(operations, "Ada")
            let ada = try await ScenarioClient.connect(grid.url)
            try await ada.login("Ada", password: "correct horse")
            try await console.makeApplication().test(.live) { http in
                let moved = try await Self.post(http, "/agents/Ada/teleport", token, #"{"region":"Scenario Region","position":[20,30,40]}"#)
                #expect(moved.status == .ok, "\(String(buffer: moved.body))")
                #expect(try Self.decode(Action.self, moved).affected == 1)
                #expect(try await Self.post(http, "/agents/Ada/teleport", token, #"{"region":"Scenario Region","position":[1,2]}"#).status == .badRequest)
                #expect(try await Self.post(http, "/agents/Ada/teleport", token, #"{"region":"Scenario Region","position":[300,2,3]}"#).status == .badRequest)
                #expect(try await Self.post(http, "/agents/Ada/teleport", token, #"{"position":[1,2,3]}"#).status == .badRequest)
                #expect(try await Self.post(http, "/agents/Ada/teleport", token, #"{"region":"Nowhere"}"#).status == .notFound)
                #expect(try await Self.post(http, "/agents/Nobody/teleport", token, #"{"region":"Scenario Region"}"#).status == .notFound)
                #expect(try await Self.post(http, "/agents/Ada/teleport", nil, #"{"region":"Scenario Region"}"#).status == .unauthorized)
            }
            try await ada.waitFor("Ada at the teleport's point") { mirror in
                guard let me = mirror.me else { return false }
                return abs(me.motion.position.position.x - 20) < 0.5 && abs(me.motion.position.position.y - 30) < 0.5
            }
            await ada.close()
        }
    }
}
