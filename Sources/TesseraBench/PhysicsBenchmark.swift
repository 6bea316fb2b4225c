import Foundation
import TesseraPhysics
import TesseraWorld

/// Steps a Bullet world directly, in-process, at a fixed 60 Hz: the baseline the physics
/// service will be measured against (issue: frames sent → results applied, as a region sees it).
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
    }

    public var scene: Scene
    public var bodies: Int
    public var steps: Int

    public init(scene: Scene, bodies: Int, steps: Int = 300) {
        self.scene = scene
        self.bodies = bodies
        self.steps = steps
    }

    public func run() throws -> Result {
        let world = PhysicsWorld(fixedStep: 1.0 / 60, maxSubsteps: 1)
        world.addGround(height: 0)
        let side = Int(Double(bodies).squareRoot().rounded(.up))
        for index in 0..<bodies {
            let box = PhysicsWorld.Shape.box(halfExtents: Vector3(0.5, 0.5, 0.5))
            switch scene {
            case .resting:
                let x = Float(index % side) * 2.5, y = Float(index / side) * 2.5
                try world.add(.init(shape: box, position: Vector3(x, y, 0.5), mass: 1))
            case .colliding:
                // Columns of 20 a little apart, offset so each box lands on the edge of the one below.
                let column = index / 20, level = index % 20
                let x = Float(column % 30) * 1.6 + Float(level % 2) * 0.3, y = Float(column / 30) * 1.6
                try world.add(.init(shape: box, position: Vector3(x, y, 0.6 + Float(level) * 1.3), mass: 1))
            }
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
        let sorted = times.sorted()
        let mean = times.reduce(0, +) / Double(times.count)
        return Result(
            scene: scene, bodies: bodies, steps: steps,
            p50StepMicros: sorted[sorted.count / 2], p99StepMicros: sorted[min(sorted.count - 1, sorted.count * 99 / 100)],
            meanStepMicros: mean, budgetShare: mean / (1e6 / 60), activeAtEnd: world.activeBodies().count)
    }
}
