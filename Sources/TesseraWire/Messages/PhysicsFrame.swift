import NIOCore
import TesseraCodec
import TesseraWorld

/// Region → physics service, once per region frame: what changed in the region's physical
/// world since the last frame, and how far to advance it (docs/physics.md). A `reset` frame
/// is a full snapshot: the service drops whatever world it holds for the region and builds
/// it again from the terrain and the bodies in the frame.
public struct PhysicsFrame: WireMessageBody {
    public static let messageType = WireMessageType.physicsFrame

    public var region: RegionHandle
    public var frame: UInt64
    /// Seconds of simulated time this frame advances (the region's frame period).
    public var seconds: Float
    /// Set on a full snapshot (after attaching or re-attaching); `terrain` is sent only then.
    public var terrain: Terrain?
    public var added: [PhysicsBody]
    public var removed: [LocalID]
    public var pushes: [PhysicsPush]
    /// Avatars whose wish changed; the service keeps each until the next one.
    public var intents: [AvatarIntent]
    /// Bodies put somewhere at once (teleports, a border pushing something back).
    public var placements: [PhysicsPlacement]

    public init(
        region: RegionHandle, frame: UInt64, seconds: Float, terrain: Terrain? = nil, added: [PhysicsBody] = [], removed: [LocalID] = [],
        pushes: [PhysicsPush] = [], intents: [AvatarIntent] = [], placements: [PhysicsPlacement] = []
    ) {
        self.region = region
        self.frame = frame
        self.seconds = seconds
        self.terrain = terrain
        self.added = added
        self.removed = removed
        self.pushes = pushes
        self.intents = intents
        self.placements = placements
    }

    public var isReset: Bool { terrain != nil }

    public init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "physicsFrame.region"))
        frame = try buffer.readLE(UInt64.self, "physicsFrame.frame")
        seconds = try buffer.readFloatLE("physicsFrame.seconds")
        guard seconds.isFinite, seconds >= 0, seconds <= 1 else {
            throw CodecError.invalidValue(field: "physicsFrame.seconds", reason: "expected 0...1 s, got \(seconds)")
        }
        switch try buffer.readLE(UInt8.self, "physicsFrame.reset") {
        case 0: terrain = nil
        case 1: terrain = try Terrain(from: &buffer)
        case let other: throw CodecError.invalidValue(field: "physicsFrame.reset", reason: "expected 0 or 1, got \(other)")
        }
        added = try (0..<buffer.readCount("physicsFrame.added", minElementBytes: PhysicsBody.bytes)).map { _ in try PhysicsBody(from: &buffer) }
        removed = try (0..<buffer.readCount("physicsFrame.removed", minElementBytes: 4)).map { _ in try buffer.readLE(UInt32.self, "physicsFrame.removed") }
        pushes = try (0..<buffer.readCount("physicsFrame.pushes", minElementBytes: 17)).map { _ in try PhysicsPush(from: &buffer) }
        intents = try (0..<buffer.readCount("physicsFrame.intents", minElementBytes: 18)).map { _ in try AvatarIntent(from: &buffer) }
        placements = try (0..<buffer.readCount("physicsFrame.placements", minElementBytes: 44)).map { _ in try PhysicsPlacement(from: &buffer) }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeLE(frame)
        buffer.writeFloatLE(seconds)
        if let terrain {
            buffer.writeLE(UInt8(1))
            terrain.encode(into: &buffer)
        } else {
            buffer.writeLE(UInt8(0))
        }
        buffer.writeCount(added.count)
        for body in added { body.encode(into: &buffer) }
        buffer.writeCount(removed.count)
        for id in removed { buffer.writeLE(id) }
        buffer.writeCount(pushes.count)
        for push in pushes { push.encode(into: &buffer) }
        buffer.writeCount(intents.count)
        for intent in intents { intent.encode(into: &buffer) }
        buffer.writeCount(placements.count)
        for placement in placements { placement.encode(into: &buffer) }
    }
}

/// A body entering a region's physical world.
public struct PhysicsBody: Hashable, Sendable {
    public enum Kind: UInt8, Sendable {
        /// An upright capsule moved by its avatar's intent.
        case avatar = 1
        /// A primitive: static when its mass is 0, dynamic otherwise.
        case prim = 2
    }

    static let bytes = 4 + 1 + 1 + 12 + 12 + 16 + 12 + 12 + 1

    public var id: LocalID
    public var kind: Kind
    public var shape: Shape
    /// Whole size in metres (an avatar's capsule: diameter, diameter, height).
    public var scale: Vector3
    public var position: Vector3
    public var rotation: Quaternion
    public var velocity: Vector3
    /// Kilograms; 0 makes a static body.
    public var mass: Float
    public var friction: Float
    public var restitution: Float
    /// Its collision starts and ends come back in `PhysicsResult.contacts`.
    public var reportsContacts: Bool

    public init(
        id: LocalID, kind: Kind, shape: Shape, scale: Vector3, position: Vector3, rotation: Quaternion = .identity, velocity: Vector3 = .zero,
        mass: Float, friction: Float = 0.5, restitution: Float = 0, reportsContacts: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.shape = shape
        self.scale = scale
        self.position = position
        self.rotation = rotation
        self.velocity = velocity
        self.mass = mass
        self.friction = friction
        self.restitution = restitution
        self.reportsContacts = reportsContacts
    }

