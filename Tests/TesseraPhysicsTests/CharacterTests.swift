import Testing
import TesseraPhysics
import TesseraPhysicsService
import TesseraWire
import TesseraWorld

/// Avatars as characters (docs/physics.md, "Avatars"): driven frame by frame as a region drives
/// its world (45 Hz frames, the service's 60 Hz fixed step), on real Bullet.
@Suite("Avatars as characters in a region's world")
struct CharacterTests {
    static let region = GridPosition(x: 1000, y: 1000)!.handle
    static let dt: Float = 1.0 / 45

    /// A region's world that keeps the last state it reported of every body, as a region does.
    final class Driver {
        let world: RegionWorld
        var frame: UInt64 = 0
        var known: [LocalID: PhysicsBodyState] = [:]
        var answers: [PhysicsResult] = []

        init(terrain: Terrain = .flat(20), model: RegionWorld.AvatarModel = .character) throws {
            world = try RegionWorld(region: CharacterTests.region, terrain: terrain, settings: .init(avatars: model))
        }

        @discardableResult
        func send(_ input: PhysicsFrame = PhysicsFrame(region: CharacterTests.region, frame: 0, seconds: CharacterTests.dt)) -> PhysicsResult {
            frame += 1
            var input = input
            input.frame = frame
            let result = world.apply(input)
            for body in result.bodies { known[body.id] = body }
            answers.append(result)
            return result
        }

        /// Runs `frames` frames, the first carrying `first`, calling `check` after each.
        func run(_ frames: Int, first: PhysicsFrame? = nil, check: (Driver) -> Void = { _ in }) {
            for index in 0..<frames {
                if index == 0, let first { send(first) } else { send() }
                check(self)
            }
        }

        func position(_ id: LocalID) -> Vector3 { known[id]?.position ?? Vector3(repeating: .nan) }
    }

    static func avatar(_ id: LocalID, at position: Vector3) -> PhysicsBody {
        PhysicsBody(id: id, kind: .avatar, shape: .cylinder, scale: Vector3(0.45, 0.6, 1.9), position: position, mass: 80, friction: 0.2)
    }

    static func frame(added: [PhysicsBody] = [], intents: [AvatarIntent] = [], pushes: [PhysicsPush] = []) -> PhysicsFrame {
        PhysicsFrame(region: region, frame: 0, seconds: dt, added: added, pushes: pushes, intents: intents)
    }

    static func walk(_ id: LocalID, _ velocity: Vector3) -> AvatarIntent { AvatarIntent(id: id, velocity: velocity) }

    static func inverse(_ q: Quaternion) -> Quaternion { Quaternion(x: -q.x, y: -q.y, z: -q.z, w: q.w) }

