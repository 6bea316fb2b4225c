import Testing
import TesseraBots
import TesseraClientManager
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// `RegionNodeKillTests` on the deterministic harness: twelve avatars pace over the
/// West–East border, and the node of East and Northeast dies between two frames. The
/// real-socket test kills a process and waits seconds; this one kills the node at a chosen
/// frame and counts frames, so every run kills it in the same hand-offs.
@Suite("A region node killed in the middle of hand-offs, frame by frame")
struct NodeKillScenarioTests {
    struct Outcome: Equatable {
        var crossingsBeforeKill: Int
        var closed: [String]
        var regions: [String: String]
    }

    /// Paces the walkers: each turns every `period` frames, half of them in opposite phase.
    static func pace(_ grid: DeterministicGrid, _ walkers: [SteppedClient], frames: Int, period: Int = 63) {
        for frame in 0..<frames {
            if frame % period == 0 {
                let east = (grid.frames / period).isMultiple(of: 2)
                for (index, walker) in walkers.enumerated() where !walker.isFinished {
                    walker.send(.move(Move(mode: .run, headingRadians: east == index.isMultiple(of: 2) ? 0 : .pi)))
                }
            }
            grid.step()
        }
    }

    static func scenario(killAfter frames: Int) async throws -> (DeterministicGrid, [SteppedClient], Outcome) {
        let grid = try await DeterministicGrid.square()
        var walkers: [SteppedClient] = []
        for index in 0..<12 {
            let walker = try grid.login("Walker \(index)")
            walker.send(.teleport(Teleport(requestID: 1, region: "West", position: Vector3(253, 60 + Float(index) * 10, 0))))
            walkers.append(walker)
        }
        grid.run(2)
        pace(grid, walkers, frames: frames)
        let crossings = walkers.reduce(0) { $0 + $1.mirror.regionChanges.count }
        try grid.kill(node: "scenario-node-2")
        // Hand-offs in flight end within their timeouts (1 s at the source, 2 s at the
        // destination): three seconds of pacing, then three standing still.
        pace(grid, walkers, frames: 135)
        for walker in walkers where !walker.isFinished { walker.send(.move(Move(mode: .stop, headingRadians: 0))) }
        grid.run(135)
        let outcome = Outcome(
            crossingsBeforeKill: crossings,
            closed: walkers.filter(\.isFinished).map { $0.welcome?.agentID.uuidString ?? "?" },
            regions: Dictionary(uniqueKeysWithValues: walkers.map { ($0.welcome?.agentID.uuidString ?? "?", $0.regionName ?? "-") }))
        return (grid, walkers, outcome)
    }

    @Test("afterwards every avatar is root in exactly one region or was logged out and told why")
    func killMidHandoffs() async throws {
        let (grid, walkers, outcome) = try await Self.scenario(killAfter: 180)
        defer { grid.stop() }
        #expect(outcome.crossingsBeforeKill > 12, "avatars were crossing when the node died (\(outcome.crossingsBeforeKill) crossings)")

        let roots = grid.rootRegions
        #expect(roots.values.allSatisfy { $0.count == 1 }, "an avatar is root twice: \(roots)")
        var closed = 0
        for walker in walkers {
            let agent = try #require(walker.welcome?.agentID)
            if walker.isFinished {
                closed += 1
                #expect(walker.closure?.code == .regionUnavailable, "closed with \(String(describing: walker.closure))")
                #expect(walker.closure?.reason.isEmpty == false, "the client was told why")
                #expect(roots[agent] == nil, "a logged-out avatar stays in no region")
            } else {
                #expect(roots[agent] == [walker.regionName ?? ""], "the client's region and the root agree")
                #expect(["West", "Northwest"].contains(walker.regionName ?? ""), "survivors are on the live node")
            }
            #expect(walker.violations.isEmpty, "\(walker.violations)")
        }
        #expect(closed > 0, "the avatars on the dead node lose their region")
        #expect(closed < walkers.count, "the avatars on the surviving node stay logged in")
        #expect(roots.count == walkers.count - closed, "every survivor is root somewhere: \(roots.count) of \(walkers.count - closed)")

        // The surviving regions and the client manager carry on: a new login lands in West.
        let late = try grid.login("Late")
        #expect(late.welcome?.regionName == "West")
        #expect(grid.roots(of: try #require(late.agentID)) == ["West"])
    }

    @Test("killing the node at the same frame gives the same outcome on every run")
    func deterministic() async throws {
        let (first, _, a) = try await Self.scenario(killAfter: 150)
        first.stop()
        let (second, _, b) = try await Self.scenario(killAfter: 150)
        second.stop()
        #expect(a.crossingsBeforeKill == b.crossingsBeforeKill)
        #expect(a.closed.count == b.closed.count)
        #expect(a.regions.values.sorted() == b.regions.values.sorted())
    }
}
