import Foundation
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraRegion
import TesseraStorage
import TesseraTesting
import TesseraWire
import TesseraWorld

/// The script service is a `tessera scripts` child process, killed with SIGKILL while a counter
/// counts, then started again on the same port.
@Suite("The script service killed while scripts run", .serialized)
struct ScriptServiceKillTests {
    static func config(port: Int, secret: String) -> String {
        """
        [grid]
        name = "Scripts kill test"
        secret = "\(secret)"
        [scripts]
        port = \(port)
        [[region_node]]
        name = "unused"
        port = 0
          [[region_node.region]]
          name = "Unused"
          position = [1, 1]
        [[client_manager]]
        name = "unused"
        port = 0
        """
    }

    static func spawnScripts(config: String, log: String) throws -> pid_t {
        let binary = RegionNodeKillTests.repository.appendingPathComponent(".build/debug/tessera").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw PhysicsTestFailure("\(binary) is missing: build with `swift build --build-tests` first")
        }
        return try ChildProcess.spawn(binary, ["scripts", "--config", config, "--log-level", "warning"], outputPath: log)
    }

    @Test("the region's frame rate holds and objects stay; after a restart the counter goes on from its checkpoint and a touch made meanwhile is answered")
    func killAndRestart() async throws {
        let secret = "scripts-kill-secret"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-scripts-kill-\(UUID().uuidString).toml")
        let log = file.path + ".scripts.log"
        defer { for path in [file.path, log] { try? FileManager.default.removeItem(atPath: path) } }
        var running: pid_t?
        defer { if let running { PhysicsServiceKillTests.kill(running) } }

        let port = try await RegionNodeKillTests.freePort()
        try Self.config(port: port, secret: secret).write(to: file, atomically: true, encoding: .utf8)
        running = try Self.spawnScripts(config: file.path, log: log)
        let grid = try await ScenarioGrid.start(spawnRadius: 0, secret: secret, scriptsPort: port)
        let ada = try await ScenarioClient.connect(grid.url)
        do {
            // A debug binary starting while the rest of the suite runs can take a while.
            try await ScriptTesting.waitForScripts(.attached, in: "Scenario Region", of: grid, timeout: .seconds(60))
            let runner = try #require(grid.runner("Scenario Region"))
            try await ada.login("Ada")
            let name = try await ScriptTesting.avatarName(ada)
            let counter = try await ScriptTesting.createBox(ada, "Counter", at: Vector3(130, 128, 22), requestID: 1)
            let greeter = try await ScriptTesting.createBox(ada, "Greeter", at: Vector3(126, 128, 22), requestID: 2)
            try await ada.addScript(to: counter, name: "count", source: ScriptTesting.counter)
            try await ada.addScript(to: greeter, name: "greet", source: ScriptTesting.greeter)
            // Past a checkpoint (every 2 s of running).
            try await ScriptTesting.waitForTicks(ada, from: "Counter", count: 8)
            let before = try await PhysicsServiceKillTests.frames(of: runner, over: 2)

            PhysicsServiceKillTests.kill(running!)
            running = nil
            try await ScriptTesting.waitForScripts(.lost, in: "Scenario Region", of: grid)
            let lastBefore = try #require(ScriptTesting.ticks(ada, from: "Counter").last)
            #expect(runner.stats.scripts.link.losses == 1, "the loss is counted: \(runner.stats.scripts.link)")
            let heard = ada.mirror.chat.count
            try await ada.touch(greeter)
            let during = try await PhysicsServiceKillTests.frames(of: runner, over: 2)
            // Measured in the same run, against the frames just before: the frame loop never waits.
            #expect(during * 2 >= before, "frames during the outage \(during), before it \(before)")
            let objects = try await runner.inspect { $0.objectStates().map(\.name).sorted() }
            #expect(objects == ["Counter", "Greeter"], "objects stay")
            #expect(runner.stats.scripts.heldEvents >= 1, "the touch is held: \(runner.stats.scripts)")
            #expect(!ada.mirror.chat.dropFirst(heard).contains { $0.speakerName == "Counter" || $0.speakerName == "Greeter" }, "no script runs meanwhile")

            running = try Self.spawnScripts(config: file.path, log: log)
            try await ScriptTesting.waitForScripts(.attached, in: "Scenario Region", of: grid, timeout: .seconds(60))
            #expect(runner.stats.scripts.link.snapshots == 2, "a full snapshot after the restart: \(runner.stats.scripts.link)")
            let greeting = try await ada.waitForChat(from: "Greeter", after: heard)
            #expect(greeting.text == "Hello, \(name)", "the touch made while the service was away is answered")
            let resumed = try await ScriptTesting.waitForTicks(ada, from: "Counter", after: heard, count: 1)
            let first = try #require(resumed.first)
            // Up to 2 s of script time since the last checkpoint may be lost (docs/scripts.md): four ticks of 0.5 s, and
            // the one being counted. Never a reset.
            #expect(first.count >= lastBefore.count - 5 && first.count >= 3, "resumed at \(first) after \(lastBefore)")
            let more = try await ScriptTesting.waitForTicks(ada, from: "Counter", after: heard, count: first.count + 3)
            ScriptTesting.expectSteady(more, "the counter after the service restart")
        } catch {
            await ada.close()
            await grid.stop()
            throw error
        }
        await ada.close()
        await grid.stop()
    }
}
