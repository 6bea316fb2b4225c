import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x84 — a delta against what the client already has: only the fields named in the mask.
public struct EntityUpdate: Hashable, Sendable {
    public struct Fields: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let position = Fields(rawValue: 1)
        public static let rotation = Fields(rawValue: 2)
        public static let velocity = Fields(rawValue: 4)
        public static let all: Fields = [.position, .rotation, .velocity]
    }

    public var localID: LocalID
    public var position: PackedPosition?
    public var rotation: PackedRotation?
    public var velocity: PackedVelocity?

    public init(localID: LocalID, position: PackedPosition? = nil, rotation: PackedRotation? = nil, velocity: PackedVelocity? = nil) {
        self.localID = localID
        self.position = position
        self.rotation = rotation
        self.velocity = velocity
    }

    /// The fields of `new` that differ from `old`; nil when nothing changed.
    public init?(localID: LocalID, from old: EntityMotion, to new: EntityMotion) {
        self.init(
            localID: localID,
            position: old.position == new.position ? nil : new.position,
            rotation: old.rotation == new.rotation ? nil : new.rotation,
            velocity: old.velocity == new.velocity ? nil : new.velocity
        )
        if fields.isEmpty { return nil }
    }

    public var fields: Fields {
        var fields: Fields = []
        if position != nil { fields.insert(.position) }
        if rotation != nil { fields.insert(.rotation) }
        if velocity != nil { fields.insert(.velocity) }
        return fields
    }

    /// Applies the delta to a known state.
    public func applied(to motion: EntityMotion) -> EntityMotion {
        EntityMotion(
            position: position ?? motion.position,
            rotation: rotation ?? motion.rotation,
            velocity: velocity ?? motion.velocity
        )
    }

    /// Applies the delta to what a client holds (`HeldMotion`).
    public func applied(to held: HeldMotion) -> HeldMotion {
        HeldMotion(
            position: position ?? held.position,
            rotation: rotation?.rotation ?? held.rotation,
            velocity: velocity?.velocity ?? held.velocity
        )
    }

    init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "entityUpdate.localID")
        let fields = Fields(rawValue: try buffer.readLE(UInt8.self, "entityUpdate.fields"))
        guard Fields.all.isSuperset(of: fields) else {
            throw CodecError.invalidValue(field: "entityUpdate.fields", reason: "unknown bits in \(fields.rawValue)")
        }
        if fields.contains(.position) {
            position = PackedPosition(rawValue: try buffer.readLE(UInt64.self, "entityUpdate.position"))
        }
        if fields.contains(.rotation) {
            rotation = PackedRotation(rawValue: try buffer.readLE(UInt32.self, "entityUpdate.rotation"))
        }
        if fields.contains(.velocity) {
            velocity = PackedVelocity(
                x: try buffer.readLE(Int16.self, "entityUpdate.velocity"),
                y: try buffer.readLE(Int16.self, "entityUpdate.velocity"),
                z: try buffer.readLE(Int16.self, "entityUpdate.velocity")
            )
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        buffer.writeLE(fields.rawValue)
        if let position { buffer.writeLE(position.rawValue) }
        if let rotation { buffer.writeLE(rotation.rawValue) }
        if let velocity {
            buffer.writeLE(velocity.x)
            buffer.writeLE(velocity.y)
            buffer.writeLE(velocity.z)
        }
    }
}
