import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraConsole
import TesseraGrid
import TesseraRegion
import TesseraStorage
import TesseraTesting
import TesseraWire
import TesseraWorld

/// Live region migration (docs/migration.md) on an in-process grid of real region nodes, a real
/// client manager, real WebSocket clients and PostgreSQL: the console moves a running region
/// between nodes while its clients stay connected.
@Suite("Live region migration", .serialized)
struct RegionMigrationTests {
    struct Moved: Decodable {
        var region: String
        var from: String
        var to: String
        var avatars: Int
        var objects: Int
        var scripts: Int
        var pause_ms: Double
        var total_ms: Double
    }
    struct Drained: Decodable {
        struct Failure: Decodable { var region: String; var status: Int; var detail: String }
        var node: String
        var moved: [Moved]
        var failed: [Failure]
    }
    struct ProblemDocument: Decodable { var type: String; var status: Int; var detail: String? }

    static let plaza = ScenarioGrid.Region("Plaza", x: 1000, y: 1000)
    static let far = ScenarioGrid.Region("Far", x: 1010, y: 1010)
    static let further = ScenarioGrid.Region("Further", x: 1020, y: 1020)

    /// The node (by name) running `region` now, from the nodes' own tables.
    static func host(of region: String, _ grid: ScenarioGrid) -> [String] {
        grid.regionNodes.filter { node in node.runners.contains { $0.settings.name == region } }.map(\.settings.nodeName)
    }

    /// Logs `count` clients in (accounts made first), a few at a time.
    static func clients(_ count: Int, _ grid: ScenarioGrid, _ operations: GridOperations) async throws -> [ScenarioClient] {
        var clients: [ScenarioClient] = []
        for batch in stride(from: 0, to: count, by: 10) {
            let made = try await withThrowingTaskGroup(of: (Int, ScenarioClient).self) { tasks in
                for index in batch..<min(batch + 10, count) {
                    tasks.addTask {
                        _ = try await makeAccount(operations, "Bot \(index)")
                        let client = try await ScenarioClient.connect(grid.url)
                        _ = try await client.login("Bot \(index)", password: "correct horse")
                        return (index, client)
                    }
                }
                var made: [(Int, ScenarioClient)] = []
                for try await pair in tasks { made.append(pair) }
                return made.sorted { $0.0 < $1.0 }.map(\.1)
            }
            clients += made
        }
        return clients
    }

    /// What the region holds of its objects now: local ID, name, position, owner.
    struct ObjectRow: Hashable, Sendable {
        var localID: LocalID
        var name: String
        var position: Vector3
        var owner: UUID
    }

    static func objects(of region: String, _ grid: ScenarioGrid) async throws -> [ObjectRow] {
        let runner = try #require(grid.runner(region))
        return try await runner.inspect { region in
            let owners = region.objectOwners()
            return region.objectStates().map { ObjectRow(localID: $0.localID, name: $0.name, position: $0.position, owner: owners[$0.localID] ?? UUID()) }
        }
    }

