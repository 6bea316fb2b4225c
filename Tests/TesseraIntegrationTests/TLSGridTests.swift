import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// A whole grid whose every wire link is mutual TLS (docs/security.md): the grid services, two
/// region nodes that find each other through the registry, the physics service and the client
/// manager, each with a certificate of its own. A client logs in with a password (checked by the
/// grid services over TLS), walks across a border between the two nodes (hand-off over the
/// nodes' TLS link, the client manager's route switch over its TLS links) and the admin view of
/// each node (a StatusRequest over TLS) holds it as root in one region only.
@Suite("A grid with TLS on every link", .serialized)
struct TLSGridTests {
    @Test("login, a crossing between nodes and physics, all over mutual TLS")
    func crossingOverTLS() async throws {
        let grid = try await ScenarioGrid.start(
            migrationsDirectory: migrationsDirectory, layout: ScenarioGrid.square, linkNodes: false, inProcessPhysics: true,
            certificates: try ScenarioCertificates())
        do {
            let operations = try #require(grid.gridServices).operations
            _ = try await makeAccount(operations, "Ada")
            let ada = try await ScenarioClient.connect(grid.url)
            let welcome = try await ada.login("Ada", password: "correct horse")
            #expect(welcome.regionName == "West")
            // The nodes found each other through the registry and linked over TLS.
            try await Eventually.until("both nodes linked", timeout: .seconds(30)) {
                grid.regionNodes.allSatisfy { node in node.status().regions.allSatisfy { $0.physics.state == .attached } }
            }
            try await GridCrossingTests.place(ada, x: 250, y: 128, request: 1)
            try await GridCrossingTests.walk(ada, heading: 0, into: "East")
            #expect(ada.mirror.regionChanges.map(\.regionName) == ["East"])
            #expect(ada.violations.isEmpty, "\(ada.violations)")
            #expect(!ada.isFinished)
            #expect(try await GridCrossingTests.roots(of: welcome.agentID, in: grid) == ["East"])
            await ada.close()
        } catch {
            await grid.stop()
            throw error
        }
        await grid.stop()
    }

    @Test("a live region move over TLS: the console asks as the grid services, the nodes move the region over their TLS link, the clients stay")
    func migrationOverTLS() async throws {
        let grid = try await ScenarioGrid.start(
            migrationsDirectory: migrationsDirectory, layout: [[RegionMigrationTests.plaza], [RegionMigrationTests.far]],
            certificates: try ScenarioCertificates())
        do {
            let operations = try #require(grid.gridServices).operations
            let clients = try await RegionMigrationTests.clients(3, grid, operations)
            let (console, token) = try await AdminConsoleTests.gridConsole(grid, operations)
            try await console.makeApplication().test(.live) { http in
                let moved = try await http.execute(
                    uri: "/regions/Plaza/move", method: .post, headers: AdminConsoleTests.bearer(token), body: ByteBuffer(string: #"{"to":"scenario-node-2"}"#))
                #expect(moved.status == .ok, "\(String(buffer: moved.body))")
                let result = try AdminConsoleGridTests.decode(RegionMigrationTests.Moved.self, moved)
                #expect(result.from == "scenario-node-1" && result.to == "scenario-node-2" && result.avatars == 3)
            }
            #expect(RegionMigrationTests.host(of: "Plaza", grid) == ["scenario-node-2"])
            #expect(try await operations.regions.locate(name: "Plaza").node == "scenario-node-2")
            try await clients[0].say("after the move")
            for client in clients.dropFirst() {
                try await client.waitFor("hears the chat through the moved region") { $0.chat.contains { $0.text == "after the move" } }
            }
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
}
