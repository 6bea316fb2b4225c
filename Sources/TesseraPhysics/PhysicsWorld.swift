import BulletShim
import TesseraWorld

/// One Bullet world (docs: issue "Physics as a service"): bodies, a fixed-step clock, and the
/// states of the bodies that moved, read in one call per step. The world and everything in it
/// are owned and freed on the C++ side; this class frees the world when it goes away.
/// Not thread-safe: one owner (one region's physics loop) uses it.
public final class PhysicsWorld {
    public enum Shape: Sendable, Hashable {
        case box(halfExtents: Vector3)
        case sphere(radius: Float)
        case cylinder(halfExtents: Vector3)
        /// Upright (axis z): `height` is the whole height, end caps included.
        case capsule(radius: Float, height: Float)
    }

    public struct Body: Sendable, Hashable {
        public var shape: Shape
        public var position: Vector3
        public var rotation: Quaternion
        /// 0 makes a static body.
        public var mass: Float
        public var friction: Float
        public var restitution: Float
        /// Never tips over and never sleeps: an avatar's capsule.
        public var upright: Bool
        /// Its contact starts and ends are reported by `contacts()`.
        public var reportsContacts: Bool
        /// A character (an avatar): a capsule the world moves by its intent (`setIntent`) before
        /// every fixed step, standing on terrain and prims, stopped by prims, pushing and pushed
        /// by dynamic bodies, kept apart from other characters; not a free rigid body. `mass` is
        /// what it pushes with. Only a capsule can be one.
        public var character: Bool

        public init(
            shape: Shape, position: Vector3, rotation: Quaternion = .identity, mass: Float, friction: Float = 0.5, restitution: Float = 0,
            upright: Bool = false, reportsContacts: Bool = false, character: Bool = false
        ) {
            self.character = character
            self.upright = upright
            self.reportsContacts = reportsContacts
            self.shape = shape
            self.position = position
            self.rotation = rotation
            self.mass = mass
            self.friction = friction
            self.restitution = restitution
        }
    }

    public struct BodyState: Sendable, Hashable {
        public var id: UInt32
        public var position: Vector3
        public var rotation: Quaternion
        public var velocity: Vector3
    }

    public struct InvalidBody: Error, CustomStringConvertible {
        public var body: Body
        public var description: String { "not a usable body (sizes must be positive, mass not negative): \(body)" }
    }

    private let world: OpaquePointer
    public let fixedStep: Float
    public let maxSubsteps: Int32
    private var buffer: [tp_body_state] = []

    /// The world's gravity along z, m/s².
    public let gravity: Float

    public init(gravity: Float = -9.8, fixedStep: Float = 1.0 / 60, maxSubsteps: Int32 = 4) {
        world = tp_world_create(gravity)
        self.gravity = gravity
        self.fixedStep = fixedStep
        self.maxSubsteps = maxSubsteps
    }

    deinit { tp_world_destroy(world) }

    public func addGround(height: Float, friction: Float = 0.5, restitution: Float = 0) {
        tp_world_add_ground(world, height, friction, restitution)
    }

    public struct InvalidTerrain: Error, CustomStringConvertible {
        public var description: String
    }

    /// Static terrain from a grid of heights (row-major, x fastest), `spacing` metres apart,
    /// the first sample at (0, 0).
    public func addTerrain(heights: [Float], columns: Int, rows: Int, spacing: Float, friction: Float = 0.8) throws {
        guard columns >= 2, rows >= 2, heights.count == columns * rows, spacing > 0, heights.allSatisfy(\.isFinite) else {
            throw InvalidTerrain(description: "terrain needs at least 2×2 finite heights (got \(heights.count) for \(columns)×\(rows)) and a positive spacing")
        }
        let added = heights.withUnsafeBufferPointer {
            tp_world_add_heightfield(world, $0.baseAddress, Int32(columns), Int32(rows), spacing, friction)
        }
        guard added != 0 else { throw InvalidTerrain(description: "Bullet refused the terrain") }
    }

