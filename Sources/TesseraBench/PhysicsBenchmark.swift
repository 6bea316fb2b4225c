import Foundation
import TesseraPhysics
import TesseraPhysicsService
import TesseraWire
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

/// A crowd of walking avatars in one region's world, as the physics service holds it
/// (`RegionWorld`, in-process): the avatars stand within `radius` metres of the region's centre
/// on flat ground and, like the bots, each picks a new action about every 2.75 s (walk 60 %, run
/// 20 %, stop 20 %, a random heading), turning back towards the centre when it strays past the
/// radius. Frames come at 45 Hz, as a region sends them; a frame's time is `RegionWorld.apply`
/// (apply, step, read the moved bodies): the step time the service reports to the region.
/// `props` adds static 2 m blocks and physical 0.8 m crates among the avatars (half each).
public struct PhysicsCrowdBenchmark: Sendable {
    public struct Result: Sendable, Hashable {
        public var model: RegionWorld.AvatarModel
        public var avatars: Int
        public var props: Int
        public var frames: Int
        public var meanStepMicros: Double
        public var p50StepMicros: Double
        public var p99StepMicros: Double
        public var maxStepMicros: Double
        /// Frames whose step took longer than the 45 Hz frame (22.2 ms): answers that come late.
        public var overFrame: Int
        /// Bodies reported per answer.
        public var bodiesPerAnswer: Double
        /// Characters moved per fixed step, the share of those near a prim, and pairs separated.
        public var movedPerStep: Double
        public var sweptShare: Double
        public var separatedPerStep: Double
    }

    public var avatars: Int
    public var model: RegionWorld.AvatarModel
    public var frames: Int
    public var radius: Float
    public var props: Int

    public init(avatars: Int, model: RegionWorld.AvatarModel = .character, frames: Int = 450, radius: Float = 48, props: Int = 0) {
        self.avatars = avatars
        self.model = model
        self.frames = frames
        self.radius = radius
        self.props = props
    }

    static let ground: Float = 21
    static let centre = Vector3(128, 128, 21)

    public func run() throws -> Result {
        let region = GridPosition(x: 1000, y: 1000)!.handle
        let world = try RegionWorld(region: region, terrain: .flat(Self.ground), settings: .init(avatars: model))
        var random = SplitMix64(seed: 17)
        func spot() -> Vector3 {
            let angle = Float(random.next() % 62_832) / 10_000
            let distance = radius * (Float(random.next() % 10_000) / 10_000).squareRoot()
            return Vector3(Self.centre.x + distance * angle.cosine, Self.centre.y + distance * angle.sine, Self.ground)
        }
        var bodies: [PhysicsBody] = (0..<avatars).map { index in
            PhysicsBody(id: LocalID(index + 1), kind: .avatar, shape: .cylinder, scale: Vector3(0.45, 0.6, 1.9), position: spot(), mass: 80, friction: 0.2)
        }
        for index in 0..<props {
            var place = spot()
            let id = LocalID(avatars + index + 1)
            if index % 2 == 0 {
                place.z += 1
                bodies.append(PhysicsBody(id: id, kind: .prim, shape: .box, scale: Vector3(2, 2, 2), position: place, mass: 0, friction: 0.6, restitution: 0.1))
            } else {
                place.z += 0.4
                bodies.append(PhysicsBody(
                    id: id, kind: .prim, shape: .box, scale: Vector3(0.8, 0.8, 0.8), position: place, mass: 51.2, friction: 0.6, restitution: 0.3))
            }
        }
        var frame: UInt64 = 1
        let dt: Float = 1.0 / 45
        _ = world.apply(PhysicsFrame(region: region, frame: frame, seconds: dt, terrain: .flat(Self.ground), added: bodies))
        var positions = Dictionary(uniqueKeysWithValues: bodies.prefix(avatars).map { ($0.id, $0.position) })
        var headings = [Float](repeating: 0, count: avatars)
        var speeds = [Float](repeating: 0, count: avatars)
        var times: [Double] = []
        var reported = 0
        let warmUp = 45
        var countersAtStart = world.characterCounters
        for index in 0..<(warmUp + frames) {
            frame += 1
            var intents: [AvatarIntent] = []
            for avatar in 0..<avatars {
                let id = LocalID(avatar + 1)
                let here = positions[id] ?? Self.centre
                let offset = here - Self.centre
                let away = (offset.x * offset.x + offset.y * offset.y).squareRoot()
                var changed = index == 0 || random.next() % 124 == 0
                if changed {
                    let roll = random.next() % 10
                    speeds[avatar] = roll < 6 ? 3.2 : roll < 8 ? 5.1 : 0
                    headings[avatar] = Float(random.next() % 62_832) / 10_000
                }
                if away > radius, speeds[avatar] > 0 {
                    let back = atan2(-offset.y, -offset.x)
                    if abs(remainder(headings[avatar] - back, 2 * .pi)) > .pi / 2 {
                        headings[avatar] = back
                        changed = true
                    }
                }
                if changed {
                    let speed = speeds[avatar], heading = headings[avatar]
                    intents.append(AvatarIntent(id: id, velocity: Vector3(speed * heading.cosine, speed * heading.sine, 0)))
                }
            }
            let clock = ContinuousClock()
            let start = clock.now
            let result = world.apply(PhysicsFrame(region: region, frame: frame, seconds: dt, intents: intents))
            let elapsed = clock.now - start
            for body in result.bodies where positions[body.id] != nil { positions[body.id] = body.position }
            if index == warmUp - 1 { countersAtStart = world.characterCounters }
            if index >= warmUp {
                times.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
                reported += result.bodies.count
            }
        }
        let counters = world.characterCounters
        let steps = Double(max(counters.steps - countersAtStart.steps, 1))
        let moved = Double(counters.moved - countersAtStart.moved)
        let sorted = times.sorted()
        return Result(
            model: model, avatars: avatars, props: props, frames: frames,
            meanStepMicros: times.reduce(0, +) / Double(max(times.count, 1)),
            p50StepMicros: sorted[sorted.count / 2], p99StepMicros: sorted[min(sorted.count - 1, sorted.count * 99 / 100)],
            maxStepMicros: sorted.last ?? 0, overFrame: times.filter { $0 > 1e6 / 45 }.count,
            bodiesPerAnswer: Double(reported) / Double(max(frames, 1)),
            movedPerStep: moved / steps, sweptShare: moved > 0 ? Double(counters.swept - countersAtStart.swept) / moved : 0,
            separatedPerStep: Double(counters.separated - countersAtStart.separated) / steps)
    }
}
