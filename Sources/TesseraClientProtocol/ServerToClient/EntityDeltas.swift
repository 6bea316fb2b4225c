import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// One entry of `EntityDeltas` (0x90, protocol 7): what changed of one entity, coded against
/// the state this client holds (docs/client-protocol.md, "0x90 EntityDeltas"). Positions move
/// in steps of 1/128 m against the packed integers the client holds; a rotation about +z alone
/// is sent as a 16-bit yaw; a slow velocity in 1/16 m/s bytes.
public struct EntityDelta: Hashable, Sendable {
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// dx and dy follow (zigzag varints, units of 16 packed x/y steps).
        public static let deltaXY = Flags(rawValue: 0x01)
        /// dz follows (zigzag varint, units of 32 packed z steps).
        public static let deltaZ = Flags(rawValue: 0x02)
        /// An absolute `PackedPosition` follows.
        public static let position = Flags(rawValue: 0x04)
        /// A u16 yaw follows: the rotation is about +z alone.
        public static let yaw = Flags(rawValue: 0x08)
        /// A `PackedRotation` follows.
        public static let rotation = Flags(rawValue: 0x10)
        /// Three i8 follow: the velocity in 1/16 m/s.
        public static let shortVelocity = Flags(rawValue: 0x20)
        /// A `PackedVelocity` follows (cm/s).
        public static let velocity = Flags(rawValue: 0x40)
    }

    /// Packed x/y steps per unit of dx and dy (16 · 1/2048 m = 1/128 m).
    public static let horizontalUnit: Int64 = 16
    /// Packed z steps per unit of dz (32 · 1/4096 m = 1/128 m).
    public static let verticalUnit: Int64 = 32
    /// The largest |dx|, |dy|, |dz| the server sends (a two-byte zigzag varint); a larger move
    /// goes as an absolute position.
    public static let maxDelta: Int32 = 8191
    /// Centimetres per second in one unit of the short velocity (1/16 m/s).
    public static let shortVelocityUnit: Float = 6.25

    public var localID: LocalID
    public var flags: Flags
    public var dx: Int32
    public var dy: Int32
    public var dz: Int32
    public var position: PackedPosition?
    public var yaw: UInt16?
    public var rotation: PackedRotation?
    public var shortVelocity: SIMD3<Int8>?
    public var velocity: PackedVelocity?
    /// Server side: what the server records as sent (`recorded`); not part of the wire form.
    private var record: EntityMotion?

    /// An entry as it travels; `flags` is derived from the fields given (dx and dy together).
    public init(
        localID: LocalID, dx: Int32 = 0, dy: Int32 = 0, dz: Int32 = 0, position: PackedPosition? = nil, yaw: UInt16? = nil,
        rotation: PackedRotation? = nil, shortVelocity: SIMD3<Int8>? = nil, velocity: PackedVelocity? = nil
    ) {
        self.localID = localID
        self.dx = dx
        self.dy = dy
        self.dz = dz
        self.position = position
        self.yaw = yaw
        self.rotation = rotation
        self.shortVelocity = shortVelocity
        self.velocity = velocity
        var flags: Flags = []
        if dx != 0 || dy != 0 { flags.insert(.deltaXY) }
        if dz != 0 { flags.insert(.deltaZ) }
        if position != nil { flags.insert(.position) }
        if yaw != nil { flags.insert(.yaw) }
        if rotation != nil { flags.insert(.rotation) }
        if shortVelocity != nil { flags.insert(.shortVelocity) }
        if velocity != nil { flags.insert(.velocity) }
        self.flags = flags
    }

    /// Server side: the entry that brings a client holding `held` (the server's record of what
    /// it sent: `recorded` of the previous entry, or the motion of `EntityEnter`) to `target`;
    /// nil when nothing would change. See the rules in docs/client-protocol.md, "0x90 EntityDeltas".
    public init?(localID: LocalID, held: EntityMotion, target: EntityMotion) {
        if held == target { return nil }
        self.init(localID: localID)
        var recorded = held

        if held.position != target.position {
            let heldSteps = Self.steps(held.position)
            let targetSteps = Self.steps(target.position)
            let dx = Self.units(targetSteps.x - heldSteps.x, per: Self.horizontalUnit)
            let dy = Self.units(targetSteps.y - heldSteps.y, per: Self.horizontalUnit)
            let dz = Self.units(targetSteps.z - heldSteps.z, per: Self.verticalUnit)
            if dx != 0 || dy != 0 || dz != 0 {
                let x = heldSteps.x + dx * Self.horizontalUnit
                let y = heldSteps.y + dy * Self.horizontalUnit
                let z = heldSteps.z + dz * Self.verticalUnit
                let limit = Int64(Self.maxDelta)
                if abs(dx) <= limit, abs(dy) <= limit, abs(dz) <= limit, Self.inRange(x: x, y: y, z: z) {
                    self.dx = Int32(dx)
                    self.dy = Int32(dy)
                    self.dz = Int32(dz)
                    if dx != 0 || dy != 0 { flags.insert(.deltaXY) }
                    if dz != 0 { flags.insert(.deltaZ) }
                    recorded.position = PackedPosition(rawValue: UInt64(x) | UInt64(y) << 20 | UInt64(z) << 40)
                } else {
                    position = target.position
                    flags.insert(.position)
                    recorded.position = target.position
                }
            }
        }

        if held.rotation != target.rotation {
            if let yaw = Self.yaw(of: target.rotation) {
                self.yaw = yaw
                flags.insert(.yaw)
            } else {
                rotation = target.rotation
                flags.insert(.rotation)
            }
            recorded.rotation = target.rotation
        }

        if held.velocity != target.velocity {
            let short = Self.shortVelocity(target.velocity)
            if let short, short == Self.shortVelocity(held.velocity) {
                // The client holds the short form it was sent, which is also the new
                // velocity's: it is within 3.125 cm/s per axis already. A velocity that
                // jitters by a few cm/s from frame to frame costs nothing.
            } else if let short {
                shortVelocity = short
                flags.insert(.shortVelocity)
            } else {
                velocity = target.velocity
                flags.insert(.velocity)
            }
            recorded.velocity = target.velocity
        }

        if flags.isEmpty { return nil }
        record = recorded
    }

    /// Server side: the motion the server records as sent to this client once the entry is
    /// sent: the position the client now holds, the target rotation and velocity last sent (an
    /// entry decoded from the wire has no record and gives the all-zero motion).
    public var recorded: EntityMotion {
        record ?? EntityMotion(position: PackedPosition(rawValue: 0), rotation: PackedRotation(rawValue: 0), velocity: .zero)
    }

    /// Encoded size of flags and fields (without the idGap).
    public var bodySize: Int {
        var size = 1
        if flags.contains(.deltaXY) { size += Self.varintSize(Self.zigzag(dx)) + Self.varintSize(Self.zigzag(dy)) }
        if flags.contains(.deltaZ) { size += Self.varintSize(Self.zigzag(dz)) }
        if flags.contains(.position) { size += 8 }
        if flags.contains(.yaw) { size += 2 }
        if flags.contains(.rotation) { size += 4 }
        if flags.contains(.shortVelocity) { size += 3 }
        if flags.contains(.velocity) { size += 6 }
        return size
    }

    public static func == (lhs: EntityDelta, rhs: EntityDelta) -> Bool {
        lhs.localID == rhs.localID && lhs.flags == rhs.flags && lhs.dx == rhs.dx && lhs.dy == rhs.dy && lhs.dz == rhs.dz
            && lhs.position == rhs.position && lhs.yaw == rhs.yaw && lhs.rotation == rhs.rotation
            && lhs.shortVelocity == rhs.shortVelocity && lhs.velocity == rhs.velocity
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(localID)
        hasher.combine(flags)
        hasher.combine(dx)
        hasher.combine(dy)
        hasher.combine(dz)
        hasher.combine(position)
        hasher.combine(yaw)
        hasher.combine(rotation)
        hasher.combine(shortVelocity)
        hasher.combine(velocity)
    }

    // MARK: - Server rules

    /// The packed integers X, Y, Z of a position.
    public static func steps(_ position: PackedPosition) -> (x: Int64, y: Int64, z: Int64) {
        (Int64(position.rawValue & 0xF_FFFF), Int64(position.rawValue >> 20 & 0xF_FFFF), Int64(position.rawValue >> 40))
    }

    static func inRange(x: Int64, y: Int64, z: Int64) -> Bool {
        (0..<(1 << 20)).contains(x) && (0..<(1 << 20)).contains(y) && (0..<(1 << 24)).contains(z)
    }

    /// `difference / unit` rounded to nearest with halves toward zero, so that an entity at
    /// rest, once within half a unit of the target, is never sent a step back and forth.
    static func units(_ difference: Int64, per unit: Int64) -> Int64 {
        let whole = difference / unit
        let rest = difference - whole * unit
        if 2 * rest > unit { return whole + 1 }
        if 2 * rest < -unit { return whole - 1 }
        return whole
    }

    /// The yaw form of a packed rotation that is a turn about +z alone: the dropped component
    /// is z or w and the x and y steps are 511 (exactly 0). The yaw is the heading of the
    /// decoded quaternion, 2·atan2(z, w), as a u16 fraction of a turn (like `Move.heading`).
    public static func yaw(of rotation: PackedRotation) -> UInt16? {
        let raw = rotation.rawValue
        guard raw >> 30 >= 2, raw >> 20 & 0x3FF == 511, raw >> 10 & 0x3FF == 511 else { return nil }
        let q = rotation.rotation
        let turns = 2 * Foundation.atan2(Double(q.z), Double(q.w)) / (2 * Double.pi)
        let fraction = turns - turns.rounded(.down)
        return UInt16(truncatingIfNeeded: Int((fraction * 65536).rounded()))
    }

    /// The rotation a client holds after a yaw: (0, 0, sin(a/2), cos(a/2)), a = yaw/65536·2π.
    public static func rotation(yaw: UInt16) -> Quaternion {
        let half = Double(yaw) / 65536 * Double.pi
        return Quaternion(x: 0, y: 0, z: Float(Foundation.sin(half)), w: Float(Foundation.cos(half)))
    }

    /// The short form of a velocity: each component's round(v_cm / 6.25) when every one is
    /// within ±127, else nil. (4·v_cm/25 is never exactly halfway, so no tie rule is needed.)
    public static func shortVelocity(_ velocity: PackedVelocity) -> SIMD3<Int8>? {
        func unit(_ cm: Int16) -> Int8? {
            let scaled = 8 * Int(cm)  // 2 · 4·cm, so that round(4·cm/25) = floor((8·cm + 25) / 50)
            let rounded = scaled >= 0 ? (scaled + 25) / 50 : -((-scaled + 25) / 50)
            return (-127...127).contains(rounded) ? Int8(rounded) : nil
        }
        guard let x = unit(velocity.x), let y = unit(velocity.y), let z = unit(velocity.z) else { return nil }
        return SIMD3(x, y, z)
    }

    /// The velocity a client holds after a short velocity, in m/s.
    public static func velocity(short: SIMD3<Int8>) -> Vector3 {
        Vector3(Float(short.x), Float(short.y), Float(short.z)) / 16
    }

    // MARK: - Varints

    static func zigzag(_ value: Int32) -> UInt32 {
        UInt32(bitPattern: (value << 1) ^ (value >> 31))
    }

    static func unzigzag(_ value: UInt32) -> Int32 {
        Int32(bitPattern: value >> 1) ^ -Int32(bitPattern: value & 1)
    }

    static func varintSize(_ value: UInt32) -> Int {
        value < 1 << 7 ? 1 : value < 1 << 14 ? 2 : value < 1 << 21 ? 3 : value < 1 << 28 ? 4 : 5
    }

    static func writeVarint(_ value: UInt32, into buffer: inout ByteBuffer) {
        var rest = value
        while rest >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        buffer.writeInteger(UInt8(rest))
    }

    /// An unsigned LEB128 varint of at most 5 bytes whose value fits in 32 bits.
    static func readVarint(_ buffer: inout ByteBuffer, _ field: String) throws -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<5 {
            guard let byte = buffer.readInteger(as: UInt8.self) else { throw CodecError.truncated(field: field) }
            if index == 4 {
                guard byte & 0x80 == 0 else {
                    throw CodecError.invalidValue(field: field, reason: "varint longer than 5 bytes")
                }
                guard byte <= 0x0F else {
                    throw CodecError.invalidValue(field: field, reason: "varint value needs more than 32 bits")
                }
            }
            value |= UInt32(byte & 0x7F) << UInt32(7 * index)
            if byte & 0x80 == 0 { return value }
        }
        return value
    }

    // MARK: - Wire form

    /// Writes flags, then the fields in the order of the flags' bits (the idGap before them is
    /// the caller's, who knows the previous entry).
    func encodeBody(into buffer: inout ByteBuffer) {
        buffer.writeInteger(flags.rawValue)
        if flags.contains(.deltaXY) {
            Self.writeVarint(Self.zigzag(dx), into: &buffer)
            Self.writeVarint(Self.zigzag(dy), into: &buffer)
        }
        if flags.contains(.deltaZ) { Self.writeVarint(Self.zigzag(dz), into: &buffer) }
        if let position, flags.contains(.position) { buffer.writeInteger(position.rawValue, endianness: .little) }
        if let yaw, flags.contains(.yaw) { buffer.writeInteger(yaw, endianness: .little) }
        if let rotation, flags.contains(.rotation) { buffer.writeInteger(rotation.rawValue, endianness: .little) }
        if let shortVelocity, flags.contains(.shortVelocity) {
            buffer.writeMultipleIntegers(shortVelocity.x, shortVelocity.y, shortVelocity.z)
        }
        if let velocity, flags.contains(.velocity) {
            buffer.writeMultipleIntegers(velocity.x, velocity.y, velocity.z, endianness: .little)
        }
    }

    /// Reads flags and fields of an entry whose local ID the caller has computed.
    init(localID: LocalID, body buffer: inout ByteBuffer) throws {
        self.init(localID: localID)
        let flags = Flags(rawValue: try buffer.readLE(UInt8.self, "entityDeltas.flags"))
        if let problem = Self.problem(flags) {
            throw CodecError.invalidValue(field: "entityDeltas.flags", reason: "0x\(String(flags.rawValue, radix: 16)): \(problem)")
        }
        self.flags = flags
        if flags.contains(.deltaXY) {
            dx = Self.unzigzag(try Self.readVarint(&buffer, "entityDeltas.dx"))
            dy = Self.unzigzag(try Self.readVarint(&buffer, "entityDeltas.dy"))
        }
        if flags.contains(.deltaZ) { dz = Self.unzigzag(try Self.readVarint(&buffer, "entityDeltas.dz")) }
        if flags.contains(.position) {
            position = PackedPosition(rawValue: try buffer.readLE(UInt64.self, "entityDeltas.position"))
        }
        if flags.contains(.yaw) { yaw = try buffer.readLE(UInt16.self, "entityDeltas.yaw") }
        if flags.contains(.rotation) {
            rotation = PackedRotation(rawValue: try buffer.readLE(UInt32.self, "entityDeltas.rotation"))
        }
        if flags.contains(.shortVelocity) {
            shortVelocity = SIMD3(
                try buffer.readLE(Int8.self, "entityDeltas.shortVelocity"),
                try buffer.readLE(Int8.self, "entityDeltas.shortVelocity"),
                try buffer.readLE(Int8.self, "entityDeltas.shortVelocity")
            )
        }
        if flags.contains(.velocity) {
            velocity = PackedVelocity(
                x: try buffer.readLE(Int16.self, "entityDeltas.velocity"),
                y: try buffer.readLE(Int16.self, "entityDeltas.velocity"),
                z: try buffer.readLE(Int16.self, "entityDeltas.velocity")
            )
        }
    }

    /// Why a flags byte is malformed, or nil when it is not.
    public static func problem(_ flags: Flags) -> String? {
        if flags.rawValue & 0x80 != 0 { return "bit 7 is set" }
        if flags.contains(.position), !flags.isDisjoint(with: [.deltaXY, .deltaZ]) {
            return "an absolute position (0x04) with a position change (0x01 or 0x02)"
        }
        if flags.contains([.yaw, .rotation]) { return "both yaw (0x08) and rotation (0x10)" }
        if flags.contains([.shortVelocity, .velocity]) { return "both short (0x20) and full (0x40) velocity" }
        return nil
    }

    // MARK: - Client side

    /// Client side: the state a client holds after applying this entry. Throws when a position
    /// change would leave the packed range (the stream is then malformed).
    public func applied(to held: HeldMotion) throws -> HeldMotion {
        var next = held
        if let position {
            next.position = position
        } else if flags.contains(.deltaXY) || flags.contains(.deltaZ) {
            let steps = Self.steps(held.position)
            let x = steps.x + Int64(dx) * Self.horizontalUnit
            let y = steps.y + Int64(dy) * Self.horizontalUnit
            let z = steps.z + Int64(dz) * Self.verticalUnit
            guard Self.inRange(x: x, y: y, z: z) else {
                throw CodecError.invalidValue(
                    field: "entityDeltas.position",
                    reason: "entity \(localID): moving (\(steps.x), \(steps.y), \(steps.z)) by (\(dx), \(dy), \(dz)) leaves the packed range"
                )
            }
            next.position = PackedPosition(rawValue: UInt64(x) | UInt64(y) << 20 | UInt64(z) << 40)
        }
        if let yaw { next.rotation = Self.rotation(yaw: yaw) }
        if let rotation { next.rotation = rotation.rotation }
        if let shortVelocity { next.velocity = Self.velocity(short: shortVelocity) }
        if let velocity { next.velocity = velocity.velocity }
        return next
    }
}