    @discardableResult
    public func add(_ body: Body) throws -> UInt32 {
        var spec = tp_body_spec()
        switch body.shape {
        case .box(let half): spec.shape = TP_SHAPE_BOX; spec.size = (half.x, half.y, half.z)
        case .sphere(let radius): spec.shape = TP_SHAPE_SPHERE; spec.size = (radius, 0, 0)
        case .cylinder(let half): spec.shape = TP_SHAPE_CYLINDER; spec.size = (half.x, half.y, half.z)
        case .capsule(let radius, let height): spec.shape = TP_SHAPE_CAPSULE; spec.size = (radius, 0, height)
        }
        spec.position = (body.position.x, body.position.y, body.position.z)
        spec.rotation = (body.rotation.x, body.rotation.y, body.rotation.z, body.rotation.w)
        spec.mass = body.mass
        spec.friction = body.friction
        spec.restitution = body.restitution
        spec.flags = (body.upright ? UInt32(TP_BODY_UPRIGHT) : 0) | (body.reportsContacts ? UInt32(TP_BODY_REPORT_CONTACTS) : 0)
            | (body.character ? UInt32(TP_BODY_CHARACTER) : 0)
        guard body.position.isFinite, body.rotation.isFinite, body.mass.isFinite else { throw InvalidBody(body: body) }
        let id = withUnsafePointer(to: &spec) { tp_world_add_body(world, $0) }
        guard id != 0 else { throw InvalidBody(body: body) }
        return id
    }

    @discardableResult
    public func remove(_ id: UInt32) -> Bool { tp_world_remove_body(world, id) != 0 }

    public func applyImpulse(_ impulse: Vector3, to id: UInt32) {
        var value = (impulse.x, impulse.y, impulse.z)
        withUnsafePointer(to: &value) { $0.withMemoryRebound(to: Float.self, capacity: 3) { tp_world_apply_impulse(world, id, $0) } }
    }

    public func setVelocity(_ velocity: Vector3, of id: UInt32) {
        var value = (velocity.x, velocity.y, velocity.z)
        withUnsafePointer(to: &value) { $0.withMemoryRebound(to: Float.self, capacity: 3) { tp_world_set_velocity(world, id, $0) } }
    }

    /// How characters move (one set per world).
    public struct CharacterSettings: Sendable, Hashable {
        /// Upward speed of a jump, m/s.
        public var jumpSpeed: Float
        /// Obstacles up to this high (m) are stepped onto; walking down a slope or off a step up to
        /// this high keeps the feet on the ground.
        public var stepHeight: Float
        /// The most force (N) a character pushes a dynamic body it walks into with.
        public var pushForce: Float

        public init(jumpSpeed: Float = 3.2, stepHeight: Float = 0.35, pushForce: Float = 784) {
            self.jumpSpeed = jumpSpeed
            self.stepHeight = stepHeight
            self.pushForce = pushForce
        }
    }

    public func setCharacterSettings(_ settings: CharacterSettings) {
        var raw = tp_character_settings(jump_speed: settings.jumpSpeed, step_height: settings.stepHeight, push_force: settings.pushForce)
        tp_world_set_character_settings(world, &raw)
    }

    /// A character's intended velocity (z only when flying); `jump` jumps whenever it stands.
    /// No effect on other bodies.
    public func setIntent(_ velocity: Vector3, flying: Bool, jump: Bool, of id: UInt32) {
        var value = (velocity.x, velocity.y, velocity.z)
        let flags = (flying ? UInt32(TP_INTENT_FLYING) : 0) | (jump ? UInt32(TP_INTENT_JUMP) : 0)
        withUnsafePointer(to: &value) { $0.withMemoryRebound(to: Float.self, capacity: 3) { tp_world_set_intent(world, id, $0, flags) } }
    }

    /// Whether a character stands on something after the last step; nil when `id` is not a character.
    public func isStanding(_ id: UInt32) -> Bool? {
        let standing = tp_world_character_standing(world, id)
        return standing < 0 ? nil : standing == 1
    }

    /// What characters have cost since the world was made, in character-steps.
    public struct CharacterCounters: Sendable, Hashable {
        /// Fixed steps taken.
        public var steps: UInt64
        /// Character-steps that moved a character (standing ones cost nothing and are not counted).
        public var moved: UInt64
        /// Of those, the ones near a prim (swept queries); the rest moved over the terrain alone.
        public var swept: UInt64
        /// Pairs of characters pushed apart.
        public var separated: UInt64
    }

