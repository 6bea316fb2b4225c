import Testing
import TesseraRegion
import TesseraWire
import TesseraWorld

@Suite struct RegionFrameLoopTests {
    @Test func frameCounterIncrementsPerStep() {
        var harness = RegionHarness()
        #expect(harness.region.frame == 0)
        harness.step([.managerConnected(1)])
        #expect(harness.region.frame == 1)
        var frames: [UInt64] = []
        for _ in 0..<10 {
            frames.append(harness.step().frame(for: 1)?.frame ?? 0)
        }
        #expect(frames == Array(2...11))
        #expect(harness.region.frame == 11)
    }

    @Test func frameCarriesHandleAndWallClock() throws {
        var harness = RegionHarness()
        let instant = harness.now
        let frame = try #require(harness.step([.managerConnected(1)]).frame(for: 1))
        #expect(frame.region == GridPosition(x: 1000, y: 1000)!.handle)
        #expect(frame.timeMillis == instant.wallMillis)
        let next = try #require(harness.step().frame(for: 1))
        #expect(next.timeMillis == instant.wallMillis + 22, "1/45 s later, rounded to milliseconds")
    }

    @Test func withoutManagersNothingIsSent() {
        var harness = RegionHarness()
        #expect(harness.step().messages.isEmpty)
        // A join from a manager the region does not know is ignored.
        let id = harness.join(agent(1), connect: false)
        #expect(id == nil)
        #expect(harness.region.avatarCount == 0)
    }

    @Test func timeDilationIsOneAtNominalSpacing() throws {
        var harness = RegionHarness()
        #expect(harness.region.timeDilation == 1, "1 before two frames have run")
        harness.step([.managerConnected(1)])
        for _ in 0..<60 {
            let frame = try #require(harness.step().frame(for: 1))
            #expect(abs(frame.timeDilation - 1) < 1e-3)
        }
        #expect(abs(harness.region.timeDilation - 1) < 1e-3)
        #expect(abs(harness.region.achievedFrameRate - 45) < 0.05)
    }

    @Test func timeDilationIsHalfAtDoubleSpacing() throws {
        var harness = RegionHarness(spacing: 2.0 / 45)
        harness.step([.managerConnected(1)])
        for _ in 0..<60 {
            let frame = try #require(harness.step().frame(for: 1))
            #expect(abs(frame.timeDilation - 0.5) < 1e-3)
        }
        #expect(abs(harness.region.timeDilation - 0.5) < 1e-3)
        #expect(abs(harness.region.achievedFrameRate - 22.5) < 0.05)
    }

    @Test func timeDilationFollowsASlowdown() {
        var harness = RegionHarness()
        harness.run(45)
        #expect(abs(harness.region.timeDilation - 1) < 1e-3)
        harness.spacing = 2.0 / 45
        harness.run(10)
        let partial = harness.region.timeDilation
        #expect(partial < 0.95 && partial > 0.5, "a sliding window: \(partial)")
        harness.run(60)
        #expect(abs(harness.region.timeDilation - 0.5) < 1e-3)
    }

    @Test func timeDilationNeverExceedsOne() {
        var harness = RegionHarness(spacing: 0.5 / 45)
        harness.run(20)
        #expect(harness.region.timeDilation == 1)
    }
}
