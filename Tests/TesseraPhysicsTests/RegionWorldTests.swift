import Testing
import TesseraPhysicsService
import TesseraWire
import TesseraWorld

/// A region's world in the physics service, driven frame by frame as a region drives it
/// (45 frames per second, stepped at the service's fixed 60 Hz), on real Bullet.
@Suite("A region's world in the physics service")
struct RegionWorldTests {
    static let region = GridPosition(x: 1000, y: 1000)!.handle
    static let dt: Float = 1.0 / 45

    /// Drives `frames` frames, the first carrying `first`, and returns every answer.
    static func run(_ world: RegionWorld, from frame: inout UInt64, frames: Int, first: PhysicsFrame? = nil) -> [PhysicsResult] {
        var results: [PhysicsResult] = []
        for index in 0..<frames {
            frame += 1
            var input = PhysicsFrame(region: region, frame: frame, seconds: dt)
            if index == 0, var first {
                first.frame = frame
                input = first
            }
            results.append(world.apply(input))
        }
        return results
    }

    static func last(_ id: LocalID, in results: [PhysicsResult]) -> PhysicsBodyState? {
        results.reversed().lazy.compactMap { $0.bodies.first { $0.id == id } }.first
    }

    @Test("an avatar walks up a hill and stops at a wall on its side, standing on the slope")
    func avatarClimbsAndStops() throws {
        // A hill 8 m high at x = 100, 40 m in radius; a wall 1 m thick across the path at x = 90,
        // on the way up.
        let terrain = Terrain(base: 20, hills: [Terrain.Hill(x: 100, y: 128, radius: 40, height: 8)])
        let world = try RegionWorld(region: Self.region, terrain: terrain)
        let avatar = PhysicsBody(id: 1, kind: .avatar, shape: .cylinder, scale: Vector3(0.6, 0.6, 1.9), position: Vector3(50, 128, 20), mass: 80)
        let wall = PhysicsBody(
            id: 2, kind: .prim, shape: .box, scale: Vector3(1, 20, 30), position: Vector3(90, 128, terrain.height(x: 90, y: 128)), mass: 0)
        var frame: UInt64 = 0
        let settle = Self.run(world, from: &frame, frames: 45, first: PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, added: [avatar, wall]))
        let standing = try #require(Self.last(1, in: settle))
        #expect(abs(standing.position.z - 20) < 0.1, "stands on the flat ground at 20 m: \(standing.position)")

