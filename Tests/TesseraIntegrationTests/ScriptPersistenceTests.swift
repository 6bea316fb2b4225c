import Foundation
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraRegion
import TesseraTesting
import TesseraWire
import TesseraWorld

/// A running script survives being taken into inventory and rezzed again, and a restart of its
/// region node, with grid services on a real PostgreSQL.
@Suite("A running script survives take, rez and a region restart", .serialized)
struct ScriptPersistenceTests {
    @Test("a timer counter taken and rezzed counts on exactly; after a region restart it resumes from its last checkpoint")
    func takeRezAndRestart() async throws {
        let grid = try await ScenarioGrid.start(spawnRadius: 0, migrationsDirectory: migrationsDirectory, inProcessScripts: true)
        let operations = try #require(grid.gridServices).operations
        _ = try await makeAccount(operations, "Ada")
        var clients: [ScenarioClient] = []
        do {
            try await ScriptTesting.waitForScripts(.attached, in: "Scenario Region", of: grid)
            let ada = try await ScenarioClient.connect(grid.url)
            clients.append(ada)
            try await ada.login("Ada", password: "correct horse")
            // Only objects rezzed from inventory can be taken.
            let made = try await makeObjectItem(ada, name: "Counter")
            guard case .rezzed(_, let box) = try await ada.call(.rez(made, at: Vector3(130, 128, 22))) else { throw ScenarioError.timedOut("rez") }
            try await ada.addScript(to: box, name: "count", source: ScriptTesting.counter)
            let before = try await ScriptTesting.waitForTicks(ada, from: "Counter", count: 4)

            // Taken: the scripts are captured as they are, and the capture goes with the item.
            guard case .id(let item) = try await ada.call(.take(box)) else { throw ScenarioError.timedOut("take") }
            let taken = ScriptTesting.ticks(ada, from: "Counter")
            #expect(try await ScriptTesting.local("Counter", in: "Scenario Region", of: grid) == nil)
            guard case .rezzed(_, let rezzed) = try await ada.call(.rez(item, at: Vector3(130, 128, 22))) else {
                throw ScenarioError.timedOut("rez")
            }
            let afterRez = try await ScriptTesting.waitForTicks(ada, from: "Counter", count: (taken.last?.count ?? 0) + 3)
            let next = try #require(afterRez.dropFirst(taken.count).first)
            #expect(next.count == (taken.last?.count ?? 0) + 1, "counts on from \(taken.last.map(String.init(describing:)) ?? "-") after the rez: \(afterRez)")
            ScriptTesting.expectSteady(afterRez, "the counter taken and rezzed")
            #expect(before.count >= 4)
            let listing = try await ada.contents(of: rezzed)
            #expect(listing.items.map(\.name) == ["count"] && listing.items[0].running, "the script came back with the object: \(listing)")

            // The region node restarts (a clean stop flushes the scene with the last checkpoints).
            try await ScriptTesting.waitForTicks(ada, from: "Counter", count: (afterRez.last?.count ?? 0) + 8)
            await ada.close()
            try await Eventually.until("Ada has left") { grid.regionNode.status().regions.allSatisfy { $0.rootAgents.isEmpty } }
            let lastBefore = try #require(ScriptTesting.ticks(ada, from: "Counter").last)
            try await grid.restartRegionNode(0)
            try await Eventually.until("the client manager reconnects") { grid.clientManager.routes.route(named: "Scenario Region") != nil }
            try await ScriptTesting.waitForScripts(.attached, in: "Scenario Region", of: grid)
            let back = try await ScenarioClient.connect(grid.url)
            clients.append(back)
            try await back.login("Ada", password: "correct horse", timeout: .seconds(20))
            let resumed = try await ScriptTesting.waitForTicks(back, from: "Counter", count: 1)
            let first = try #require(resumed.first)
            // Up to 2 s of script time since the last checkpoint, plus the flush interval (0.5 s),
            // may be lost (docs/scripts.md): five ticks of 0.5 s. Never a reset.
            #expect(first.count >= lastBefore.count - 5 && first.count > (taken.last?.count ?? 0), "resumed at \(first) after \(lastBefore)")
            let more = try await ScriptTesting.waitForTicks(back, from: "Counter", count: first.count + 3)
            ScriptTesting.expectSteady(more, "the counter after the region restart")
        } catch {
            for client in clients { await client.close() }
            await grid.stop()
            throw error
        }
        for client in clients { await client.close() }
        await grid.stop()
    }
}