    /// `v` rotated by the unit quaternion `q`.
    static func rotate(_ v: Vector3, by q: Quaternion) -> Vector3 {
        let u = Vector3(q.x, q.y, q.z)
        func cross(_ a: Vector3, _ b: Vector3) -> Vector3 { Vector3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x) }
        let t = 2 * cross(u, v)
        return v + q.w * t + cross(u, t)
    }

    static func horizontalDistance(_ a: Vector3, _ b: Vector3) -> Float {
        ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
    }

    @Test("an avatar added is reported once where it stands, then nothing while it stands")
    func arrivalReportedOnceThenSilent() throws {
        let driver = try Driver()
        let first = driver.send(Self.frame(added: [Self.avatar(1, at: Vector3(100, 100, 20))]))
        #expect(first.bodies.map(\.id) == [1])
        #expect(first.bodies.first?.position == Vector3(100, 100, 20))
        #expect(first.bodies.first?.velocity == .zero)
        driver.run(90)
        #expect(driver.answers.dropFirst().allSatisfy { $0.bodies.isEmpty }, "a standing avatar is never reported again")
    }

    @Test("standing avatars cost nothing: each is looked at once every 16 fixed steps")
    func standingAvatarsAreCheap() throws {
        let driver = try Driver()
        // 16 avatars 3 m apart: their body ids 1...16 cover every remainder of 16.
        var crowd: [PhysicsBody] = []
        for index in 0..<16 {
            let x: Float = 100 + Float(index % 4) * 3
            let y: Float = 100 + Float(index / 4) * 3
            crowd.append(Self.avatar(LocalID(index + 1), at: Vector3(x, y, 20)))
        }
        driver.send(Self.frame(added: crowd))
        driver.run(10)
        let before = driver.world.characterCounters
        driver.run(45)
        let after = driver.world.characterCounters
        #expect(after.moved - before.moved == after.steps - before.steps, "one look per fixed step in all, for 16 avatars")
        #expect(after.steps - before.steps == 60, "45 frames of 1/45 s are 60 fixed steps of 1/60 s")
        #expect(after.swept == 0 && after.separated == 0)
        #expect(driver.answers.suffix(55).allSatisfy { $0.bodies.isEmpty })
    }

    @Test("an avatar walking into a wall stops a skin's width from it and stays stopped")
    func wallStops() throws {
        let driver = try Driver()
        // A wall 1 m thick, its west face at x = 110.
        let wall = PhysicsBody(id: 2, kind: .prim, shape: .box, scale: Vector3(1, 10, 4), position: Vector3(110.5, 100, 22), mass: 0)
        driver.send(Self.frame(added: [Self.avatar(1, at: Vector3(100, 100, 20)), wall]))
        driver.run(5 * 45, first: Self.frame(intents: [Self.walk(1, Vector3(3.2, 0, 0))])) { driver in
            #expect(driver.position(1).x <= 110 - 0.3, "never into the wall: \(driver.position(1))")
        }
        let stopped = try #require(driver.known[1])
        // The face at 110, the capsule's radius 0.3, a skin of 1 cm.
        #expect(abs(stopped.position.x - 109.69) < 0.001, "\(stopped.position)")
        #expect(stopped.position.y == 100 && stopped.position.z == 20, "\(stopped.position)")
        #expect(stopped.velocity == .zero)
        #expect(driver.answers.suffix(45).allSatisfy { $0.bodies.isEmpty }, "stopped, it is not reported again")
    }

    @Test("an avatar walking along a wall at an angle slides along it")
    func wallSlides() throws {
        let driver = try Driver()
        let wall = PhysicsBody(id: 2, kind: .prim, shape: .box, scale: Vector3(1, 40, 4), position: Vector3(110.5, 100, 22), mass: 0)
        driver.send(Self.frame(added: [Self.avatar(1, at: Vector3(108, 90, 20)), wall]))
        // North-east at 3.2 m/s: 2.26 m/s north along the wall once it meets it.
        driver.run(3 * 45, first: Self.frame(intents: [Self.walk(1, Vector3(2.263, 2.263, 0))]))
        let end = driver.position(1)
        #expect(abs(end.x - 109.69) < 0.001, "against the wall: \(end)")
        #expect(abs(end.y - (90 + 3 * 2.263)) < 0.1, "slid north at the speed along the wall: \(end)")
    }

    @Test("two avatars walking into each other stop face to face; never closer than their radii")
    func headOnAvatarsStop() throws {
        let driver = try Driver()
        driver.send(Self.frame(added: [Self.avatar(1, at: Vector3(100, 100, 20)), Self.avatar(2, at: Vector3(106, 100, 20))]))
        driver.run(4 * 45, first: Self.frame(intents: [Self.walk(1, Vector3(3.2, 0, 0)), Self.walk(2, Vector3(-3.2, 0, 0))])) { driver in
            let a = driver.position(1), b = driver.position(2)
            #expect(b.x - a.x >= 0.6 - 0.001, "apart: \(a) \(b)")
        }
        let a = driver.position(1), b = driver.position(2)
        #expect(abs(a.x - 102.7) < 0.001 && abs(b.x - 103.3) < 0.001, "met half-way and stayed: \(a) \(b)")
        #expect(a.y == 100 && b.y == 100)
    }

    @Test("two avatars a little off each other's line go round each other without overlapping")
    func offsetAvatarsPass() throws {
        let driver = try Driver()
        driver.send(Self.frame(added: [Self.avatar(1, at: Vector3(100, 100, 20)), Self.avatar(2, at: Vector3(106, 100.2, 20))]))
        var closest: Float = 10
        driver.run(4 * 45, first: Self.frame(intents: [Self.walk(1, Vector3(3.2, 0, 0)), Self.walk(2, Vector3(-3.2, 0, 0))])) { driver in
            closest = min(closest, Self.horizontalDistance(driver.position(1), driver.position(2)))
        }
        let a = driver.position(1), b = driver.position(2)
        #expect(a.x > b.x + 5, "passed each other: \(a) \(b)")
        #expect(a.y < 100 && b.y > 100.2, "each stepped aside: \(a) \(b)")
        // Each step ends with them exactly apart; an answer between two steps may cut the corner.
        #expect(closest >= 0.59, "never overlapped by more than 1 cm: closest \(closest)")
    }

    @Test("a walker is stopped by a standing avatar, which is not moved")
    func standingAvatarIsAnObstacle() throws {
        let driver = try Driver()
        driver.send(Self.frame(added: [Self.avatar(1, at: Vector3(100, 100, 20)), Self.avatar(2, at: Vector3(104, 100, 20))]))
        driver.run(3 * 45, first: Self.frame(intents: [Self.walk(1, Vector3(3.2, 0, 0))]))
        #expect(driver.position(2) == Vector3(104, 100, 20), "the standing one stays put")
        #expect(abs(driver.position(1).x - 103.4) < 0.001, "the walker stops against it: \(driver.position(1))")
    }

    @Test("an avatar dropped onto a block stands on it, walks off its edge and lands on the ground")
    func standsOnAPrim() throws {
        let driver = try Driver()
        // A block 4 × 4 × 1 m: its top at 21.
        let block = PhysicsBody(id: 2, kind: .prim, shape: .box, scale: Vector3(4, 4, 1), position: Vector3(100, 100, 20.5), mass: 0)
        driver.send(Self.frame(added: [Self.avatar(1, at: Vector3(100, 100, 23)), block]))
        driver.run(90)
        let standing = driver.position(1)
        #expect(abs(standing.z - 21.01) < 0.001, "on the block, a skin above its top: \(standing)")
        #expect(standing.x == 100 && standing.y == 100)
        #expect(driver.known[1]?.velocity == .zero)
        // Walks east off the edge (at 102, plus its radius) and falls 1 m to the ground.
        driver.run(2 * 45, first: Self.frame(intents: [Self.walk(1, Vector3(3.2, 0, 0))]))
        let landed = driver.position(1)
        #expect(landed.x > 105, "walked on: \(landed)")
        #expect(landed.z == 20, "on the ground again: \(landed)")
    }

    @Test("an avatar steps up onto a kerb lower than the step height, and not onto a higher one")
    func stepsUp() throws {
        let driver = try Driver()
        let kerb = PhysicsBody(id: 2, kind: .prim, shape: .box, scale: Vector3(4, 4, 0.3), position: Vector3(104, 100, 20.15), mass: 0)
        let step = PhysicsBody(id: 3, kind: .prim, shape: .box, scale: Vector3(4, 4, 0.5), position: Vector3(104, 110, 20.25), mass: 0)
        driver.send(Self.frame(added: [Self.avatar(1, at: Vector3(100, 100, 20)), Self.avatar(4, at: Vector3(100, 110, 20)), kerb, step]))
        driver.run(2 * 45, first: Self.frame(intents: [Self.walk(1, Vector3(2, 0, 0)), Self.walk(4, Vector3(2, 0, 0))]))
        let up = driver.position(1)
        #expect(abs(up.z - 20.31) < 0.001 && up.x > 103, "on the kerb: \(up)")
        let blocked = driver.position(4)
        #expect(abs(blocked.x - (102 - 0.31)) < 0.001, "stopped by the 0.5 m step: \(blocked)")
        #expect(abs(blocked.z - 20) < 1e-4, "on the ground: \(blocked)")
    }

    @Test("an avatar walking into a light crate pushes it along; a standing avatar hit by a rolling ball is pushed")
    func pushesAndIsPushed() throws {
        let driver = try Driver()
        let crate = PhysicsBody(
            id: 2, kind: .prim, shape: .box, scale: Vector3(0.8, 0.8, 0.8), position: Vector3(102, 100, 20.4), mass: 51.2, friction: 0.6,
            restitution: 0.3)
        driver.send(Self.frame(added: [Self.avatar(1, at: Vector3(100, 100, 20)), crate]))
        driver.run(45)
        let resting = try #require(driver.known[2]).position
        var deepest: Float = 1
        driver.run(3 * 45, first: Self.frame(intents: [Self.walk(1, Vector3(3.2, 0, 0))])) { driver in
            guard let crate = driver.known[2] else { return }
            // The avatar's axis at the crate's height, in the crate's frame, against its faces.
            var axis = driver.position(1)
            axis.z = crate.position.z
            let local = Self.rotate(axis - crate.position, by: Self.inverse(crate.rotation))
            let nearest = pointwiseMin(pointwiseMax(local, Vector3(repeating: -0.4)), Vector3(repeating: 0.4))
            deepest = min(deepest, (local - nearest).length)
        }
        let pushed = driver.position(2)
        #expect(pushed.x > resting.x + 5, "pushed about 8 m in 3 s: \(resting) → \(pushed)")
        #expect(driver.position(1).x > 105, "the avatar walked on behind it: \(driver.position(1))")
        #expect(deepest >= 0.3 - 0.005, "the avatar never went into the crate: its axis came within \(deepest) m of it")

        // A 1 m ball (52.4 kg) rolling at 6 m/s into a standing avatar.
        let other = try Driver()
        let ball = PhysicsBody(
            id: 2, kind: .prim, shape: .sphere, scale: Vector3(1, 1, 1), position: Vector3(95, 100, 20.5), velocity: Vector3(6, 0, 0), mass: 52.4,
            friction: 0.6, restitution: 0.3)
        other.send(Self.frame(added: [Self.avatar(1, at: Vector3(100, 100, 20)), ball]))
        other.run(2 * 45)
        let shoved = other.position(1)
        #expect(shoved.x > 100.1, "pushed east by the ball: \(shoved)")
        #expect(abs(shoved.y - 100) < 0.05 && shoved.z == 20, "\(shoved)")
        #expect(other.position(2).x < shoved.x, "the ball stays on its side")
    }

    @Test("the rigid-capsule model still works: an avatar walks and stands on the ground")
    func rigidModel() throws {
        let driver = try Driver(model: .rigidBody)
        driver.send(Self.frame(added: [Self.avatar(1, at: Vector3(100, 100, 20))]))
        driver.run(45, first: Self.frame(intents: [Self.walk(1, Vector3(3.2, 0, 0))]))
        let end = driver.position(1)
        #expect(abs(end.x - (100 + 3.2)) < 0.15 && abs(end.z - 20) < 0.05, "\(end)")
        #expect(driver.world.characterCounters.moved == 0)
    }
}
