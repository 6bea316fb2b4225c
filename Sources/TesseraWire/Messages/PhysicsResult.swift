import NIOCore
import TesseraCodec
import TesseraWorld

/// Physics service → region, once per `PhysicsFrame`: the bodies that moved in that frame's
/// step and the contacts that started or ended (docs/physics.md).
public struct PhysicsResult: WireMessageBody {
    public static let messageType = WireMessageType.physicsResult

    public var region: RegionHandle
    /// The `PhysicsFrame.frame` this answers.
    public var frame: UInt64
    /// Microseconds the service spent stepping the world for this frame.
    public var stepMicros: UInt32
    public var bodies: [PhysicsBodyState]
    public var contacts: [PhysicsContact]
    /// Bodies the service could not take, each with the reason; the region moves them
    /// kinematically.
    public var refused: [PhysicsRefusal]

    public init(region: RegionHandle, frame: UInt64, stepMicros: UInt32 = 0, bodies: [PhysicsBodyState] = [], contacts: [PhysicsContact] = [], refused: [PhysicsRefusal] = []) {
        self.region = region
        self.frame = frame
        self.stepMicros = stepMicros
        self.bodies = bodies
        self.contacts = contacts
        self.refused = refused
    }

    public init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "physicsResult.region"))
        frame = try buffer.readLE(UInt64.self, "physicsResult.frame")
        stepMicros = try buffer.readLE(UInt32.self, "physicsResult.stepMicros")
        bodies = try (0..<buffer.readCount("physicsResult.bodies", minElementBytes: PhysicsBodyState.bytes)).map { _ in
            try PhysicsBodyState(from: &buffer)
        }
        contacts = try (0..<buffer.readCount("physicsResult.contacts", minElementBytes: 9)).map { _ in
            let body = try buffer.readLE(UInt32.self, "contact.body")
            let other = try buffer.readLE(UInt32.self, "contact.other")
            switch try buffer.readLE(UInt8.self, "contact.started") {
            case 0: return PhysicsContact(body: body, other: other, started: false)
            case 1: return PhysicsContact(body: body, other: other, started: true)
            case let value: throw CodecError.invalidValue(field: "contact.started", reason: "expected 0 or 1, got \(value)")
            }
        }
        refused = try (0..<buffer.readCount("physicsResult.refused", minElementBytes: 5)).map { _ in
            PhysicsRefusal(id: try buffer.readLE(UInt32.self, "refused.id"), reason: try buffer.readText("refused.reason", maxBytes: 255))
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeLE(frame)
        buffer.writeLE(stepMicros)
        buffer.writeCount(bodies.count)
        for body in bodies { body.encode(into: &buffer) }
        buffer.writeCount(contacts.count)
        for contact in contacts {
            buffer.writeLE(contact.body)
            buffer.writeLE(contact.other)
            buffer.writeLE(UInt8(contact.started ? 1 : 0))
        }
        buffer.writeCount(refused.count)
        for refusal in refused {
            buffer.writeLE(refusal.id)
            buffer.writeText(String(refusal.reason.utf8.prefix(255)) ?? "")
        }
    }
}

/// Where a body is after a step.
public struct PhysicsBodyState: Hashable, Sendable {
    static let bytes = 4 + 12 + 16 + 12

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
        id = try buffer.readLE(UInt32.self, "state.id")
        position = try buffer.readVector("state.position")
        rotation = try buffer.readQuaternion("state.rotation")
        velocity = try buffer.readVector("state.velocity")
        guard position.isFinite, rotation.isFinite, velocity.isFinite else {
            throw CodecError.invalidValue(field: "state", reason: "state of \(id) has a number that is not finite")
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(id)
        buffer.writeVector(position)
        buffer.writeQuaternion(rotation)
        buffer.writeVector(velocity)
    }
}

/// A collision of a reporting body that started or ended; `other` is 0 for the terrain.
public struct PhysicsContact: Hashable, Sendable {
    public var body: LocalID
    public var other: LocalID
    public var started: Bool

    public init(body: LocalID, other: LocalID, started: Bool) {
        self.body = body
        self.other = other
        self.started = started
    }
}

public struct PhysicsRefusal: Hashable, Sendable {
    public var id: LocalID
    public var reason: String

    public init(id: LocalID, reason: String) {
        self.id = id
        self.reason = reason
    }
}