    @Test("a region moved back and forth ten times under 100 clients: none disconnected, each gets updates and moves after each move, objects intact, the registry follows")
    func backAndForth() async throws {
        let grid = try await ScenarioGrid.start(migrationsDirectory: migrationsDirectory, layout: [[Self.plaza], [Self.far]])
        do {
            let operations = try #require(grid.gridServices).operations
            let database = try #require(grid.databaseClient)
            let clients = try await Self.clients(100, grid, operations)
            // Ten objects, two by each of five owners.
            for owner in 0..<5 {
                for index in 0..<2 {
                    let request = UInt32(owner * 2 + index + 1)
                    try await clients[owner].send(.createObject(CreateObject(
                        requestID: request, shape: .box, position: Vector3(120 + Float(owner * 2 + index), 140, 22), scale: Vector3(0.5, 0.5, 0.5),
                        name: "crate \(owner)-\(index)")))
                    try await clients[owner].waitFor("crate made") { $0.results.contains { $0.requestID == request } }
                }
            }
            let before = try await Self.objects(of: "Plaza", grid)
            #expect(before.count == 10)
            for client in clients {
                try await client.waitFor("sees the ten crates") { $0.entities.values.count { $0.kind == .object } == 10 }
            }
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            let pauses = try await console.makeApplication().test(.live) { http -> [Double] in
                var pauses: [Double] = []
                for move in 0..<10 {
                    let from = move.isMultiple(of: 2) ? "scenario-node-1" : "scenario-node-2"
                    let to = move.isMultiple(of: 2) ? "scenario-node-2" : "scenario-node-1"
                    let updates = clients.map(\.mirror.entityUpdates)
                    let response = try await AdminConsoleGridTests.post(http, "/regions/Plaza/move", token, #"{"to":"\#(to)"}"#)
                    #expect(response.status == .ok, "move \(move): \(String(buffer: response.body))")
                    let moved = try AdminConsoleGridTests.decode(Moved.self, response)
                    #expect(moved.region == "Plaza" && moved.from == from && moved.to == to)
                    #expect(moved.avatars == 100 && moved.objects == 10 && moved.scripts == 0)
                    #expect(moved.pause_ms > 0)
                    pauses.append(moved.pause_ms)
                    // Exactly one node runs it: the target; the registry names the target.
                    #expect(Self.host(of: "Plaza", grid) == [to])
                    let located = try await operations.regions.locate(name: "Plaza")
                    #expect(located.node == to)
                    let port = try #require(grid.config.regionNodes.first { $0.name == to }).port
                    #expect(located.address == "127.0.0.1:\(port)", "\(located.address)")
                    // The objects: same local IDs, names, positions and owners.
                    #expect(try await Self.objects(of: "Plaza", grid) == before)
                    // Every client walks a step (its command reaches the new node) and sees updates.
                    let heading: Float = move.isMultiple(of: 2) ? 0 : .pi
                    let starts = clients.map { $0.mirror.me?.motion.position.position.x ?? 0 }
                    for client in clients { try await client.send(.move(Move(mode: .walk, headingRadians: heading))) }
                    for (index, client) in clients.enumerated() {
                        try await client.waitFor("client \(index) walked and got updates after move \(move)") { mirror in
                            guard let x = mirror.me?.motion.position.position.x else { return false }
                            return mirror.entityUpdates > updates[index] && (heading == 0 ? x > starts[index] + 0.2 : x < starts[index] - 0.2)
                        }
                    }
                    for client in clients { try await client.send(.move(Move(mode: .stop, headingRadians: 0))) }
                    // One root per avatar, in the one region.
                    try await Eventually.until("100 avatars root once, on \(to)") {
                        let statuses = grid.regionNodes.flatMap { $0.status().regions }.filter { $0.name == "Plaza" }
                        return statuses.count == 1 && Set(statuses[0].rootAgents).count == 100 && statuses[0].rootAgents.count == 100
                    }
                }
                return pauses
            }
            for (index, client) in clients.enumerated() {
                #expect(!client.isFinished, "client \(index) was disconnected: \(client.closeCode ?? 0) \(client.closeReason ?? "")")
                #expect(client.violations.isEmpty, "client \(index): \(client.violations)")
                #expect(client.mirror.regionChanges.isEmpty, "a migration is not a region change")
                #expect(client.mirror.entities.values.count { $0.kind == .object } == 10)
                #expect(client.mirror.entities.values.count { $0.kind == .avatar } == 100)
            }
            // Storage: the ten rows are the region's, with their owners, once.
            let runner = try #require(grid.runner("Plaza"))
            #expect(await runner.flushNow())
            let regionID = try await operations.regions.locate(name: "Plaza").id
            #expect(try await count(database, "SELECT count(*) FROM scene_objects WHERE region_id = \(regionID)") == 10)
            for row in before {
                #expect(try await count(database, "SELECT count(*) FROM scene_objects WHERE region_id = \(regionID) AND owner_id = \(row.owner) AND name = \(row.name)") == 1)
            }
            let sorted = pauses.sorted()
            print("region migration pauses (ms) over \(pauses.count) moves under 100 clients: p50 \(sorted[sorted.count / 2]), max \(sorted.last ?? 0)")
            for client in clients { await client.close() }
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }

    @Test("a move that cannot happen leaves the region running where it was: node down, unknown node, same node, unknown region, bad body")
    func failedMoves() async throws {
        let grid = try await ScenarioGrid.start(migrationsDirectory: migrationsDirectory, layout: [[Self.plaza], [Self.far], [Self.further]])
        do {
            let operations = try #require(grid.gridServices).operations
            let clients = try await Self.clients(3, grid, operations)
            try await clients[0].send(.createObject(CreateObject(requestID: 1, shape: .box, position: Vector3(100, 100, 22), scale: Vector3(1, 1, 1), name: "crate")))
            try await clients[0].waitFor("crate made") { $0.results.contains { $0.requestID == 1 } }
            let before = try await Self.objects(of: "Plaza", grid)
            await grid.regionNodes[2].shutdown()
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            try await console.makeApplication().test(.live) { http in
                let down = try await AdminConsoleGridTests.post(http, "/regions/Plaza/move", token, #"{"to":"scenario-node-3"}"#)
                #expect(down.status == .conflict, "\(String(buffer: down.body))")
                let problem = try AdminConsoleGridTests.decode(ProblemDocument.self, down)
                #expect(problem.type == "/problems/node-unavailable", "\(problem)")
                #expect(problem.detail?.contains("scenario-node-3") == true && problem.detail?.contains("Plaza") == true, "\(problem)")

                let unknown = try await AdminConsoleGridTests.post(http, "/regions/Plaza/move", token, #"{"to":"node-9"}"#)
                #expect(unknown.status == .notFound)
                #expect(try AdminConsoleGridTests.decode(ProblemDocument.self, unknown).detail == "no region node is named node-9")
                let same = try await AdminConsoleGridTests.post(http, "/regions/Plaza/move", token, #"{"to":"scenario-node-1"}"#)
                #expect(same.status == .conflict)
                #expect(try AdminConsoleGridTests.decode(ProblemDocument.self, same).type == "/problems/already-there")
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Nowhere/move", token, #"{"to":"scenario-node-2"}"#).status == .notFound)
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Plaza/move", token, #"{"node":"scenario-node-2"}"#).status == .badRequest)
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Plaza/move", token, #"{"to":""}"#).status == .badRequest)
                #expect(try await AdminConsoleGridTests.post(http, "/regions/Plaza/move", nil, #"{"to":"scenario-node-2"}"#).status == .unauthorized)
                #expect(try await AdminConsoleGridTests.post(http, "/nodes/node-9/drain", token).status == .notFound)
                let audit = String(buffer: try await http.execute(uri: "/audit?limit=20", method: .get, headers: AdminConsoleTests.bearer(token)).body)
                #expect(audit.contains(#""action":"move region""#) && audit.contains("409 The node is unavailable"), "\(audit)")
            }
            // Still on node 1, running, with its object and clients; the registry unchanged.
            #expect(Self.host(of: "Plaza", grid) == ["scenario-node-1"])
            #expect(try await operations.regions.locate(name: "Plaza").node == "scenario-node-1")
            #expect(try await Self.objects(of: "Plaza", grid) == before)
            let frame = try #require(grid.runner("Plaza")).stats.frame
            try await Eventually.until("Plaza runs frames") { (grid.runner("Plaza")?.stats.frame ?? 0) > frame + 5 }
            let x = clients[1].mirror.me?.motion.position.position.x ?? 0
            try await clients[1].send(.move(Move(mode: .walk, headingRadians: 0)))
            try await clients[1].waitFor("walks on node 1") { ($0.me?.motion.position.position.x ?? 0) > x + 0.2 }
            for client in clients {
                #expect(!client.isFinished)
                await client.close()
            }
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }

    @Test("the console's text commands move a region and drain a node; the client stays and follows")
    func consoleCommands() async throws {
        let grid = try await ScenarioGrid.start(migrationsDirectory: migrationsDirectory, layout: [[Self.plaza], [Self.far]])
        do {
            let operations = try #require(grid.gridServices).operations
            let clients = try await Self.clients(2, grid, operations)
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            try await console.makeApplication().test(.live) { http in
                func command(_ line: String) async throws -> TestResponse {
                    var headers = AdminConsoleTests.bearer(token)
                    headers[.contentType] = "text/plain"
                    return try await http.execute(uri: "/console", method: .post, headers: headers, body: ByteBuffer(string: line))
                }
                let help = String(buffer: try await command("help").body)
                #expect(help.contains("move region NAME to NODE") && help.contains("drain node NODE"))
                let moved = try await command("move region Plaza to scenario-node-2")
                #expect(moved.status == .ok)
                let line = String(buffer: moved.body)
                #expect(line.hasPrefix("Moved Plaza from scenario-node-1 to scenario-node-2: 2 avatars, 0 objects, 0 scripts; paused "), "\(line)")
                #expect(Self.host(of: "Plaza", grid) == ["scenario-node-2"])
                #expect(try await command("move region Plaza").status == .badRequest)
                #expect(try await command("move region Plaza to scenario-node-2").status == .conflict)
                #expect(try await command("drain node").status == .badRequest)

                // Draining node 2 moves both regions to node 1 (which runs none and so is not in
                // the registry: node 2 picks the node it is linked to).
                let drained = try await command("drain node scenario-node-2")
                #expect(drained.status == .ok)
                let lines = String(buffer: drained.body).split(separator: "\n").map(String.init)
                #expect(lines.count == 3, "\(lines)")
                #expect(lines.contains { $0.hasPrefix("Moved Far from scenario-node-2 to scenario-node-1: 0 avatars") }, "\(lines)")
                #expect(lines.contains { $0.hasPrefix("Moved Plaza from scenario-node-2 to scenario-node-1: 2 avatars") }, "\(lines)")
                #expect(lines.last == "Node scenario-node-2: 2 regions moved, 0 stayed")
                #expect(Self.host(of: "Plaza", grid) == ["scenario-node-1"] && Self.host(of: "Far", grid) == ["scenario-node-1"])
                #expect(grid.regionNodes[1].runners.isEmpty)
                #expect(try await operations.regions.locate(name: "Far").node == "scenario-node-1")
                // The JSON drain of a node that runs nothing now.
                #expect(try await AdminConsoleGridTests.post(http, "/nodes/scenario-node-2/drain", token).status == .notFound)
                let json = try await AdminConsoleGridTests.post(http, "/nodes/scenario-node-1/drain", token)
                #expect(json.status == .ok)
                let result = try AdminConsoleGridTests.decode(Drained.self, json)
                #expect(result.node == "scenario-node-1" && result.failed.isEmpty)
                #expect(Set(result.moved.map(\.region)) == ["Far", "Plaza"] && result.moved.allSatisfy { $0.to == "scenario-node-2" })
            }
            // The clients stayed, and can still chat with each other through the moved region.
            try await clients[0].say("still here")
            try await clients[1].waitFor("hears the other") { $0.chat.contains { $0.text == "still here" } }
            for client in clients {
                #expect(!client.isFinished && client.violations.isEmpty)
                await client.close()
            }
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }

    @Test("a region with a running script and a physics service moves: the script counts on from its checkpoint on the new node, not from the start")
    func scriptsAndPhysicsMove() async throws {
        let grid = try await ScenarioGrid.start(
            migrationsDirectory: migrationsDirectory, layout: [[Self.plaza], [Self.far]], inProcessPhysics: true, inProcessScripts: true)
        do {
            let operations = try #require(grid.gridServices).operations
            let ada = try #require(try await Self.clients(1, grid, operations).first)
            let box = try await ScriptTesting.createBox(ada, "Counter", at: Vector3(130, 128, 21), requestID: 1)
            _ = try await ada.addScript(to: box, name: "count", source: ScriptTesting.counter)
            try await ScriptTesting.waitForTicks(ada, from: "Counter", count: 3)
            // A checkpoint taken after the third tick: the state the move carries counts at least 3.
            let runner = try #require(grid.runner("Plaza"))
            let checkpoints = try await runner.inspect { $0.scriptsStatus.checkpoints }
            try await Eventually.until("a checkpoint after three ticks", timeout: .seconds(30)) {
                (try? await runner.inspect { $0.scriptsStatus.checkpoints }) ?? 0 > checkpoints
            }
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            let heard = ada.mirror.chat.count
            let moved = try await console.makeApplication().test(.live) { http -> Moved in
                let response = try await AdminConsoleGridTests.post(http, "/regions/Plaza/move", token, #"{"to":"scenario-node-2"}"#)
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return try AdminConsoleGridTests.decode(Moved.self, response)
            }
            #expect(moved.objects == 1 && moved.scripts == 1 && moved.avatars == 1)
            #expect(Self.host(of: "Plaza", grid) == ["scenario-node-2"])
            // The script runs on the new node, attached to its services, and goes on counting.
            let moved_ = try #require(grid.runner("Plaza"))
            try await Eventually.until("the moved region attaches to its services", timeout: .seconds(30)) {
                moved_.stats.scripts.state == .attached && moved_.stats.physics.state == .attached
            }
            // Restarted from the start it would say "tick 1"; from a checkpoint of a count of at
            // least 3, it says at least 4.
            let next = try await ScriptTesting.waitForNextTick(ada, from: "Counter")
            #expect(next.count >= 4, "the count went on from the checkpoint: \(next), heard \(ScriptTesting.ticks(ada, from: "Counter", after: heard))")
            #expect(!ada.isFinished && ada.violations.isEmpty)
            await ada.close()
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }
}
