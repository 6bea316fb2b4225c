import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// Hand-offs over slow links: messages between the two nodes, and from the regions to the
/// client manager, take whole frames. The invariant is checked at every frame: an avatar is
/// never root in two regions, and once things settle it is root in exactly the one its client
/// believes.
@Suite("Hand-offs over slow links, frame by frame")
struct LatencyScenarioTests {
    /// Steps `frames` frames and returns the most regions `agent` was root in at once.
    static func mostRoots(of agent: AgentID, in grid: DeterministicGrid, frames: Int) -> Int {
        var most = 0
        for _ in 0..<frames {
            grid.step()
            most = max(most, grid.roots(of: agent).count)
        }
        return most
    }

    @Test("with 5 frames between nodes and 3 to the client manager, a crossing completes with one root at every frame")
    func slowLinksCross() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let agent = try #require(ada.agentID)
        try grid.place(ada, x: 250, y: 128, request: 1)
        grid.peerLatency = 5
        grid.managerLatency = 3
        ada.send(.move(Move(mode: .run, headingRadians: 0)))
        var most = 0
        try grid.run(until: "arrives in East", within: 10 * 45) {
            most = max(most, grid.roots(of: agent).count)
            return ada.regionName == "East" && ada.mirror.me != nil
        }
        ada.send(.move(Move(mode: .stop, headingRadians: 0)))
        most = max(most, Self.mostRoots(of: agent, in: grid, frames: 45))
        #expect(most == 1, "never root twice")
        #expect(grid.roots(of: agent) == ["East"])
        #expect(ada.mirror.regionChanges.map(\.regionName) == ["East"])
        #expect(ada.violations.isEmpty, "\(ada.violations)")
    }

    @Test("with links slower than the hand-off timeouts, crossings fail safely: never two roots, and the client agrees with the one")
    func linksSlowerThanTimeouts() async throws {
        let grid = try await DeterministicGrid.square()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        let agent = try #require(ada.agentID)
        try grid.place(ada, x: 250, y: 128, request: 1)
        // Two seconds each way: longer than the source's 1 s and the destination's 2 s.
        grid.peerLatency = 90
        ada.send(.move(Move(mode: .run, headingRadians: 0)))
        var most = Self.mostRoots(of: agent, in: grid, frames: 90)
        ada.send(.move(Move(mode: .stop, headingRadians: 0)))
        most = max(most, Self.mostRoots(of: agent, in: grid, frames: 450))
        #expect(most == 1, "never root twice")
        let roots = grid.roots(of: agent)
        #expect(roots.count == 1, "root in exactly one region once settled: \(roots)")
        #expect(roots == [ada.regionName ?? ""], "the client's region and the root agree")
        #expect(!ada.isFinished)
        #expect(ada.violations.isEmpty, "\(ada.violations)")
    }
}
