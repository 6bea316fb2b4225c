import Foundation
import TesseraPhysics
import TesseraWire
import TesseraWorld

/// One region's Bullet world inside the physics service: applies a `PhysicsFrame`, steps, and
/// answers with a `PhysicsResult`. Pure over its world (no I/O), so tests drive it directly.
/// Avatars are characters (docs/physics.md, "Avatars"): capsules the world moves by their intent
/// over the terrain and prims, kept apart by a separation pass, and costing nothing while they
/// stand; `AvatarModel.rigidBody` keeps the older free rigid capsules (for comparison).
public final class RegionWorld {
    /// How avatars are simulated.
    public enum AvatarModel: String, Sendable, CaseIterable {
        /// Character controllers (the default): moved by their intent, a cheap ground and
        /// obstacle query, separated from each other without the solver.
        case character
        /// Upright rigid capsules stepped by the solver, colliding with each other (the model
        /// before character controllers; a dense crowd costs the solver every step).
        case rigidBody = "rigid"
    }

    public struct Settings: Sendable {
        /// Fixed steps per second.
        public var stepRate: Int
        /// The most fixed steps one frame may take.
        public var maxSubsteps: Int
        public var avatars: AvatarModel

        public init(stepRate: Int = 60, maxSubsteps: Int = 4, avatars: AvatarModel = .character) {
            self.stepRate = stepRate
            self.maxSubsteps = maxSubsteps
            self.avatars = avatars
        }
    }

    /// An avatar's capsule: Second Life's avatars are about this size.
    public static let avatarRadius: Float = 0.3
    public static let avatarHeight: Float = 1.9
    public static let avatarMass: Float = 80
    /// Upward speed of a jump, m/s (about half a metre high).
    public static let jumpSpeed: Float = 3.2
    /// Objects are this many kilograms per cubic metre when their mass is not given.
    public static let density: Float = 100

    private struct Member {
        var body: UInt32
        var kind: PhysicsBody.Kind
        var intent: AvatarIntent?
    }

    public let region: RegionHandle
    public let settings: Settings
    private var world: PhysicsWorld
    private var members: [LocalID: Member] = [:]
    /// The avatars among the members (steered before every step).
    private var avatars: Set<LocalID> = []
    /// By Bullet body id (the shim numbers them from 1): the entity, 0 for none; and whether
    /// it is an avatar. Arrays, not dictionaries: every moved body is looked up every frame.
    private var owners: [LocalID] = [0]
    private var avatarBodies: [Bool] = [false]
    /// Bodies reported awake after the last step, and the step each was last seen awake in:
    /// one that falls asleep is reported once more, at rest.
    private var awake: [UInt32] = []
    private var seenAwake: [UInt32] = [0]
    private var steps: UInt32 = 0
    /// Bodies of avatars added since the last answer: each is reported once, where the world
    /// put it, even if it did not move.
    private var arrivals: [UInt32] = []
    /// By body id: the state the region was last told (or gave). A body whose state is within
    /// `Reported.tolerance` of it is not sent again: the region already holds it.
    private var reported: [Reported] = [Reported()]

    struct Reported {
        var position: Vector3 = .zero
        var rotation: Quaternion = .identity
        var velocity: Vector3 = .zero

        /// 1 mm, 1 cm/s, and a rotation of about 0.1°.
        static let positionTolerance: Float = 1e-3
        static let velocityTolerance: Float = 1e-2
        static let rotationTolerance: Float = 1e-6

        func holds(_ state: PhysicsWorld.BodyState) -> Bool {
            let dp = state.position - position, dv = state.velocity - velocity
            let dot = abs(state.rotation.x * rotation.x + state.rotation.y * rotation.y + state.rotation.z * rotation.z + state.rotation.w * rotation.w)
            return (dp * dp).sum() < Self.positionTolerance * Self.positionTolerance
                && (dv * dv).sum() < Self.velocityTolerance * Self.velocityTolerance
                && dot > 1 - Self.rotationTolerance
        }
    }
    public private(set) var lastFrame: UInt64 = 0
    /// The terrain built at creation, until the first frame: a first snapshot with the same
    /// terrain does not build it again.
    private var freshTerrain: Terrain?

