import Foundation
import Testing
import TesseraPhysics
import TesseraWorld

/// Bullet through TesseraPhysics against answers worked out by hand. Bullet integrates at a
/// fixed 60 Hz step (semi-implicit Euler), so a contact is found up to one step late and an
/// object may sink a few millimetres into what it lands on: the tolerances below allow two
/// steps in time, and a tenth of the height for bounces.
@Suite struct AnalyticPhysicsTests {
    static let g: Float = 9.8
    static let step: Float = 1.0 / 60

    @Test func aSphereDroppedFromTenMetresLandsWhenAndWhereFreeFallSays() throws {
        let world = PhysicsWorld(gravity: -Self.g)
        world.addGround(height: 0)
        let radius: Float = 0.5
        let ball = try world.add(.init(shape: .sphere(radius: radius), position: Vector3(3, -2, 10), mass: 1))
        // Falls 9.5 m before its surface meets the ground: t = √(2h/g).
        let expected = (2 * (10 - radius) / Self.g).squareRoot()
        var landed: Float?
        var time: Float = 0
        while time < 3, landed == nil {
            world.step(Self.step)
            time += Self.step
            let state = try #require(world.state(of: ball))
            if state.position.z <= radius + 0.01 || state.velocity.z >= 0 { landed = time }
        }
        let at = try #require(landed, "the ball never landed")
        #expect(abs(at - expected) <= 2 * Self.step, "landed at \(at) s, free fall says \(expected) s")
        let state = try #require(world.state(of: ball))
        #expect(abs(state.position.x - 3) < 0.001 && abs(state.position.y + 2) < 0.001, "falls straight down: \(state.position)")
    }

    @Test func restitutionBouncesABallToTheExpectedHeight() throws {
        let world = PhysicsWorld(gravity: -Self.g)
        // Bullet multiplies the two restitutions: 0.8 × 1 bounces with 0.8 of the speed, so to
        // 0.8² = 0.64 of the height it fell from.
        world.addGround(height: 0, restitution: 1)
        let radius: Float = 0.25
        let drop: Float = 5
        let ball = try world.add(.init(shape: .sphere(radius: radius), position: Vector3(0, 0, drop + radius), mass: 1, restitution: 0.8))
        var bounced = false
        var apex: Float = 0
        for _ in 0..<Int(4 / Self.step) {
            world.step(Self.step)
            let state = try #require(world.state(of: ball))
            if state.velocity.z > 0 { bounced = true }
            if bounced { apex = max(apex, state.position.z - radius) }
            if bounced, state.velocity.z < 0, state.position.z - radius < apex - 0.5 { break }
        }
        #expect(bounced)
        let expected = 0.64 * drop
        #expect(abs(apex - expected) <= 0.1 * drop, "bounced to \(apex) m, expected \(expected) m")
    }

    /// A static slope of `angle` going down towards +x, and a box resting on it.
    static func slope(angle: Float, friction: Float, world: PhysicsWorld) throws -> (box: UInt32, down: Vector3) {
        let tilt = Quaternion(x: 0, y: sin(angle / 2), z: 0, w: cos(angle / 2))
        try world.add(.init(shape: .box(halfExtents: Vector3(20, 5, 0.5)), position: .zero, rotation: tilt, mass: 0, friction: friction))
        let normal = Vector3(sin(angle), 0, cos(angle))
        let box = try world.add(.init(
            shape: .box(halfExtents: Vector3(0.5, 0.5, 0.25)), position: normal * (0.5 + 0.25 + 0.01), rotation: tilt,
            mass: 2, friction: friction))
        return (box, Vector3(cos(angle), 0, -sin(angle)))
    }

    @Test func aBoxPushedDownASlopeSlidesToRestWhereFrictionSays() throws {
        let world = PhysicsWorld(gravity: -Self.g)
        let angle: Float = 20 * .pi / 180
        // Both surfaces 0.8: Bullet's combined friction is their product, 0.64 > tan 20° (0.36).
        let (box, down) = try Self.slope(angle: angle, friction: 0.8, world: world)
        for _ in 0..<30 { world.step(Self.step) }  // settle onto the slope
        let start = try #require(world.state(of: box)).position
        let speed: Float = 3
        world.setVelocity(down * speed, of: box)
        for _ in 0..<Int(3 / Self.step) { world.step(Self.step) }
        let end = try #require(world.state(of: box))
        let speedAtEnd = (end.velocity.x * end.velocity.x + end.velocity.y * end.velocity.y + end.velocity.z * end.velocity.z).squareRoot()
        #expect(speedAtEnd < 0.05, "at rest after 3 s: \(end.velocity)")
        // Deceleration g (μ cos θ − sin θ); distance v² / 2a.
        let deceleration = Self.g * (0.64 * cos(angle) - sin(angle))
        let expected = speed * speed / (2 * deceleration)
        let travelled = end.position - start
        let along = travelled.x * down.x + travelled.z * down.z
        #expect(abs(along - expected) <= 0.2 * expected, "slid \(along) m, friction says \(expected) m")
    }

