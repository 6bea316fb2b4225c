import Foundation
import NIOCore
import TesseraWorld

/// Field readers and writers shared by Tessera wire and the client protocol. All integers are
/// little-endian; strings are a u16 byte count followed by UTF-8; arrays are a u32 count.
extension ByteBuffer {
    @inlinable
    public mutating func readLE<T: FixedWidthInteger>(_: T.Type = T.self, _ field: String) throws -> T {
        guard let value = readInteger(endianness: .little, as: T.self) else {
            throw CodecError.truncated(field: field)
        }
        return value
    }

    @inlinable
    public mutating func writeLE<T: FixedWidthInteger>(_ value: T) {
        writeInteger(value, endianness: .little)
    }

    public mutating func readFloatLE(_ field: String) throws -> Float {
        let value = Float(bitPattern: try readLE(UInt32.self, field))
        guard value.isFinite else { throw CodecError.invalidValue(field: field, reason: "not a finite number") }
        return value
    }

    public mutating func writeFloatLE(_ value: Float) {
        writeLE(value.bitPattern)
    }

    public mutating func readText(_ field: String, maxBytes: Int) throws -> String {
        try readCountedText(field, count: Int(try readLE(UInt16.self, field)), maxBytes: maxBytes)
    }

    /// The `count` bytes that follow as text: at most `maxBytes` of them, valid UTF-8 without
    /// U+0000 (the rule of every text field, whatever the width of its count).
    private mutating func readCountedText(_ field: String, count: Int, maxBytes: Int) throws -> String {
        guard count <= maxBytes else {
            throw CodecError.invalidValue(field: field, reason: "\(count) bytes, at most \(maxBytes) allowed")
        }
        guard let bytes = readSlice(length: count) else { throw CodecError.truncated(field: field) }
        guard !bytes.readableBytesView.contains(0) else {
            throw CodecError.invalidValue(field: field, reason: "contains U+0000 (NUL), which no text field may hold")
        }
        guard let string = String(validating: bytes.readableBytesView, as: UTF8.self) else {
            throw CodecError.invalidValue(field: field, reason: "not valid UTF-8")
        }
        return string
    }

    /// Writes `value` cut to at most `maxBytes` bytes of UTF-8 at a character boundary: what
    /// `readText(_:maxBytes:)` with the same limit always accepts. Every field read with a
    /// limit is written with it, so an encoder never sends what its decoder refuses (a name
    /// stored under another rule must not break the link that carries it).
    public mutating func writeText(_ value: String, maxBytes: Int) {
        writeText(value.utf8.count <= maxBytes ? value : String(value.prefix(utf8Bytes: maxBytes)))
    }

    public mutating func writeText(_ value: String) {
        let utf8 = value.utf8
        precondition(utf8.count <= Int(UInt16.max), "string too long for the wire")
        writeLE(UInt16(utf8.count))
        writeBytes(utf8)
    }

    public mutating func readUUID(_ field: String) throws -> UUID {
        guard let bytes = readBytes(length: 16) else { throw CodecError.truncated(field: field) }
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }

    public mutating func writeUUID(_ value: UUID) {
        withUnsafeBytes(of: value.uuid) { _ = writeBytes($0) }
    }

    /// Reads an array count and checks that the remaining bytes could hold that many elements
    /// of at least `minElementBytes` each, so a forged count cannot make us allocate.
    public mutating func readCount(_ field: String, minElementBytes: Int) throws -> Int {
        let count = Int(try readLE(UInt32.self, field))
        guard count <= readableBytes / max(minElementBytes, 1) else {
            throw CodecError.invalidValue(field: field, reason: "count \(count) exceeds the bytes left")
        }
        return count
    }

    public mutating func writeCount(_ count: Int) {
        writeLE(UInt32(count))
    }

    public mutating func readVector(_ field: String) throws -> Vector3 {
        Vector3(try readFloatLE(field), try readFloatLE(field), try readFloatLE(field))
    }

    public mutating func writeVector(_ value: Vector3) {
        writeFloatLE(value.x)
        writeFloatLE(value.y)
        writeFloatLE(value.z)
    }

    /// A `u8` flag (0 none, 1 present), then the vector when present.
    public mutating func readOptionalVector(_ field: String) throws -> Vector3? {
        switch try readLE(UInt8.self, field + ".present") {
        case 0: return nil
        case 1: return try readVector(field)
        case let other: throw CodecError.invalidValue(field: field + ".present", reason: "expected 0 or 1, got \(other)")
        }
    }

    public mutating func writeOptionalVector(_ value: Vector3?) {
        if let value {
            writeLE(UInt8(1))
            writeVector(value)
        } else {
            writeLE(UInt8(0))
        }
    }

    public mutating func readQuaternion(_ field: String) throws -> Quaternion {
        Quaternion(
            x: try readFloatLE(field), y: try readFloatLE(field),
            z: try readFloatLE(field), w: try readFloatLE(field)
        )
    }

    public mutating func writeQuaternion(_ value: Quaternion) {
        writeFloatLE(value.x)
        writeFloatLE(value.y)
        writeFloatLE(value.z)
        writeFloatLE(value.w)
    }

    public mutating func readMotion(_ field: String) throws -> EntityMotion {
        let position = PackedPosition(rawValue: try readLE(UInt64.self, field))
        let rotation = PackedRotation(rawValue: try readLE(UInt32.self, field))
        let velocity = PackedVelocity(
            x: try readLE(Int16.self, field), y: try readLE(Int16.self, field), z: try readLE(Int16.self, field)
        )
        return EntityMotion(position: position, rotation: rotation, velocity: velocity)
    }

    public mutating func writeMotion(_ value: EntityMotion) {
        writeLE(value.position.rawValue)
        writeLE(value.rotation.rawValue)
        writeLE(value.velocity.x)
        writeLE(value.velocity.y)
        writeLE(value.velocity.z)
    }

    public mutating func readEnum<E: RawRepresentable>(_: E.Type, _ field: String) throws -> E
    where E.RawValue == UInt8 {
        let raw = try readLE(UInt8.self, field)
        guard let value = E(rawValue: raw) else {
            throw CodecError.invalidValue(field: field, reason: "unknown value \(raw)")
        }
        return value
    }
}

extension EntityMotion {
    /// Encoded size on the wire: position 8, rotation 4, velocity 6.
    public static let wireSize = 18
}

extension StringProtocol {
    /// The longest run of whole characters from the start that fits in `maxBytes` bytes of UTF-8.
    public func prefix(utf8Bytes maxBytes: Int) -> SubSequence {
        var used = 0
        var end = startIndex
        for index in indices {
            used += self[index].utf8.count
            guard used <= maxBytes else { break }
            end = self.index(after: index)
        }
        return self[..<end]
    }
}

extension ByteBuffer {
    /// Text with a u32 byte count (for texts past a u16 count, such as script sources): valid
    /// UTF-8 without U+0000, at most `maxBytes` bytes.
    public mutating func readLongText(_ field: String, maxBytes: Int) throws -> String {
        try readCountedText(field, count: Int(try readLE(UInt32.self, field)), maxBytes: maxBytes)
    }

    public mutating func writeLongText(_ text: String) {
        writeLE(UInt32(text.utf8.count))
        writeString(text)
    }

    /// Writes `value` cut to `maxBytes` at a character boundary, with a u32 count: what
    /// `readLongText(_:maxBytes:)` with the same limit always accepts.
    public mutating func writeLongText(_ value: String, maxBytes: Int) {
        writeLongText(value.utf8.count <= maxBytes ? value : String(value.prefix(utf8Bytes: maxBytes)))
    }
}
