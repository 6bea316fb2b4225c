import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWire
import TesseraWorld

/// The region side of the admin console's actions (what `AdminConsoleGridTests` drives over
/// HTTP and sockets) on the deterministic harness: the action is applied between two frames as
/// a region node applies it, and the clients' view is checked after a counted number of frames.
@Suite("Admin actions, frame by frame")
struct AdminScenarioTests {
    @Test("agents are listed with their region and position; a kick closes that client with the message and leaves the others")
    func listAndKick() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let bea = try grid.login("Bea", startRegion: "East")
        let beaID = try #require(bea.agentID)
        grid.run(2)

        guard case .agents(let agents) = grid.admin(.listAgents) else { Issue.record("no agent list"); return }
        #expect(agents.map(\.name).sorted() == ["Ada", "Bea"])
        #expect(agents.first { $0.name == "Bea" }?.regionName == "East")
        #expect(agents.first { $0.name == "Ada" }?.regionName == "West")

        #expect(grid.admin(.kick(AgentID(), message: "nobody")) == .notHere)
        #expect(grid.admin(.kick(beaID, message: "please read the covenant")) == .done(affected: 1, detail: "kicked from East"))
        try grid.run(until: "Bea is closed", within: 10) { bea.isFinished }
        #expect(bea.closure?.code == .kicked)
        #expect(bea.closure?.reason == "please read the covenant")
        #expect(grid.roots(of: beaID).isEmpty)
        grid.run(10)
        #expect(!ada.isFinished)
        #expect(grid.rootRegions.count == 1)
    }

    @Test("alerts to everyone, to one region and to one avatar reach exactly their audience, with their scope")
    func alerts() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let bea = try grid.login("Bea", startRegion: "East")
        let beaID = try #require(bea.agentID)
        let west = GridPosition(x: 1000, y: 1000)!.handle

        #expect(grid.admin(.alert(.everyone, message: "restart at 18:00")) == .done(affected: 2, detail: "alerted in East; alerted in Northeast; alerted in Northwest; alerted in West"))
        #expect(grid.admin(.alert(.region(west), message: "this region")) == .done(affected: 1, detail: "alerted in West"))
        #expect(grid.admin(.alert(.agent(beaID), message: "just you")) == .done(affected: 1, detail: "alerted in East"))
        #expect(grid.admin(.alert(.agent(AgentID()), message: "nobody")) == .notHere)
        grid.run(2)
        #expect(ada.mirror.alerts == [Alert(scope: .grid, text: "restart at 18:00"), Alert(scope: .region, text: "this region")])
        #expect(bea.mirror.alerts == [Alert(scope: .grid, text: "restart at 18:00"), Alert(scope: .personal, text: "just you")])
    }

    @Test("an admin teleport moves an avatar to a point of another node's region; the client sees itself there")
    func teleport() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let agent = try #require(ada.agentID)
        let outcome = grid.admin(.teleport(agent, region: "Northeast", gridPosition: GridPosition(x: 0, y: 0)!, position: Vector3(30, 40, 0)))
        guard case .done(let affected, _) = outcome else { Issue.record("not done: \(outcome)"); return }
        #expect(affected == 1)
        try grid.run(until: "in Northeast", within: 45) { ada.regionName == "Northeast" && ada.mirror.me != nil }
        let position = try #require(ada.position)
        #expect(abs(position.x - 30) < 0.5 && abs(position.y - 40) < 0.5)
        #expect(ada.mirror.regionChanges.map(\.kind) == [.teleport])
        #expect(grid.roots(of: agent) == ["Northeast"])
        #expect(grid.admin(.teleport(AgentID(), region: "West", gridPosition: GridPosition(x: 0, y: 0)!, position: nil)) == .notHere)
    }

    @Test("a restart moves its avatars to a neighbour, keeps its objects, and counts what it did")
    func restartWithNeighbour() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let bea = try grid.login("Bea")
        ada.send(.createObject(CreateObject(
            requestID: 1, shape: .box, position: Vector3(120, 120, 22), rotation: .identity, scale: Vector3(1, 1, 1), name: "Crate")))
        try grid.run(until: "created", within: 10) { ada.mirror.results.contains { $0.requestID == 1 } }

        let west = GridPosition(x: 1000, y: 1000)!.handle
        let outcome = grid.admin(.restart(west, message: "back in a moment"))
        #expect(outcome == .done(affected: 2, detail: "West restarted: 2 avatars moved to a neighbour, 0 logged out, 1 objects restored"))
        grid.run(2)
        for client in [ada, bea] {
            #expect(client.regionName == "East", "evacuated west-first order: East is the first reachable neighbour")
            #expect(client.mirror.alerts.contains { $0.text == "back in a moment" })
            #expect(!client.isFinished)
            #expect(client.violations.isEmpty, "\(client.violations)")
        }
        #expect(grid.region("West")?.avatarCount == 0)
        #expect(grid.object("Crate", in: "West") != nil)
        #expect(grid.admin(.restart(GridPosition(x: 5, y: 5)!.handle, message: "")) == .notHere)
    }
}