    public init(region: RegionHandle, terrain: Terrain, settings: Settings = Settings()) throws {
        self.region = region
        self.settings = settings
        world = Self.makeWorld(settings)
        try Self.build(terrain, in: world)
        freshTerrain = terrain
    }

    private static func makeWorld(_ settings: Settings) -> PhysicsWorld {
        let world = PhysicsWorld(fixedStep: 1 / Float(settings.stepRate), maxSubsteps: Int32(settings.maxSubsteps))
        world.setCharacterSettings(.init(jumpSpeed: jumpSpeed, stepHeight: stepHeight, pushForce: avatarMass * 9.8))
        return world
    }

    /// Obstacles up to this high are stepped onto (a kerb, a stair).
    public static let stepHeight: Float = 0.35

    /// What the world's characters have cost (for benchmarks and status).
    public var characterCounters: PhysicsWorld.CharacterCounters { world.characterCounters }

    public var bodyCount: Int { members.count }

    private static func build(_ terrain: Terrain, in world: PhysicsWorld) throws {
        if terrain.hills.isEmpty {
            world.addGround(height: terrain.base, friction: 0.8)
        } else {
            let side = Terrain.samplesPerSide
            try world.addTerrain(heights: terrain.samples(), columns: side, rows: side, spacing: 1, friction: 0.8)
        }
    }

    /// Applies one frame and steps; the answer names the same frame.
    public func apply(_ frame: PhysicsFrame) -> PhysicsResult {
        let started = DispatchTime.now().uptimeNanoseconds
        var refused: [PhysicsRefusal] = []
        defer { freshTerrain = nil }
        if let terrain = frame.terrain, terrain != freshTerrain {
            // A snapshot: the region's whole physical world, built again from nothing.
            world = Self.makeWorld(settings)
            do { try Self.build(terrain, in: world) } catch { refused.append(PhysicsRefusal(id: 0, reason: "\(error)")) }
            members = [:]
            avatars = []
            owners = [0]
            avatarBodies = [false]
            awake = []
            seenAwake = [0]
            reported = [Reported()]
            arrivals = []
        }
        for id in frame.removed { remove(id) }
        for body in frame.added {
            if let problem = add(body) { refused.append(PhysicsRefusal(id: body.id, reason: problem)) }
        }
        for placement in frame.placements {
            guard let member = members[placement.id] else { continue }
            guard Self.withinBounds(placement.position), placement.velocity.length <= Self.maxSpeed else {
                refused.append(PhysicsRefusal(id: placement.id, reason: "placement at \(placement.position) moving \(placement.velocity) is out of bounds"))
                continue
            }
            let lift = member.kind == .avatar ? Self.avatarHeight / 2 : 0
            world.place(member.body, at: placement.position + Vector3(0, 0, lift), rotation: placement.rotation, velocity: placement.velocity)
            reported[Int(member.body)] = Reported(
                position: placement.position + Vector3(0, 0, lift), rotation: placement.rotation, velocity: placement.velocity)
        }
        for var intent in frame.intents {
            guard members[intent.id]?.kind == .avatar else { continue }
            if intent.velocity.length > Self.maxSpeed { intent.velocity *= Self.maxSpeed / intent.velocity.length }
            members[intent.id]!.intent = intent
            switch settings.avatars {
            case .character: world.setIntent(intent.velocity, flying: intent.flying, jump: intent.jump, of: members[intent.id]!.body)
            case .rigidBody: world.setGravity(intent.flying ? 0 : world.gravity, of: members[intent.id]!.body)
            }
        }
        for push in frame.pushes {
            guard let member = members[push.id], member.kind == .prim else { continue }
            var impulse = push.kind == .impulse ? push.vector : push.vector * frame.seconds
            // No push may make a body faster than the bound a body is created with.
            if let mass = world.mass(of: member.body), impulse.length > mass * Self.maxSpeed {
                impulse *= mass * Self.maxSpeed / impulse.length
            }
            world.applyImpulse(impulse, to: member.body)
        }
        if settings.avatars == .rigidBody { steerAvatars() }
        world.step(frame.seconds)
        lastFrame = frame.frame
        var diverged: [LocalID] = []
        let bodies = movedBodies(diverged: &diverged)
        for id in diverged {
            // A body whose numbers blew up is taken out, so it cannot spoil the others.
            remove(id)
            refused.append(PhysicsRefusal(id: id, reason: "its simulation diverged (a position or velocity is not finite)"))
        }
        return PhysicsResult(
            region: region, frame: frame.frame,
            stepMicros: UInt32(min((DispatchTime.now().uptimeNanoseconds - started) / 1000, UInt64(UInt32.max))),
            bodies: bodies, contacts: contacts(), refused: refused)
    }

