import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TesseraConsole
import TesseraGrid
import TesseraGridProtocol
import TesseraLocalGrid
import TesseraRegion
import TesseraStorage
import TesseraTesting
import TesseraWire
import TesseraWorld

/// The console's scripts routes on a running grid (no script service: the region's link is
/// `none`, and its scripted objects are still listed, stopped and started by an admin).
@Suite("The admin console's scripts routes", .serialized)
struct AdminConsoleScriptsTests {
    struct Scripts: Decodable {
        var region: String
        var state: String
        var scripted_objects: Int
        var scripts: Int
        var running: Int
        var events_queued: Int
        var held_events: Int
        var events_dropped: Int
        var held_dropped: Int
        var chat_dropped: Int
        var errors: Int
        var last_run_micros: Int
        var losses: Int
        var top: [Top]
        struct Top: Decodable { var object: String; var name: String }
    }

    /// A box with one script, written to the region's stored scene; the region loads it at
    /// the console's restart.
    static func scriptedBox(owner: UUID) -> SceneObjectRecord {
        let source = "default { touch_start(integer n) { llSay(0, \"Hello, \" + llDetectedName(0)); } }\n"
        return SceneObjectRecord(
            id: UUID(), owner: owner, creator: owner, asset: nil, name: "Greeter", shape: .box, position: Vector3(100, 100, 22),
            rotation: Quaternion(x: 0, y: 0, z: 0, w: 1), scale: Vector3(1, 1, 1), masks: [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x7FFF_FFFF],
            contents: [ContentItem(id: UUID(), name: "Hello Script", kind: .script, asset: ScriptDemo.scriptAsset(source), source: source)])
    }

    @Test("GET scripts: link none, the scripted object counted, no top scripts; stop and start reach the script; 400, 401 and 404 as documented; audited")
    func scriptsRoutes() async throws {
        try await withGridServices { grid, operations in
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            let owner = try await makeAccount(operations, "Scripter")
            let box = Self.scriptedBox(owner: owner)
            let source = try #require(box.contents.first?.source)
            guard case .success(.asset(let asset)) = await operations.perform(.storeScript(account: owner, name: "Hello Script", source: source), for: .region) else {
                Issue.record("the script was not stored")
                return
            }
            #expect(asset == box.contents[0].asset)
            let regionID = try #require(try await operations.regions.online().first { $0.name == "Scenario Region" }?.id)
            guard case .success(.done) = await operations.perform(.flushScene(region: regionID, created: [box], changed: [], deleted: []), for: .region) else {
                Issue.record("the box was not stored")
                return
            }
            let runner = try #require(grid.runner("Scenario Region"))
            try await console.makeApplication().test(.live) { http in
                let bearer = AdminConsoleTests.bearer(token)
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Scenario%20Region/restart", token).status == .ok)

                let answer = try await http.execute(uri: "/regions/scenario%20region/scripts", method: .get, headers: bearer)
                #expect(answer.status == .ok, "\(String(buffer: answer.body))")
                let scripts = try AdminConsoleGridTests.decode(Scripts.self, answer)
                #expect(scripts.region == "Scenario Region")
                #expect(scripts.state == "none")
                #expect(scripts.scripted_objects == 1)
                #expect(scripts.scripts == 0 && scripts.running == 0 && scripts.events_queued == 0 && scripts.held_events == 0)
                #expect(scripts.events_dropped == 0 && scripts.held_dropped == 0 && scripts.chat_dropped == 0 && scripts.errors == 0)
                #expect(scripts.last_run_micros == 0 && scripts.losses == 0)
                #expect(scripts.top.isEmpty)

                let object = box.id.uuidString.lowercased()
                let stopped = try await AdminConsoleGridTests.post(http, "/regions/Scenario%20Region/scripts/\(object)/Hello%20Script/stop", token)
                #expect(stopped.status == .ok, "\(String(buffer: stopped.body))")
                let result = try AdminConsoleGridTests.decode(AdminConsoleGridTests.Action.self, stopped)
                #expect(result.affected == 0)
                #expect(result.detail == "stopped script Hello Script in object \(object) of Scenario Region")
                let local = try #require(try await runner.inspect { $0.scriptedObjects().first?.local })
                #expect(try await runner.inspect { $0.contentsListing(local)?.map(\.running) } == [false])
                let started = try await AdminConsoleGridTests.post(http, "/regions/Scenario%20Region/scripts/\(object)/Hello%20Script/start", token)
                #expect(started.status == .ok)
                #expect(try await runner.inspect { $0.contentsListing(local)?.map(\.running) } == [true])
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Scenario%20Region/scripts/\(object)/Hello%20Script/reset", token).status == .ok)

                // Unknown script, object, region and action: 404; a bad object id: 400; no token: 401.
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Scenario%20Region/scripts/\(object)/Nothing/stop", token).status == .notFound)
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Scenario%20Region/scripts/\(UUID().uuidString)/Hello%20Script/stop", token).status == .notFound)
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Nowhere/scripts/\(object)/Hello%20Script/stop", token).status == .notFound)
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Scenario%20Region/scripts/\(object)/Hello%20Script/pause", token).status == .notFound)
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Scenario%20Region/scripts/not-an-id/Hello%20Script/stop", token).status == .badRequest)
                #expect(try await http.execute(uri: "/regions/Nowhere/scripts", method: .get, headers: bearer).status == .notFound)
                #expect(try await http.execute(uri: "/regions/Scenario%20Region/scripts", method: .get).status == .unauthorized)
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Scenario%20Region/scripts/\(object)/Hello%20Script/stop", nil).status == .unauthorized)

                let audit = try await http.execute(uri: "/audit?limit=20", method: .get, headers: bearer)
                let text = String(buffer: audit.body)
                #expect(text.contains("stop script") && text.contains("start script") && text.contains("reset script"), "\(text)")
            }
            // The node's status carries the script link too.
            let status = try #require(grid.regionNode.status().regions.first { $0.name == "Scenario Region" })
            #expect(status.scripts.state == .none)
            #expect(status.scripts.scriptedObjects == 1)
        }
    }
}
