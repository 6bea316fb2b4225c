import Foundation
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraRegion
import TesseraStorage
import TesseraWire
import TesseraWorld

/// The physics service is a `tessera physics` child process, killed with SIGKILL while a ball
/// rolls and an avatar walks, then started again on the same port.
@Suite("The physics service killed while bodies move", .serialized)
struct PhysicsServiceKillTests {
    static func config(port: Int, secret: String) -> String {
        """
        [grid]
        name = "Physics kill test"
        secret = "\(secret)"
        [physics]
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

    static func spawnPhysics(config: String, log: String) throws -> pid_t {
        let binary = RegionNodeKillTests.repository.appendingPathComponent(".build/debug/tessera").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw PhysicsTestFailure("\(binary) is missing: build with `swift build --build-tests` first")
        }
        return try ChildProcess.spawn(binary, ["physics", "--config", config, "--log-level", "warning"], outputPath: log)
    }

    static func kill(_ pid: pid_t) {
        _ = Glibc.kill(pid, SIGKILL)
        _ = ChildProcess.wait(pid)
    }

    static func waitForState(_ state: PhysicsLinkStatus.State, of grid: ScenarioGrid, timeout: Duration = .seconds(20)) async throws {
        do {
            try await Eventually.until("physics \(state)", timeout: timeout) {
                grid.regionNode.status().regions.first?.physics.state == state
            }
        } catch {
            throw PhysicsTestFailure("the region's physics did not become \(state): \(String(describing: grid.regionNode.status().regions.first?.physics))")
        }
    }

    /// Frames the region ran in `seconds` of wall time.
    static func frames(of runner: RegionRunner, over seconds: Double) async throws -> UInt64 {
        let start = runner.stats.frame
        try await Task.sleep(for: .seconds(seconds))
        return runner.stats.frame - start
    }

    @Test("the region's frame rate holds, bodies freeze, avatars walk kinematically; after a restart everything resumes from where the region knew it")
    func killAndRestart() async throws {
        let secret = "physics-kill-secret"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-physics-kill-\(UUID().uuidString).toml")
        let log = file.path + ".physics.log"
        defer { for path in [file.path, log] { try? FileManager.default.removeItem(atPath: path) } }
        var running: pid_t?
        defer { if let running { Self.kill(running) } }

        let port = try await RegionNodeKillTests.freePort()
        try Self.config(port: port, secret: secret).write(to: file, atomically: true, encoding: .utf8)
        running = try Self.spawnPhysics(config: file.path, log: log)
        let grid = try await ScenarioGrid.start(spawnRadius: 0, secret: secret, physicsPort: port)
        // A debug binary starting while the rest of the suite runs can take a while.
        try await Self.waitForState(.attached, of: grid, timeout: .seconds(60))
        let runner = try #require(grid.runner("Scenario Region"))

        let ada = try await ScenarioClient.connect(grid.url)
        _ = try await ada.login("Ada")
        try await ada.send(.createObject(CreateObject(
            requestID: 1, shape: .sphere, position: Vector3(100, 100, 21.6), scale: Vector3(1, 1, 1), name: "ball", physical: true)))
        let ball = try await PhysicsGridTests.waitFor("ball", in: "Scenario Region", of: grid, "settles") {
            abs($0.position.z - 21.5) < 0.05 && $0.velocity.length < 0.05
        }
        // 52.4 kg at 4 m/s northward: it rolls on (Bullet has no rolling resistance).
        try await ada.send(.pushObject(PushObject(requestID: 2, localID: ball.localID, impulse: Vector3(0, 52.4 * 4, 0))))
        _ = try await PhysicsGridTests.waitFor("ball", in: "Scenario Region", of: grid, "rolls") { $0.velocity.y > 1 && $0.position.y > 101 }
        try await ada.send(.move(Move(mode: .walk, headingRadians: 0)))
        let before = try await Self.frames(of: runner, over: 2)

        Self.kill(running!)
        running = nil
        try await Self.waitForState(.lost, of: grid)
        let status = try #require(grid.regionNode.status().regions.first?.physics)
        #expect(status.losses == 1, "the loss is counted and reported: \(status)")
        let frozen = try #require(try await PhysicsGridTests.object(named: "ball", in: runner))
        #expect(frozen.velocity == .zero, "the ball stops where it was: \(frozen)")
        #expect(frozen.position.y > ball.position.y + 1, "after rolling a while: \(frozen.position) from \(ball.position)")
        let agentID = try #require(ada.mirror.welcome?.agentID)
        let (walkFrom, walkerBefore) = try await runner.inspect { ($0.frame, $0.avatarState(agentID)?.position) }
        let during = try await Self.frames(of: runner, over: 2)
        // Measured in the same run, against the frames just before: the frame loop never waits.
        #expect(during * 2 >= before, "frames during the outage \(during), before it \(before)")
        let still = try #require(try await PhysicsGridTests.object(named: "ball", in: runner))
        #expect(still.position == frozen.position, "frozen while physics is away")
        let (walkTo, walked) = try await runner.inspect { ($0.frame, $0.avatarState(agentID)?.position) }
        let walker = try #require(walked)
        let start = try #require(walkerBefore)
        // Kinematic walking moves 3.2 m/s × 1/45 s a frame, however fast the frames come.
        let expected = Float(walkTo - walkFrom) * 3.2 / 45
        #expect(walkTo - walkFrom >= 20, "the region ran frames while physics was away")
        #expect(abs((walker.x - start.x) - expected) < max(0.3, expected * 0.1), "the avatar walks on kinematically, \(expected) m in \(walkTo - walkFrom) frames: \(start) → \(walker)")
        #expect(abs(walker.z - runner.settings.terrain.height(at: walker)) < 0.01, "on the terrain: \(walker)")

        running = try Self.spawnPhysics(config: file.path, log: log)
        try await Self.waitForState(.attached, of: grid, timeout: .seconds(60))
        let resumed = try #require(grid.regionNode.status().regions.first?.physics)
        #expect(resumed.snapshots == 2, "a full snapshot after the restart: \(resumed)")
        // A few frames answered by the new service (not a fixed wait: frames it has answered).
        try await Eventually.until("the restarted service answers 13 frames") {
            (grid.regionNode.status().regions.first?.physics.onTime ?? 0) >= resumed.onTime + 13
        }
        let after = try #require(try await PhysicsGridTests.object(named: "ball", in: runner))
        #expect(after.position.distance(to: frozen.position) < 0.3, "resumes from where the region knew it: \(after.position) vs \(frozen.position)")
        try await ada.send(.pushObject(PushObject(requestID: 3, localID: ball.localID, impulse: Vector3(52.4 * 4, 0, 0))))
        let rolling = try await PhysicsGridTests.waitFor("ball", in: "Scenario Region", of: grid, "rolls again") {
            $0.position.x > frozen.position.x + 1
        }
        #expect(rolling.velocity.x > 1, "physics moves it again: \(rolling)")
        await ada.close()
        await grid.stop()
    }
}