        // Walks east at 3.2 m/s for 25 s: 80 m of path if nothing stood in the way.
        let walk = PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, intents: [AvatarIntent(id: 1, velocity: Vector3(3.2, 0, 0))])
        let results = Self.run(world, from: &frame, frames: 25 * 45, first: walk)
        let states = results.compactMap { $0.bodies.first { $0.id == 1 } }
        let highest = try #require(states.map(\.position.z).max())
        let end = try #require(states.last)
        // The wall's face is at 89.5 and the capsule's radius 0.3: it stops at 89.2.
        #expect(end.position.x > 88.5 && end.position.x < 89.25, "stops against the wall: \(end.position)")
        #expect(abs(end.position.y - 128) < 0.5, "keeps its line: \(end.position)")
        #expect(abs(end.velocity.x) < 0.3, "does not push on through the wall: \(end.velocity)")
        // On the hill's side at 89.2 m the ground is 20 + 8·½(1 + cos(π·10.8/40)) ≈ 26.6 m.
        let ground = terrain.height(x: end.position.x, y: end.position.y)
        #expect(ground > 26.3)
        #expect(abs(end.position.z - ground) < 0.25, "stands on the hillside (ground \(ground) m): \(end.position)")
        #expect(highest < ground + 0.6, "walked up, did not fly: highest \(highest) m")
        // Half-way up it was climbing: between the foot and the top the path rose steadily.
        let halfway = try #require(states.first { $0.position.x > 75 })
        #expect(abs(halfway.position.z - terrain.height(x: halfway.position.x, y: halfway.position.y)) < 0.25, "on the slope: \(halfway.position)")
    }

    @Test("a jump leaves the ground and comes back; flying holds altitude without gravity")
    func jumpAndFly() throws {
        let world = try RegionWorld(region: Self.region, terrain: .flat(20))
        let avatar = PhysicsBody(id: 7, kind: .avatar, shape: .cylinder, scale: Vector3(0.6, 0.6, 1.9), position: Vector3(128, 128, 20), mass: 80)
        var frame: UInt64 = 0
        _ = Self.run(world, from: &frame, frames: 20, first: PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, added: [avatar]))
        let jump = PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, intents: [AvatarIntent(id: 7, velocity: .zero, jump: true)])
        let jumping = Self.run(world, from: &frame, frames: 10, first: jump)
        let heights: [Float] = jumping.compactMap { result in result.bodies.first { $0.id == 7 }.map(\.position.z) }
        let peak = try #require(heights.max())
        // 3.2 m/s up under 9.8 m/s²: about 0.52 m.
        #expect(peak > 20.3 && peak < 20.7, "jumps about half a metre: peak \(peak)")
        let stop = PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, intents: [AvatarIntent(id: 7, velocity: .zero)])
        let landed = try #require(Self.last(7, in: Self.run(world, from: &frame, frames: 45, first: stop)))
        #expect(abs(landed.position.z - 20) < 0.1, "lands again: \(landed.position)")

        let fly = PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, intents: [AvatarIntent(id: 7, velocity: Vector3(0, 0, 4), flying: true)])
        let rising = try #require(Self.last(7, in: Self.run(world, from: &frame, frames: 45, first: fly)))
        #expect(abs(rising.position.z - 24) < 0.4, "rises 4 m in a second: \(rising.position)")
        let hover = PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, intents: [AvatarIntent(id: 7, velocity: .zero, flying: true)])
        let hovering = try #require(Self.last(7, in: Self.run(world, from: &frame, frames: 90, first: hover)))
        #expect(abs(hovering.position.z - rising.position.z) < 0.2, "hovers without falling: \(hovering.position) after \(rising.position)")
    }

    @Test("a reporting box that lands reports a contact start with the terrain, and an end when lifted away")
    func contactsStartAndEnd() throws {
        let world = try RegionWorld(region: Self.region, terrain: .flat(20))
        let box = PhysicsBody(
            id: 3, kind: .prim, shape: .box, scale: Vector3(1, 1, 1), position: Vector3(128, 128, 22), mass: 10, reportsContacts: true)
        let silent = PhysicsBody(id: 4, kind: .prim, shape: .box, scale: Vector3(1, 1, 1), position: Vector3(140, 128, 22), mass: 10)
        var frame: UInt64 = 0
        let falling = Self.run(world, from: &frame, frames: 60, first: PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, added: [box, silent]))
        let contacts = falling.flatMap(\.contacts)
        #expect(contacts.contains(PhysicsContact(body: 3, other: 0, started: true)), "landing starts a contact: \(contacts)")
        #expect(!contacts.contains { $0.body == 4 }, "a body that did not ask reports nothing")
        let lift = PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, placements: [
            PhysicsPlacement(id: 3, position: Vector3(128, 128, 40), rotation: .identity, velocity: .zero),
        ])
        let lifted = Self.run(world, from: &frame, frames: 5, first: lift).flatMap(\.contacts)
        #expect(lifted.contains(PhysicsContact(body: 3, other: 0, started: false)), "lifting it ends the contact: \(lifted)")
    }

    @Test("impulses move a physical prim; static prims and unknown ids are left alone; unusable bodies are refused by name")
    func impulsesAndRefusals() throws {
        let world = try RegionWorld(region: Self.region, terrain: .flat(20))
        let crate = PhysicsBody(id: 5, kind: .prim, shape: .box, scale: Vector3(1, 1, 1), position: Vector3(100, 100, 20.5), mass: 100)
        let post = PhysicsBody(id: 6, kind: .prim, shape: .cylinder, scale: Vector3(1, 1, 3), position: Vector3(50, 50, 21.5), mass: 0)
        let broken = PhysicsBody(id: 9, kind: .prim, shape: .sphere, scale: Vector3(0, 1, 1), position: Vector3(10, 10, 30), mass: 1)
        let far = PhysicsBody(id: 10, kind: .prim, shape: .box, scale: Vector3(1, 1, 1), position: Vector3(1e9, 10, 30), mass: 1)
        let heavy = PhysicsBody(id: 11, kind: .prim, shape: .box, scale: Vector3(1, 1, 1), position: Vector3(20, 10, 30), mass: 1e12)
        let fast = PhysicsBody(id: 12, kind: .avatar, shape: .box, scale: Vector3(1, 1, 1), position: Vector3(20, 20, 30), velocity: Vector3(1e6, 0, 0), mass: 80)
        var frame: UInt64 = 0
        let first = Self.run(world, from: &frame, frames: 30, first: PhysicsFrame(
            region: Self.region, frame: 0, seconds: Self.dt, added: [crate, post, broken, far, heavy, fast]))
        #expect(first[0].refused.map(\.id) == [9, 10, 11, 12])
        let reasons = first[0].refused.map(\.reason)
        #expect(reasons[0].contains("scale") && reasons[1].contains("position") && reasons[2].contains("mass") && reasons[3].contains("speed"), "\(reasons)")
        #expect(world.bodyCount == 2)
        let push = PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, pushes: [
            PhysicsPush(id: 5, vector: Vector3(500, 0, 0)), PhysicsPush(id: 6, vector: Vector3(500, 0, 0)), PhysicsPush(id: 42, vector: Vector3(1, 1, 1)),
        ])
        let pushed = Self.run(world, from: &frame, frames: 90, first: push)
        let moved = try #require(Self.last(5, in: pushed))
        // 5 m/s, slowed by friction (0.5 · 0.8 combined: 3.9 m/s²): about 3.2 m before it stops.
        #expect(moved.position.x > 102 && moved.position.x < 104.5, "slides a few metres: \(moved.position)")
        #expect(!pushed.flatMap(\.bodies).contains { $0.id == 6 }, "a static post never moves")
        let wild = Self.run(world, from: &frame, frames: 1, first: PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, placements: [
            PhysicsPlacement(id: 5, position: Vector3(1e9, 0, 0), rotation: .identity, velocity: .zero),
        ]))
        #expect(wild[0].refused.map(\.id) == [5] && wild[0].refused[0].reason.contains("out of bounds"), "\(wild[0].refused)")
        #expect(world.bodyCount == 2, "the placement is refused, the body stays")
    }

    @Test("a snapshot drops the old world and builds the new one")
    func snapshotRebuilds() throws {
        let world = try RegionWorld(region: Self.region, terrain: .flat(20))
        var frame: UInt64 = 0
        let crate = PhysicsBody(id: 5, kind: .prim, shape: .box, scale: Vector3(1, 1, 1), position: Vector3(100, 100, 25), mass: 10)
        _ = Self.run(world, from: &frame, frames: 3, first: PhysicsFrame(region: Self.region, frame: 0, seconds: Self.dt, added: [crate]))
        let again = PhysicsBody(id: 8, kind: .prim, shape: .sphere, scale: Vector3(1, 1, 1), position: Vector3(30, 30, 40), mass: 10)
        let results = Self.run(world, from: &frame, frames: 2, first: PhysicsFrame(
            region: Self.region, frame: 0, seconds: Self.dt, terrain: .flat(10), added: [again]))
        #expect(world.bodyCount == 1)
        #expect(Set(results.flatMap(\.bodies).map(\.id)) == [8])
        let fallen = try #require(Self.last(8, in: Self.run(world, from: &frame, frames: 180)))
        #expect(abs(fallen.position.z - 10.5) < 0.1, "rests on the new, lower ground: \(fallen.position)")
    }
}
