import Foundation
import TesseraRegion
import TesseraWire
import TesseraWorld

/// Steps a region with N walking avatars on a manual clock, with no network: the pure cost of
/// the frame (inputs, movement, interest, publishing) that a region node pays per frame.
public struct RegionBenchmark: Sendable {
    public struct Result: Sendable, Codable, Hashable {
        public var avatars: Int
        public var frames: Int
        public var meanFrameMicros: Double
        public var p99FrameMicros: Double
        public var maxFrameMicros: Double
        /// Mean interest changes and moved entities per frame, to see what the frame carried.
        public var movedPerFrame: Double
        /// Share of the 45 Hz frame budget (22.2 ms) the mean frame uses.
        public var budgetShare: Double
        /// Threads the region's interest may use (1: serial).
        public var interestThreads: Int
        /// Avatars the region holds at the end (every one that joined).
        public var avatarsAtEnd: Int
    }

    public var avatars: Int
    public var frames: Int
    public var viewDistance: Float
    public var spawnRadius: Float

    /// Threads the region's interest may use; nil: the region's default.
    public var interestThreads: Int?

    public init(avatars: Int, frames: Int = 450, viewDistance: Float = 64, spawnRadius: Float = 48, interestThreads: Int? = nil) {
        self.interestThreads = interestThreads
        self.avatars = avatars
        self.frames = frames
        self.viewDistance = viewDistance
        self.spawnRadius = spawnRadius
    }

    public func run() -> Result {
        let settings = RegionSettings(
            name: "Bench", gridPosition: GridPosition(x: 1000, y: 1000)!, viewDistance: viewDistance,
            maxAvatars: avatars + 1, spawnRadius: spawnRadius
        )
        var region = Region(settings: settings)
        if let interestThreads { region.interestThreads = interestThreads }
        var random = SplitMix64(seed: 42)
        var time = 0.0
        func now() -> FrameInstant {
            time += 1 / 45
            return FrameInstant(seconds: time, wallMillis: UInt64(time * 1000))
        }
        let agents = (0..<avatars).map { _ in UUID() }
        var inputs: [RegionInput] = [.managerConnected(1)]
        inputs += agents.enumerated().map { index, agent in
            .join(1, AgentJoin(region: settings.handle, agentID: agent, name: "Bench \(index)"))
        }
        _ = region.step(now: now(), inputs: inputs)
        var samples: [Double] = []
        var moved = 0
        samples.reserveCapacity(frames)
        for frame in 0..<frames {
            // Like the bots: each avatar picks a new walk heading every ~2.75 s on average.
            var commands: [RegionInput] = []
            for agent in agents where frame == 0 || random.next() % 124 == 0 {
                let intent = MovementIntent(mode: .walk, heading: Float(random.next() % 6283) / 1000)
                commands.append(.command(1, AgentInput(region: settings.handle, agentID: agent, command: .move(intent))))
            }
            let start = DispatchTime.now().uptimeNanoseconds
            let output = region.step(now: now(), inputs: commands)
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
            if case .regionFrame(let regionFrame)? = output.messages.last?.1 { moved += regionFrame.moved.count }
        }
        samples.sort()
        let mean = samples.reduce(0, +) / Double(samples.count)
        return Result(
            avatars: avatars, frames: frames, meanFrameMicros: mean,
            p99FrameMicros: samples[min(samples.count - 1, samples.count * 99 / 100)],
            maxFrameMicros: samples.last ?? 0, movedPerFrame: Double(moved) / Double(frames),
            budgetShare: mean / (1e6 / 45), interestThreads: region.interestThreads, avatarsAtEnd: region.avatarCount
        )
    }
}
