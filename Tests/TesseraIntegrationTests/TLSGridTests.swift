import Foundation
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
}