/// What a client of protocol 7 holds for an entity: the packed position integers (exactly as
/// the server counts them), and the decoded rotation and velocity.
public struct HeldMotion: Hashable, Sendable {
    public var position: PackedPosition
    public var rotation: Quaternion
    /// Metres per second.
    public var velocity: Vector3

    public init(position: PackedPosition, rotation: Quaternion, velocity: Vector3) {
        self.position = position
        self.rotation = rotation
        self.velocity = velocity
    }

    /// The state an `EntityEnter` (or an `EntityUpdate` of every field) gives.
    public init(_ motion: EntityMotion) {
        self.init(position: motion.position, rotation: motion.rotation.rotation, velocity: motion.velocity.velocity)
    }
}

/// 0x90 — protocol 7: the motion changes of a tick, one entry per entity in strictly ascending
/// local ID, each coded against what the client holds (docs/client-protocol.md, "0x90 EntityDeltas").
public struct EntityDeltas: Hashable, Sendable {
    /// In strictly ascending local ID, at most 65 535 bytes of them as one message (the server
    /// writes a tick's deltas with `writeMessages`, which splits them).
    public var entries: [EntityDelta]

    public init(entries: [EntityDelta]) {
        self.entries = entries
    }

    /// The largest body of one message.
    public static let maxBodyBytes = Int(UInt16.max)

