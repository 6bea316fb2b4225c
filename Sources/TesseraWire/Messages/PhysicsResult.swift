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
        bodies = try PhysicsBodyState.readArray(from: &buffer, count: buffer.readCount("physicsResult.bodies", minElementBytes: PhysicsBodyState.bytes))
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
        PhysicsBodyState.writeArray(bodies, into: &buffer)
        buffer.writeCount(contacts.count)
        for contact in contacts {
            buffer.writeLE(contact.body)
            buffer.writeLE(contact.other)
            buffer.writeLE(UInt8(contact.started ? 1 : 0))
        }
        buffer.writeCount(refused.count)
        for refusal in refused {
            buffer.writeLE(refusal.id)
            var reason = Substring(refusal.reason)
            while reason.utf8.count > 255 { reason = reason.dropLast() }
            buffer.writeText(String(reason))
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

    /// Every state in one pass over raw bytes: an answer carries thousands of them, and field by
    /// field writes cost more than the step's reading of them (the bytes are the same).
    static func writeArray(_ states: [PhysicsBodyState], into buffer: inout ByteBuffer) {
        guard !states.isEmpty else { return }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: states.count * bytes) { raw in
            var offset = 0
            func float(_ value: Float) {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: offset, as: UInt32.self)
                offset += 4
            }
            for state in states {
                raw.storeBytes(of: state.id.littleEndian, toByteOffset: offset, as: UInt32.self)
                offset += 4
                float(state.position.x); float(state.position.y); float(state.position.z)
                float(state.rotation.x); float(state.rotation.y); float(state.rotation.z); float(state.rotation.w)
                float(state.velocity.x); float(state.velocity.y); float(state.velocity.z)
            }
            return offset
        }
    }

    static func readArray(from buffer: inout ByteBuffer, count: Int) throws -> [PhysicsBodyState] {
        guard count > 0 else { return [] }
        guard buffer.readableBytes >= count * bytes else { throw CodecError.truncated(field: "state.id") }
        var states: [PhysicsBodyState] = []
        states.reserveCapacity(count)
        var bad: LocalID?
        buffer.readWithUnsafeReadableBytes { raw in
            var offset = 0
            func float() -> Float {
                defer { offset += 4 }
                return Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            }
            for _ in 0..<count {
                let id = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                offset += 4
                let state = PhysicsBodyState(
                    id: id, position: Vector3(float(), float(), float()), rotation: Quaternion(x: float(), y: float(), z: float(), w: float()),
                    velocity: Vector3(float(), float(), float()))
                if bad == nil, !(state.position.isFinite && state.rotation.isFinite && state.velocity.isFinite) { bad = id }
                states.append(state)
            }
            return offset
        }
        if let bad { throw CodecError.invalidValue(field: "state", reason: "state of \(bad) has a number that is not finite") }
        return states
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
