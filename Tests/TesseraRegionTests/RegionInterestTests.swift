import Testing
import TesseraRegion
import TesseraWire
import TesseraWorld

/// A watcher stands still while a mover walks east away from it and back. View distance is
/// 20 m, so entities leave the view beyond 24 m.
@Suite struct RegionInterestTests {
    private struct Sample {
        var distance: Float
        var left: Bool
        var entered: Bool
        var visible: Bool
    }

    private func walk(
        _ harness: inout RegionHarness, heading: Float, frames: Int, watcher: LocalID, mover: LocalID
    ) throws -> [Sample] {
        harness.move(agent(2), .walk, heading: heading)
        var samples: [Sample] = []
        for _ in 0..<frames {
            let output = harness.step()
            let change = output.interest(of: watcher)
            let distance = try #require(harness.position(agent(2))).distance(to: try #require(harness.position(agent(1))))
            samples.append(Sample(
                distance: distance, left: change?.left.contains(mover) == true,
                entered: change?.entered.contains(mover) == true,
                visible: try #require(harness.region.avatarState(agent(1))).visible.contains(mover)
            ))
        }
        return samples
    }

    @Test func leavesBeyondHysteresisAndReentersWithinViewDistance() throws {
        var harness = RegionHarness(.test(viewDistance: 20, interestInterval: 1))
        let watcher = try harness.add(agent(1))
        let mover = try harness.add(agent(2), connect: false)
        harness.run(2)
        #expect(harness.region.avatarState(agent(1))?.visible == [watcher, mover])

        let away = try walk(&harness, heading: 0, frames: 420, watcher: watcher, mover: mover)
        let leaves = away.indices.filter { away[$0].left }
        try #require(leaves.count == 1, "exactly one leave")
        let leave = leaves[0]
        #expect(away[leave].distance > 24)
        #expect(away[leave - 1].distance <= 24, "left in the first frame beyond 24 m")
        #expect(away.allSatisfy { !$0.entered })
        // Between 20 and 24 m the mover stays in view: no flicker at the edge (e.g. at 21 m).
        let edge = away.filter { $0.distance > 20 && $0.distance <= 24 }
        #expect(edge.count > 40)
        #expect(edge.allSatisfy { $0.visible && !$0.left })
        #expect(away.contains { abs($0.distance - 21) < 0.05 && $0.visible })
        #expect(away.filter { $0.distance > 24 }.allSatisfy { !$0.visible })

        let back = try walk(&harness, heading: .pi, frames: 200, watcher: watcher, mover: mover)
        let enters = back.indices.filter { back[$0].entered }
        try #require(enters.count == 1, "exactly one enter")
        let enter = enters[0]
        #expect(back[enter].distance <= 20)
        #expect(back[enter - 1].distance > 20, "entered in the first frame within 20 m")
        #expect(back.filter { $0.distance > 20 }.allSatisfy { !$0.visible }, "no re-entry between 20 and 24 m")
        #expect(back.allSatisfy { !$0.left })
    }

    @Test func theMoverSeesTheWatcherLeaveToo() throws {
        var harness = RegionHarness(.test(viewDistance: 20, interestInterval: 1))
        let watcher = try harness.add(agent(1))
        let mover = try harness.add(agent(2), connect: false)
        harness.move(agent(2), .walk)
        var left = false
        for _ in 0..<420 {
            if harness.step().interest(of: mover)?.left == [watcher] { left = true }
        }
        #expect(left)
        #expect(harness.region.avatarState(agent(2))?.visible == [mover])
    }

    @Test func staggeredIntervalsDelayTheLeaveByLessThanOneInterval() throws {
        var harness = RegionHarness(.test(viewDistance: 20, interestInterval: 4))
        let watcher = try harness.add(agent(1))
        let mover = try harness.add(agent(2), connect: false)
        harness.run(4)
        let away = try walk(&harness, heading: 0, frames: 420, watcher: watcher, mover: mover)
        let leaves = away.indices.filter { away[$0].left }
        try #require(leaves.count == 1)
        let firstBeyond = try #require(away.firstIndex { $0.distance > 24 })
        #expect(leaves[0] >= firstBeyond)
        #expect(leaves[0] < firstBeyond + 4)
    }

    @Test func distantAvatarsAreNotInTheInitialView() throws {
        var harness = RegionHarness(.test(viewDistance: 20, interestInterval: 1))
        let far = try harness.add(agent(1))
        harness.place(agent(1), atX: 200, y: 128)
        let near = try harness.add(agent(2), connect: false)
        let initial = try #require(harness.lastOutput.interest(of: near))
        #expect(initial.entered == [near])
        #expect(!initial.entered.contains(far))
        #expect(harness.region.avatarState(agent(1))?.visible == [far])
    }
}