    @Test func onASlipperySlopeTheBoxAcceleratesDownhill() throws {
        let world = PhysicsWorld(gravity: -Self.g)
        let angle: Float = 20 * .pi / 180
        let (box, down) = try Self.slope(angle: angle, friction: 0.1, world: world)
        let start = try #require(world.state(of: box)).position
        for _ in 0..<60 { world.step(Self.step) }
        let travelled = try #require(world.state(of: box)).position - start
        let along = travelled.x * down.x + travelled.z * down.z
        // a = g (sin θ − μ cos θ) with μ = 0.01: about 1.6 m in the first second.
        let expected = 0.5 * Self.g * (sin(angle) - 0.01 * cos(angle))
        #expect(abs(along - expected) <= 0.25 * expected, "slid \(along) m in 1 s, expected \(expected) m")
    }

    @Test func bodiesThatMoveAreReadInOneCallAndRestingOnesFallAsleep() throws {
        let world = PhysicsWorld(gravity: -Self.g)
        world.addGround(height: 0)
        var ids: [UInt32] = []
        for index in 0..<10 {
            ids.append(try world.add(.init(shape: .box(halfExtents: Vector3(0.5, 0.5, 0.5)), position: Vector3(Float(index) * 3, 0, 2), mass: 1)))
        }
        world.step(Self.step)
        #expect(Set(world.activeBodies().map(\.id)) == Set(ids))
        for _ in 0..<Int(5 / Self.step) { world.step(Self.step) }
        #expect(world.activeBodies().isEmpty, "boxes at rest go to sleep and are not reported")
        world.applyImpulse(Vector3(0, 0, 5), to: ids[3])
        world.step(Self.step)
        #expect(world.activeBodies().map(\.id).contains(ids[3]))
        #expect(world.remove(ids[0]))
        #expect(!world.remove(ids[0]))
        #expect(world.bodyCount == 9)
    }

    @Test func unusableBodiesAreRefusedWithAReason() {
        let world = PhysicsWorld()
        #expect(throws: PhysicsWorld.InvalidBody.self) { try world.add(.init(shape: .sphere(radius: -1), position: .zero, mass: 1)) }
        #expect(throws: PhysicsWorld.InvalidBody.self) { try world.add(.init(shape: .box(halfExtents: Vector3(1, 0, 1)), position: .zero, mass: 1)) }
        #expect(throws: PhysicsWorld.InvalidBody.self) { try world.add(.init(shape: .sphere(radius: 1), position: Vector3(.nan, 0, 0), mass: 1)) }
        #expect(throws: PhysicsWorld.InvalidBody.self) { try world.add(.init(shape: .sphere(radius: 1), position: .zero, mass: -2)) }
        #expect(world.bodyCount == 0)
    }

    @Test func aBallComesToRestOnTerrainAtTheHeightOfTheHillUnderIt() throws {
        let world = PhysicsWorld(gravity: -Self.g)
        // 65 × 65 samples 4 m apart (256 m): a hill of 20 m at (128, 128) falling off as a cone.
        let columns = 65
        var heights: [Float] = []
        for row in 0..<columns {
            for column in 0..<columns {
                let dx = Float(column * 4) - 128, dy = Float(row * 4) - 128
                heights.append(max(0, 20 - (dx * dx + dy * dy).squareRoot() / 4))
            }
        }
        try world.addTerrain(heights: heights, columns: columns, rows: columns, spacing: 4)
        // A ball dropped on the flat part, well away from the hill, rests on height 0.
        let flat = try world.add(.init(shape: .sphere(radius: 0.5), position: Vector3(20, 20, 5), mass: 1))
        // A box dropped onto the hill stays on its surface wherever it settles (14° slopes, friction 1).
        let onHill = try world.add(.init(shape: .box(halfExtents: Vector3(0.5, 0.5, 0.5)), position: Vector3(128, 128, 30), mass: 1, friction: 1))
        for _ in 0..<Int(4 / Self.step) { world.step(Self.step) }
        let resting = try #require(world.state(of: flat))
        #expect(abs(resting.position.z - 0.5) < 0.1, "rests on the ground at height 0: \(resting.position)")
        let box = try #require(world.state(of: onHill))
        let dx = box.position.x - 128, dy = box.position.y - 128
        let ground = max(0, 20 - (dx * dx + dy * dy).squareRoot() / 4)
        #expect(box.position.z > ground - 0.1 && box.position.z < ground + 2, "on the hill at \(box.position), ground \(ground) m")
    }

    @Test func unusableTerrainIsRefused() {
        let world = PhysicsWorld()
        #expect(throws: PhysicsWorld.InvalidTerrain.self) { try world.addTerrain(heights: [0, 0, 0], columns: 2, rows: 2, spacing: 1) }
        #expect(throws: PhysicsWorld.InvalidTerrain.self) { try world.addTerrain(heights: [0, 0, 0, .nan], columns: 2, rows: 2, spacing: 1) }
        #expect(throws: PhysicsWorld.InvalidTerrain.self) { try world.addTerrain(heights: [0, 0, 0, 0], columns: 2, rows: 2, spacing: 0) }
    }
}
