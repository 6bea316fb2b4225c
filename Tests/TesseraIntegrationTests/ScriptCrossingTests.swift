import Foundation
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraRegion
import TesseraTesting
import TesseraWire
import TesseraWorld

/// A scripted object moved over the border between two region nodes and back, twenty times;
/// its owner follows it and hears its timer counter in both regions.
@Suite("A running script crosses borders", .serialized)
struct ScriptCrossingTests {
    static let layout: [[ScenarioGrid.Region]] = [[.init("West", x: 1000, y: 1000)], [.init("East", x: 1001, y: 1000)]]

    @Test("a timer counter crosses a border twenty times; its count never repeats or skips against its script time")
    func counterCrossesTwentyTimes() async throws {
        let grid = try await ScenarioGrid.start(spawnRadius: 0, layout: Self.layout, inProcessScripts: true)
        let ada = try await ScenarioClient.connect(grid.url)
        do {
            try await ScriptTesting.waitForScripts(.attached, in: "West", of: grid)
            try await ScriptTesting.waitForScripts(.attached, in: "East", of: grid)
            try await ada.login("Ada")
            try await Self.teleport(ada, 1, to: "West", Vector3(244, 128, 0))
            var local = try await ScriptTesting.createBox(ada, "Counter", at: Vector3(250, 128, 22), requestID: 2)
            try await ada.addScript(to: local, name: "count", source: ScriptTesting.counter)
            try await ScriptTesting.waitForTicks(ada, from: "Counter", count: 2)

            var region = "West"
            var requestID: UInt32 = 10
            for crossing in 1...20 {
                let (destination, target, landing) = region == "West"
                    ? ("East", Vector3(258, 128, 22), Vector3(8, 128, 0))
                    : ("West", Vector3(-6, 128, 22), Vector3(244, 128, 0))
                let moveID = requestID
                requestID += 1
                try await ada.send(.moveObject(MoveObject(requestID: moveID, localID: local, position: target)))
                try await ada.waitFor("crossing \(crossing) answered") { mirror in
                    mirror.results.contains { $0.requestID == moveID } || mirror.errors.contains { $0.requestID == moveID }
                }
                let outcome = ada.mirror.results.first { $0.requestID == moveID }?.outcome
                #expect(outcome == .crossed, "crossing \(crossing): \(ada.mirror.errors.filter { $0.requestID == moveID })")
                guard outcome == .crossed else { break }
                try await Eventually.until("the counter in \(destination)") {
                    try await ScriptTesting.local("Counter", in: destination, of: grid) != nil
                }
                local = try #require(try await ScriptTesting.local("Counter", in: destination, of: grid))
                #expect(try await ScriptTesting.local("Counter", in: region, of: grid) == nil, "one counter, in \(destination)")
                try await Self.teleport(ada, requestID, to: destination, landing)
                requestID += 1
                region = destination
                // It counts on in its new region before it moves again.
                try await ScriptTesting.waitForNextTick(ada, from: "Counter")
            }
            let ticks = ScriptTesting.ticks(ada, from: "Counter")
            ScriptTesting.expectSteady(ticks, "the counter crossing borders")
            #expect(ticks.count >= 22, "ticks heard in both regions: \(ticks)")
            #expect(region == "West", "back where it started after twenty crossings")
            let scripts = try #require(grid.runner("West")).stats.scripts
            #expect(scripts.scriptedObjects == 1 && scripts.service.scripts == 1, "\(scripts.service)")
            #expect(try #require(grid.runner("East")).stats.scripts.service.scripts == 0)
        } catch {
            await ada.close()
            await grid.stop()
            throw error
        }
        await ada.close()
        await grid.stop()
    }

    /// Teleports the client and waits until it is in `region`.
    static func teleport(_ client: ScenarioClient, _ requestID: UInt32, to region: String, _ position: Vector3) async throws {
        try await client.send(.teleport(Teleport(requestID: requestID, region: region, position: position)))
        try await client.waitFor("in \(region)") { mirror in
            mirror.regionName == region && mirror.me != nil && (mirror.results.contains { $0.requestID == requestID } || mirror.regionChanges.last?.regionName == region)
        }
    }
}