    /// Bodies are refused outside these bounds: Bullet's broadphase and solver lose precision,
    /// and then finiteness, far beyond them.
    static let maxCoordinate: Float = 10_000
    static let maxSize: Float = 1_000
    static let maxMass: Float = 1e7
    static let maxSpeed: Float = 1_000

    static func withinBounds(_ position: Vector3) -> Bool {
        abs(position.x) <= maxCoordinate && abs(position.y) <= maxCoordinate && abs(position.z) <= maxCoordinate
    }

    private func add(_ body: PhysicsBody) -> String? {
        if members[body.id] != nil { remove(body.id) }
        guard body.id != 0 else { return "id 0 is not an entity" }
        guard Self.withinBounds(body.position) else {
            return "position \(body.position) is more than \(Int(Self.maxCoordinate)) m from the region"
        }
        guard body.scale.max() <= Self.maxSize else { return "scale \(body.scale) is over \(Int(Self.maxSize)) m" }
        guard body.mass <= Self.maxMass else { return "mass \(body.mass) kg is over \(Self.maxMass) kg" }
        guard body.velocity.length <= Self.maxSpeed else { return "speed \(body.velocity.length) m/s is over \(Int(Self.maxSpeed)) m/s" }
        guard (0...10).contains(body.friction), (0...1).contains(body.restitution) else {
            return "friction \(body.friction) must be within 0...10 and restitution \(body.restitution) within 0...1"
        }
        let spec: PhysicsWorld.Body
        switch body.kind {
        case .avatar:
            let character = settings.avatars == .character
            spec = PhysicsWorld.Body(
                shape: .capsule(radius: Self.avatarRadius, height: Self.avatarHeight),
                position: body.position + Vector3(0, 0, Self.avatarHeight / 2), mass: Self.avatarMass, friction: 0.2,
                upright: !character, reportsContacts: body.reportsContacts, character: character)
        case .prim:
            let half = body.scale * 0.5
            guard half.x > 0, half.y > 0, half.z > 0 else { return "scale \(body.scale) is not positive on every axis" }
            guard body.mass >= 0 else { return "mass \(body.mass) is negative" }
            let shape: PhysicsWorld.Shape =
                switch body.shape {
                case .box: .box(halfExtents: half)
                case .sphere: .sphere(radius: max(half.x, max(half.y, half.z)))
                case .cylinder: .cylinder(halfExtents: half)
                }
            spec = PhysicsWorld.Body(
                shape: shape, position: body.position, rotation: body.rotation, mass: body.mass,
                friction: body.friction, restitution: body.restitution, reportsContacts: body.reportsContacts)
        }
        let id: UInt32
        do { id = try world.add(spec) } catch { return "\(error)" }
        if body.velocity != .zero { world.setVelocity(body.velocity, of: id) }
        members[body.id] = Member(body: id, kind: body.kind)
        if body.kind == .avatar { avatars.insert(body.id) }
        let index = Int(id)
        if index >= owners.count {
            let grown = max(index + 1, owners.count * 2)
            owners += [LocalID](repeating: 0, count: grown - owners.count)
            avatarBodies += [Bool](repeating: false, count: grown - avatarBodies.count)
            seenAwake += [UInt32](repeating: 0, count: grown - seenAwake.count)
            reported += [Reported](repeating: Reported(), count: grown - reported.count)
        }
        reported[index] = Reported(position: spec.position, rotation: spec.rotation, velocity: body.velocity)
        if spec.character {
            // Reported once after its first step wherever it is (nothing equals NaN).
            reported[index].position = Vector3(repeating: .nan)
            arrivals.append(id)
        }
        owners[index] = body.id
        avatarBodies[index] = body.kind == .avatar
        return nil
    }

