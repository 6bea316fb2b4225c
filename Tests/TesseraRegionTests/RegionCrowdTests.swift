import Foundation
import Testing
import TesseraRegion
import TesseraTesting
import TesseraWire
import TesseraWorld

/// A region holding a large crowd: views computed on several threads are exactly those computed
/// on one, and an overloaded region reports the dilation it runs at and keeps every avatar.
@Suite("A crowd in one region")
struct RegionCrowdTests {
    /// `count` agents with ids fixed by the seed, so two regions get the same crowd.
    static func agents(_ count: Int, seed: UInt64) -> [AgentID] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            var bytes = [UInt8](repeating: 0, count: 16)
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: random.next()) }
            return UUID(uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        }
    }

    static func joins(_ agents: [AgentID], into harness: RegionHarness) -> [RegionInput] {
        [.managerConnected(1)] + agents.enumerated().map { index, agent in
            .join(1, AgentJoin(region: harness.handle, agentID: agent, name: "Crowd \(index)"))
        }
    }

    /// Each frame's interest changes, by agent.
    static func interest(_ output: RegionOutput) -> [InterestChange] {
        (output.frame(for: 1)?.interest ?? []).sorted { $0.agent < $1.agent }
    }

    @Test("views split over threads give exactly the enters and leaves of views on one thread, frame by frame")
    func parallelInterestEqualsSerial() throws {
        // 400 avatars over a 90 m disc with a 20 m view: plenty of entering and leaving.
        let settings = RegionSettings.test(viewDistance: 20, interestInterval: 2, spawnRadius: 90)
        var serial = RegionHarness(settings)
        var parallel = RegionHarness(settings)
        serial.region.interestThreads = 1
        parallel.region.interestThreads = 4
        parallel.region.interestParallelWork = 0
        let crowd = Self.agents(400, seed: 7)
        let first = (serial.step(Self.joins(crowd, into: serial)), parallel.step(Self.joins(crowd, into: parallel)))
        #expect(serial.region.avatarCount == 400 && parallel.region.avatarCount == 400)
        #expect(Self.interest(first.0) == Self.interest(first.1))
        var random = SplitMix64(seed: 11)
        var entered = 0, left = 0
        for frame in 0..<300 {
            var commands: [RegionInput] = []
            for agent in crowd where frame == 0 || random.next() % 60 == 0 {
                let mode: MovementMode = random.next() % 5 == 0 ? .stop : .run
                let heading = Float(random.next() % 6283) / 1000
                commands.append(serial.command(agent, .move(MovementIntent(mode: mode, heading: heading))))
            }
            let a = Self.interest(serial.step(commands))
            let b = Self.interest(parallel.step(commands))
            try #require(a == b, "frame \(frame): the views differ")
            entered += a.reduce(0) { $0 + $1.entered.count }
            left += a.reduce(0) { $0 + $1.left.count }
        }
        #expect(entered > 1000 && left > 1000, "the crowd moved in and out of view: \(entered) enters, \(left) leaves")
        for agent in crowd {
            #expect(serial.region.avatarState(agent)?.visible == parallel.region.avatarState(agent)?.visible)
        }
    }

    @Test("a region with 2,000 avatars running at 30 frames a second reports a dilation of 2/3 and keeps them all")
    func overloadedRegionDilatesHonestly() throws {
        // Frames 1/30 s apart instead of 1/45: two thirds of the nominal rate.
        var harness = RegionHarness(.test(maxAvatars: 2000, spawnRadius: 48), spacing: 1.0 / 30)
        let crowd = Self.agents(2000, seed: 3)
        harness.step(Self.joins(crowd, into: harness))
        #expect(harness.region.avatarCount == 2000)
        let walker = crowd[0]
        harness.step([harness.command(walker, .move(MovementIntent(mode: .walk, heading: 0)))])
        harness.run(60)
        let start = try #require(harness.position(walker))
        let outputs = harness.run(30)
        let end = try #require(harness.position(walker))
        let dilation = try #require(outputs.last?.frame(for: 1)?.timeDilation)
        #expect(abs(dilation - 2.0 / 3) < 1e-4, "reported dilation \(dilation)")
        #expect(abs(harness.region.achievedFrameRate - 30) < 1e-6)
        // A second of wall time is 30 frames of 1/45 s of region time: the walk covers 2/3 of 3.2 m.
        #expect(abs((end.x - start.x) - 3.2 * 30 / 45) < 1e-3, "\(start) → \(end)")
        #expect(harness.region.avatarCount == 2000, "every avatar is kept")
        let refused = harness.join(Self.agents(1, seed: 99)[0], connect: false)
        #expect(refused == nil, "the 2,001st is refused: the region is full")
    }
}