    init(from buffer: inout ByteBuffer) throws {
        entries = []
        var reader = Reader(body: buffer)
        while let entry = try reader.next() { entries.append(entry) }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
    }

    /// Reads the entries of a 0x90 body one at a time, without collecting them (what a client
    /// that applies them at once needs; `ServerMessage.decodeFrame` collects them).
    public struct Reader {
        private var buffer: ByteBuffer
        private var previous: Int64 = -1

        /// `body`: the message's body, without the type and length header.
        public init(body: ByteBuffer) {
            buffer = body
        }

        /// The next entry, nil at the end of the body; throws when the body is malformed.
        public mutating func next() throws -> EntityDelta? {
            guard buffer.readableBytes > 0 else { return nil }
            let gap = try EntityDelta.readVarint(&buffer, "entityDeltas.idGap")
            let id = previous + 1 + Int64(gap)
            guard id <= Int64(UInt32.max) else {
                throw CodecError.invalidValue(field: "entityDeltas.idGap", reason: "local ID \(id) after \(previous) is above 2^32 − 1")
            }
            previous = id
            return try EntityDelta(localID: LocalID(id), body: &buffer)
        }
    }

    /// The body, entries as given (the caller keeps them in ascending local ID; an entry whose
    /// ID is not above the previous one is a caller's bug and is written with a gap of 0).
    func encode(into buffer: inout ByteBuffer) {
        var previous: Int64 = -1
        for entry in entries {
            let gap = max(0, Int64(entry.localID) - previous - 1)
            EntityDelta.writeVarint(UInt32(truncatingIfNeeded: gap), into: &buffer)
            entry.encodeBody(into: &buffer)
            previous = Int64(entry.localID)
        }
    }

