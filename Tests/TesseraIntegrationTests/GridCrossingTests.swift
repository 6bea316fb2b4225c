import Foundation
import NIOCore
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// The 2×2 square on two region nodes linked over real sockets, with real WebSocket clients:
/// West (1000, 1000) and Northwest (1000, 1001) on one node, East (1001, 1000) and
/// Northeast (1001, 1001) on the other. The wiring of crossings; the scenarios themselves (and
/// the wall and object crossings) run frame by frame in `TesseraScenarioTests`.
@Suite("Crossing borders in a 2×2 grid", .serialized)
struct GridCrossingTests {
    static func start() async throws -> ScenarioGrid {
        try await ScenarioGrid.start(layout: ScenarioGrid.square)
    }

    /// Teleports within the current region to `x`, `y` and waits until the avatar is there.
    static func place(_ client: ScenarioClient, x: Float, y: Float, request: UInt32) async throws {
        try await client.send(.teleport(Teleport(requestID: request, region: client.mirror.regionName ?? "", position: Vector3(x, y, 0))))
        try await client.waitFor("placed at (\(x), \(y))") { mirror in
            guard let me = mirror.me?.motion.position.position else { return false }
            return abs(me.x - x) < 0.5 && abs(me.y - y) < 0.5
        }
    }

    /// The regions whose status lists `agent` as root, once every region's last frame agrees
    /// there is exactly one (a hand-off leaves a frame or two in which the source has not yet
    /// learnt of the switch).
    static func roots(of agent: AgentID, in grid: ScenarioGrid) async throws -> [String] {
        func roots() -> [String] {
            grid.regionNodes.flatMap { $0.status().regions }.filter { $0.rootAgents.contains(agent) }.map(\.name)
        }
        try? await Eventually.until("\(agent) is root in one region", timeout: .seconds(20)) { roots().count == 1 }
        return roots()
    }

    static func walk(_ client: ScenarioClient, heading: Float, into region: String) async throws {
        try await client.send(.move(Move(mode: .run, headingRadians: heading)))
        try await client.waitFor(timeout: .seconds(15), "arrives in \(region)") { mirror in
            mirror.regionName == region && mirror.me != nil
        }
        try await client.send(.move(Move(mode: .stop, headingRadians: heading)))
    }

    @Test("an avatar walks across each of the four borders and a corner, and keeps its connection")
    func walkAcrossBorders() async throws {
        let grid = try await Self.start()
        let ada = try await ScenarioClient.connect(grid.url)
        let welcome = try await ada.login("Ada")
        #expect(welcome.regionName == "West")

        try await Self.place(ada, x: 250, y: 128, request: 1)
        try await Self.walk(ada, heading: 0, into: "East")
        let arrived = try #require(ada.mirror.me).motion.position.position
        #expect(arrived.x < 10, "enters East at its west edge, at \(arrived)")
        #expect(abs(arrived.y - 128) < 1, "keeps its line across the border")
        try await Self.walk(ada, heading: .pi, into: "West")
        try await Self.place(ada, x: 128, y: 250, request: 2)
        try await Self.walk(ada, heading: .pi / 2, into: "Northwest")
        try await Self.walk(ada, heading: -.pi / 2, into: "West")
        try await Self.place(ada, x: 251, y: 251, request: 3)
        try await Self.walk(ada, heading: .pi / 4, into: "Northeast")

        let changes = ada.mirror.regionChanges
        #expect(changes.map(\.regionName) == ["East", "West", "Northwest", "West", "Northeast"])
        #expect(changes.allSatisfy { $0.kind == .crossing && $0.startedMillis > 0 })
        #expect(ada.violations.isEmpty, "\(ada.violations)")
        #expect(!ada.isFinished, "the connection survives every crossing")

        // Exactly one region holds Ada as root.
        #expect(try await Self.roots(of: welcome.agentID, in: grid) == ["Northeast"])
        await ada.close()
        await grid.stop()
    }