    public var characterCounters: CharacterCounters {
        var raw = tp_character_counters()
        tp_world_read_character_counters(world, &raw)
        return CharacterCounters(steps: raw.steps, moved: raw.moved, swept: raw.swept, separated: raw.separated)
    }

    /// Gravity along z for one body (0 for a flying avatar); characters' follows their intent.
    public func setGravity(_ gravity: Float, of id: UInt32) { tp_world_set_body_gravity(world, id, gravity) }

    /// Puts a body at a place at once, with a velocity.
    public func place(_ id: UInt32, at position: Vector3, rotation: Quaternion, velocity: Vector3) {
        var p = (position.x, position.y, position.z)
        var r = (rotation.x, rotation.y, rotation.z, rotation.w)
        var v = (velocity.x, velocity.y, velocity.z)
        withUnsafePointer(to: &p) { p in
            withUnsafePointer(to: &r) { r in
                withUnsafePointer(to: &v) { v in
                    p.withMemoryRebound(to: Float.self, capacity: 3) { p in
                        r.withMemoryRebound(to: Float.self, capacity: 4) { r in
                            v.withMemoryRebound(to: Float.self, capacity: 3) { v in tp_world_set_transform(world, id, p, r, v) }
                        }
                    }
                }
            }
        }
    }

    /// Metres from a body's centre straight down to the nearest other solid within `reach`.
    public func distanceBelow(_ id: UInt32, reach: Float) -> Float? {
        let distance = tp_world_distance_below(world, id, reach)
        return distance >= 0 ? distance : nil
    }

    public struct Contact: Sendable, Hashable {
        /// The reporting body.
        public var body: UInt32
        /// The body it touches; 0 for terrain or ground.
        public var other: UInt32
        public var started: Bool
    }

    /// The contact starts and ends since the last call, of bodies that report them.
    public func contacts() -> [Contact] {
        let count = tp_world_read_contacts(world, nil, 0)
        guard count > 0 else { return [] }
        var raw = [tp_contact](repeating: tp_contact(), count: Int(count))
        let read = raw.withUnsafeMutableBufferPointer { tp_world_read_contacts(world, $0.baseAddress, count) }
        return raw.prefix(Int(min(read, count))).map { Contact(body: $0.body, other: $0.other, started: $0.started != 0) }
    }

    /// Advances by `seconds` in fixed steps.
    public func step(_ seconds: Float) {
        tp_world_step(world, seconds, maxSubsteps, fixedStep)
    }

    public var bodyCount: Int { Int(tp_world_body_count(world)) }

    /// A body's mass in kg (0 for a static body); nil when there is none with that id.
    public func mass(of id: UInt32) -> Float? {
        let mass = tp_world_body_mass(world, id)
        return mass >= 0 ? mass : nil
    }

    /// The bodies that are awake after the last step, and the characters that moved in it, all
    /// in one call (a character's position is its capsule's centre).
    public func activeBodies() -> [BodyState] {
        var count = tp_world_read_active(world, nil, 0)
        if buffer.count < Int(count) { buffer = Array(repeating: tp_body_state(), count: Int(count) * 2) }
        count = buffer.withUnsafeMutableBufferPointer { tp_world_read_active(world, $0.baseAddress, UInt32($0.count)) }
        return buffer.prefix(Int(count)).map(Self.state)
    }

    public func state(of id: UInt32) -> BodyState? {
        var raw = tp_body_state()
        guard tp_world_read_body(world, id, &raw) != 0 else { return nil }
        return Self.state(raw)
    }

    private static func state(_ raw: tp_body_state) -> BodyState {
        BodyState(
            id: raw.id,
            position: Vector3(raw.position.0, raw.position.1, raw.position.2),
            rotation: Quaternion(x: raw.rotation.0, y: raw.rotation.1, z: raw.rotation.2, w: raw.rotation.3),
            velocity: Vector3(raw.linear_velocity.0, raw.linear_velocity.1, raw.linear_velocity.2))
    }
}