    private func remove(_ id: LocalID) {
        guard let member = members.removeValue(forKey: id) else { return }
        avatars.remove(id)
        owners[Int(member.body)] = 0
        world.remove(member.body)
    }

    /// Sets every avatar's velocity from its intent: horizontal always, vertical when flying
    /// or jumping from something solid.
    private func steerAvatars() {
        for id in avatars {
            guard let member = members[id] else { continue }
            let intent = member.intent ?? AvatarIntent(id: 0, velocity: .zero)
            guard var velocity = world.state(of: member.body)?.velocity else { continue }
            velocity.x = intent.velocity.x
            velocity.y = intent.velocity.y
            if intent.flying {
                velocity.z = intent.velocity.z
            } else if intent.jump, velocity.z <= 0.1, isStanding(member.body) {
                velocity.z = Self.jumpSpeed
            }
            world.setVelocity(velocity, of: member.body)
        }
    }

    private func isStanding(_ body: UInt32) -> Bool {
        world.distanceBelow(body, reach: Self.avatarHeight / 2 + 0.15) != nil
    }

    private func movedBodies(diverged: inout [LocalID]) -> [PhysicsBodyState] {
        steps &+= 1
        if steps == 0 { steps = 1 }
        let active = world.activeBodies()
        var states: [PhysicsBodyState] = []
        states.reserveCapacity(active.count)
        func report(_ state: PhysicsWorld.BodyState) {
            let index = Int(state.id)
            guard index < owners.count, owners[index] != 0, !reported[index].holds(state) else { return }
            guard state.position.isFinite, state.rotation.isFinite, state.velocity.isFinite else {
                diverged.append(owners[index])
                return
            }
            reported[index] = Reported(position: state.position, rotation: state.rotation, velocity: state.velocity)
            var position = state.position
            if avatarBodies[index] { position.z -= Self.avatarHeight / 2 }
            states.append(PhysicsBodyState(id: owners[index], position: position, rotation: state.rotation, velocity: state.velocity))
        }
        var now: [UInt32] = []
        now.reserveCapacity(active.count)
        for state in active {
            seenAwake[Int(state.id)] = steps
            now.append(state.id)
            report(state)
        }
        for body in awake where seenAwake[Int(body)] != steps && owners[Int(body)] != 0 {
            if let state = world.state(of: body) { report(state) }
        }
        for body in arrivals where Int(body) < owners.count && owners[Int(body)] != 0 && seenAwake[Int(body)] != steps {
            if let state = world.state(of: body) { report(state) }
        }
        arrivals = []
        awake = now
        return states
    }

    private func contacts() -> [PhysicsContact] {
        world.contacts().compactMap { contact in
            func owner(_ body: UInt32) -> LocalID { Int(body) < owners.count ? owners[Int(body)] : 0 }
            let body = owner(contact.body)
            let other = owner(contact.other)
            guard body != 0, contact.other == 0 || other != 0 else { return nil }
            return PhysicsContact(body: body, other: other, started: contact.started)
        }
    }
}
