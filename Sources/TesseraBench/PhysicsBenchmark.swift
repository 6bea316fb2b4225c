import Foundation
import TesseraPhysics
import TesseraWorld

/// Steps a Bullet world directly, in-process, at a fixed 60 Hz: the baseline the physics
/// service is measured against (`PhysicsServiceBenchmark`: frame sent → results applied).
public struct PhysicsBenchmark: Sendable {
    public enum Scene: String, Sendable, CaseIterable {
        /// Boxes standing apart on the ground (they settle, then sleep).
        case resting
        /// Boxes dropped in columns onto each other, so they keep colliding while they fall and pile.
        case colliding
    }

    public struct Result: Sendable, Hashable {
        public var scene: Scene
        public var bodies: Int
        public var steps: Int
        public var p50StepMicros: Double
        public var p99StepMicros: Double
        public var meanStepMicros: Double
        /// Share of the 60 Hz step budget (16.7 ms) the mean step uses.
        public var budgetShare: Double
        public var activeAtEnd: Int
        /// Through the service: the mean time the service itself spent applying and stepping a
        /// frame (the rest of the step time is encoding, transport and applying the answer).
        public var serviceMeanMicros: Double?

        /// Each figure the median of the runs' (the first run's scene and counts).
        public static func median(_ runs: [Result]) -> Result {
            func middle(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            var result = runs[0]
            result.p50StepMicros = middle(runs.map(\.p50StepMicros))
            result.p99StepMicros = middle(runs.map(\.p99StepMicros))
            result.meanStepMicros = middle(runs.map(\.meanStepMicros))
            result.budgetShare = middle(runs.map(\.budgetShare))
            let inside = runs.compactMap(\.serviceMeanMicros)
            result.serviceMeanMicros = inside.isEmpty ? nil : middle(inside)
            return result
        }
    }

    public var scene: Scene
    public var bodies: Int
    public var steps: Int

    public init(scene: Scene, bodies: Int, steps: Int = 300) {
        self.scene = scene
        self.bodies = bodies
        self.steps = steps
    }

    /// Box friction; the ground's is the service's terrain friction, so both worlds match.
    static let friction: Float = 0.5
    static let groundFriction: Float = 0.8

    /// The centres of the scene's 1 m boxes.
    static func positions(of scene: Scene, count: Int) -> [Vector3] {
        let side = Int(Double(count).squareRoot().rounded(.up))
        return (0..<count).map { index in
            switch scene {
            case .resting:
                return Vector3(Float(index % side) * 2.5 + 2, Float(index / side) * 2.5 + 2, 0.5)
            case .colliding:
                // Columns of 20 a little apart, offset so each box lands on the edge of the one below.
                let column = index / 20, level = index % 20
                return Vector3(Float(column % 30) * 1.6 + Float(level % 2) * 0.3 + 2, Float(column / 30) * 1.6 + 2, 0.6 + Float(level) * 1.3)
            }
        }
    }

    public func run() throws -> Result {
        let world = PhysicsWorld(fixedStep: 1.0 / 60, maxSubsteps: 1)
        world.addGround(height: 0, friction: Self.groundFriction)
        let box = PhysicsWorld.Shape.box(halfExtents: Vector3(0.5, 0.5, 0.5))
        for position in Self.positions(of: scene, count: bodies) {
            try world.add(.init(shape: box, position: position, mass: 1, friction: Self.friction))
        }
        var times: [Double] = []
        times.reserveCapacity(steps)
        let clock = ContinuousClock()
        for _ in 0..<steps {
            let start = clock.now
            world.step(1.0 / 60)
            _ = world.activeBodies()
            let elapsed = clock.now - start
            times.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
        }
        return Self.summarize(scene: scene, bodies: bodies, times: times, activeAtEnd: world.activeBodies().count)
    }

    static func summarize(scene: Scene, bodies: Int, times: [Double], activeAtEnd: Int) -> Result {
        let sorted = times.sorted()
        let mean = times.reduce(0, +) / Double(times.count)
        return Result(
            scene: scene, bodies: bodies, steps: times.count,
            p50StepMicros: sorted[sorted.count / 2], p99StepMicros: sorted[min(sorted.count - 1, sorted.count * 99 / 100)],
            meanStepMicros: mean, budgetShare: mean / (1e6 / 60), activeAtEnd: activeAtEnd)
    }
}