    @Test("chat is heard across a border, and each side sees the other's ghost")
    func chatAcrossBorder() async throws {
        let grid = try await Self.start()
        let ada = try await ScenarioClient.connect(grid.url)
        let bob = try await ScenarioClient.connect(grid.url)
        try await ada.login("Ada")
        try await bob.login("Bob")
        try await Self.place(ada, x: 250, y: 128, request: 1)
        try await bob.send(.teleport(Teleport(requestID: 2, region: "East", position: Vector3(6, 128, 0))))
        try await bob.waitFor("Bob is in East") { $0.regionName == "East" && $0.me != nil }

        try await bob.waitFor("Bob sees Ada's ghost across the border") { mirror in
            mirror.entities.values.contains { $0.name == "Ada" && $0.motion.position.position.x < 0 }
        }
        try await ada.waitFor("Ada sees Bob's ghost") { mirror in
            mirror.entities.values.contains { $0.name == "Bob" && $0.motion.position.position.x > 256 }
        }
        try await ada.send(.chat(ChatSend(type: .say, text: "hello across the border")))
        try await bob.waitFor("Bob hears Ada") { $0.chat.contains { $0.text == "hello across the border" } }
        let line = try #require(bob.mirror.chat.first { $0.text == "hello across the border" })
        #expect(line.speakerName == "Ada")
        let ghost = try #require(bob.mirror.entities.first { $0.value.name == "Ada" })
        #expect(line.speaker == ghost.key, "the speaker is named by its ghost's id here")
        // Out of whisper range (12 m apart): not heard.
        try await bob.send(.chat(ChatSend(type: .whisper, text: "too far to whisper")))
        try await bob.send(.chat(ChatSend(type: .say, text: "marker")))
        try await ada.waitFor("Ada hears the marker") { $0.chat.contains { $0.text == "marker" } }
        #expect(!ada.mirror.chat.contains { $0.text == "too far to whisper" })
        #expect(ada.violations.isEmpty && bob.violations.isEmpty, "\(ada.violations) \(bob.violations)")
        await ada.close()
        await bob.close()
        await grid.stop()
    }

    @Test("teleports by name and by grid position keep the connection; unknown targets are refused")
    func teleport() async throws {
        let grid = try await Self.start()
        let ada = try await ScenarioClient.connect(grid.url)
        let welcome = try await ada.login("Ada")
        try await ada.send(.teleport(Teleport(requestID: 7, region: "Northeast", position: Vector3(30, 40, 0))))
        try await ada.waitFor("in Northeast") { $0.regionName == "Northeast" && $0.me != nil }
        let change = try #require(ada.mirror.regionChanges.last)
        #expect(change.kind == .teleport)
        let position = try #require(ada.mirror.me).motion.position.position
        #expect(abs(position.x - 30) < 0.5 && abs(position.y - 40) < 0.5)

        try await ada.send(.teleport(Teleport(requestID: 8, gridPosition: GridPosition(x: 1000, y: 1001)!)))
        do {
            try await ada.waitFor("in Northwest") { $0.regionName == "Northwest" && $0.me != nil || !$0.errors.isEmpty }
        } catch {
            let regions = grid.regionNodes.flatMap { $0.status().regions }
            Issue.record("""
                not in Northwest: region \(ada.mirror.regionName ?? "?"), me \(ada.mirror.me.map { "\($0.motion.position.position)" } ?? "none"), \
                changes \(ada.mirror.regionChanges.map(\.regionName)), errors \(ada.mirror.errors), \
                regions \(regions.map { "\($0.name): roots \($0.rootAgents.count) in \($0.handoffsInProgress) done \($0.handoffsCommitted) failed \($0.handoffsFailed)" })
                """)
            throw error
        }
        #expect(ada.mirror.errors.isEmpty, "\(ada.mirror.errors)")

        try await ada.send(.teleport(Teleport(requestID: 9, region: "Atlantis")))
        try await ada.waitFor("refused") { $0.errors.contains { $0.requestID == 9 } }
        let refusal = try #require(ada.mirror.errors.first { $0.requestID == 9 })
        #expect(refusal.code == ErrorCode.regionUnavailable.rawValue)
        #expect(refusal.message.contains("Atlantis"))
        #expect(ada.mirror.regionName == "Northwest")

        #expect(try await Self.roots(of: welcome.agentID, in: grid) == ["Northwest"])
        #expect(ada.violations.isEmpty, "\(ada.violations)")
        await ada.close()
        await grid.stop()
    }
}