    /// The fast path of the update tick: writes `entries` as complete 0x90 messages (header
    /// included), sorted by local ID, starting a new message when a body would pass 65 535
    /// bytes, or when an entity comes a second time (its later entry goes in a later message,
    /// so the client applies them in order). Returns the number of messages written.
    @discardableResult
    public static func writeMessages(_ entries: [EntityDelta], into buffer: inout ByteBuffer) -> Int {
        guard !entries.isEmpty else { return 0 }
        // Sorted by (local ID, position in `entries`) through plain integer keys: moving the
        // entries themselves while sorting cost more than everything else of a tick.
        var order = [UInt64]()
        order.reserveCapacity(entries.count)
        for (offset, entry) in entries.enumerated() { order.append(UInt64(entry.localID) << 32 | UInt64(offset)) }
        order.sort()
        var messages = 0
        var lengthIndex = 0
        var bodyStart = 0
        var previous: Int64 = -1
        func close(_ buffer: inout ByteBuffer) {
            buffer.setInteger(UInt16(buffer.writerIndex - bodyStart), at: lengthIndex, endianness: .little)
        }
        for key in order {
            let entry = entries[Int(truncatingIfNeeded: key & 0xFFFF_FFFF)]
            let id = Int64(entry.localID)
            let gap = UInt32(truncatingIfNeeded: id - previous - 1)
            let size = EntityDelta.varintSize(gap) + entry.bodySize
            if messages == 0 || id <= previous || buffer.writerIndex - bodyStart + size > maxBodyBytes {
                if messages > 0 { close(&buffer) }
                buffer.writeInteger(ServerMessage.TypeCode.entityDeltas.rawValue)
                lengthIndex = buffer.writerIndex
                buffer.writeInteger(UInt16(0), endianness: .little)
                bodyStart = buffer.writerIndex
                messages += 1
                previous = -1
            }
            EntityDelta.writeVarint(UInt32(truncatingIfNeeded: id - previous - 1), into: &buffer)
            entry.encodeBody(into: &buffer)
            previous = id
        }
        close(&buffer)
        return messages
    }
}