    init(from buffer: inout ByteBuffer) throws {
        id = try buffer.readLE(UInt32.self, "body.id")
        kind = try buffer.readEnum(Kind.self, "body.kind")
        shape = try buffer.readEnum(Shape.self, "body.shape")
        scale = try buffer.readVector("body.scale")
        position = try buffer.readVector("body.position")
        rotation = try buffer.readQuaternion("body.rotation")
        velocity = try buffer.readVector("body.velocity")
        let material = try buffer.readVector("body.material")
        (mass, friction, restitution) = (material.x, material.y, material.z)
        switch try buffer.readLE(UInt8.self, "body.reportsContacts") {
        case 0: reportsContacts = false
        case 1: reportsContacts = true
        case let other: throw CodecError.invalidValue(field: "body.reportsContacts", reason: "expected 0 or 1, got \(other)")
        }
        guard scale.isFinite, position.isFinite, rotation.isFinite, velocity.isFinite, material.isFinite else {
            throw CodecError.invalidValue(field: "body", reason: "body \(id) has a number that is not finite")
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(id)
        buffer.writeLE(kind.rawValue)
        buffer.writeLE(shape.rawValue)
        buffer.writeVector(scale)
        buffer.writeVector(position)
        buffer.writeQuaternion(rotation)
        buffer.writeVector(velocity)
        buffer.writeVector(Vector3(mass, friction, restitution))
        buffer.writeLE(UInt8(reportsContacts ? 1 : 0))
    }
}

/// An impulse (N·s, applied once) or a force (N, applied over this frame) on a body's centre.
public struct PhysicsPush: Hashable, Sendable {
    public enum Kind: UInt8, Sendable {
        case impulse = 1
        case force = 2
    }

    public var id: LocalID
    public var kind: Kind
    public var vector: Vector3

    public init(id: LocalID, kind: Kind = .impulse, vector: Vector3) {
        self.id = id
        self.kind = kind
        self.vector = vector
    }

    init(from buffer: inout ByteBuffer) throws {
        id = try buffer.readLE(UInt32.self, "push.id")
        kind = try buffer.readEnum(Kind.self, "push.kind")
        vector = try buffer.readVector("push.vector")
        guard vector.isFinite else { throw CodecError.invalidValue(field: "push.vector", reason: "not finite") }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(id)
        buffer.writeLE(kind.rawValue)
        buffer.writeVector(vector)
    }
}

/// What an avatar wants: a velocity over the ground (x, y; and z while flying), whether it
/// flies (no gravity), and whether it jumps (once, when standing on something).
public struct AvatarIntent: Hashable, Sendable {
    public var id: LocalID
    public var velocity: Vector3
    public var flying: Bool
    public var jump: Bool

    public init(id: LocalID, velocity: Vector3, flying: Bool = false, jump: Bool = false) {
        self.id = id
        self.velocity = velocity
        self.flying = flying
        self.jump = jump
    }

    init(from buffer: inout ByteBuffer) throws {
        id = try buffer.readLE(UInt32.self, "intent.id")
        velocity = try buffer.readVector("intent.velocity")
        let flags = try buffer.readLE(UInt8.self, "intent.flags")
        guard flags & ~3 == 0 else { throw CodecError.invalidValue(field: "intent.flags", reason: "unknown bits in \(flags)") }
        flying = flags & 1 != 0
        jump = flags & 2 != 0
        _ = try buffer.readLE(UInt8.self, "intent.reserved")
        guard velocity.isFinite else { throw CodecError.invalidValue(field: "intent.velocity", reason: "not finite") }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(id)
        buffer.writeVector(velocity)
        buffer.writeLE(UInt8((flying ? 1 : 0) | (jump ? 2 : 0)))
        buffer.writeLE(UInt8(0))
    }
}

/// A body put at a place at once, with a velocity.
public struct PhysicsPlacement: Hashable, Sendable {
    public var id: LocalID
    public var position: Vector3
    public var rotation: Quaternion
    public var velocity: Vector3

    public init(id: LocalID, position: Vector3, rotation: Quaternion, velocity: Vector3) {
        self.id = id
        self.position = position
        self.rotation = rotation
        self.velocity = velocity
    }

    init(from buffer: inout ByteBuffer) throws {
        id = try buffer.readLE(UInt32.self, "placement.id")
        position = try buffer.readVector("placement.position")
        rotation = try buffer.readQuaternion("placement.rotation")
        velocity = try buffer.readVector("placement.velocity")
        guard position.isFinite, rotation.isFinite, velocity.isFinite else {
            throw CodecError.invalidValue(field: "placement", reason: "placement of \(id) has a number that is not finite")
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(id)
        buffer.writeVector(position)
        buffer.writeQuaternion(rotation)
        buffer.writeVector(velocity)
    }
}

extension Terrain {
    init(from buffer: inout ByteBuffer) throws {
        let base = try buffer.readFloatLE("terrain.base")
        let count = Int(try buffer.readLE(UInt8.self, "terrain.hills"))
        guard count <= Terrain.maxHills else {
            throw CodecError.invalidValue(field: "terrain.hills", reason: "\(count) hills (at most \(Terrain.maxHills))")
        }
        let hills = try (0..<count).map { _ in
            let values = try buffer.readQuaternion("terrain.hill")
            return Hill(x: values.x, y: values.y, radius: values.z, height: values.w)
        }
        self.init(base: base, hills: hills)
        if let problem { throw CodecError.invalidValue(field: "terrain", reason: problem) }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeFloatLE(base)
        buffer.writeLE(UInt8(hills.count))
        for hill in hills { buffer.writeQuaternion(Quaternion(x: hill.x, y: hill.y, z: hill.radius, w: hill.height)) }
    }
}
