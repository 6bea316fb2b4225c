import Foundation
import NIOCore
import TesseraWorld

/// Field readers and writers used by the generated codecs and the template codec: one function
/// per template type, so generated code needs no overload resolution. Numbers are little-endian
/// except IPPORT; a short body throws, naming the field.
extension ByteBuffer {
    @inline(__always)
    mutating func slInteger<T: FixedWidthInteger>(_ path: StaticString, _ endianness: Endianness = .little) throws(SLDecodeError) -> T {
        guard let value = readInteger(endianness: endianness, as: T.self) else {
            throw SLDecodeError(path: "\(path)", reason: "the body ends inside this field (\(MemoryLayout<T>.size) bytes needed, \(readableBytes) left)")
        }
        return value
    }

    mutating func slReadU8(_ path: StaticString) throws(SLDecodeError) -> UInt8 { try slInteger(path) }
    mutating func slReadU16(_ path: StaticString) throws(SLDecodeError) -> UInt16 { try slInteger(path) }
    mutating func slReadU32(_ path: StaticString) throws(SLDecodeError) -> UInt32 { try slInteger(path) }
    mutating func slReadU64(_ path: StaticString) throws(SLDecodeError) -> UInt64 { try slInteger(path) }
    mutating func slReadS8(_ path: StaticString) throws(SLDecodeError) -> Int8 { try slInteger(path) }
    mutating func slReadS16(_ path: StaticString) throws(SLDecodeError) -> Int16 { try slInteger(path) }
    mutating func slReadS32(_ path: StaticString) throws(SLDecodeError) -> Int32 { try slInteger(path) }
    mutating func slReadS64(_ path: StaticString) throws(SLDecodeError) -> Int64 { try slInteger(path) }
    mutating func slReadF32(_ path: StaticString) throws(SLDecodeError) -> Float { Float(bitPattern: try slInteger(path)) }
    mutating func slReadF64(_ path: StaticString) throws(SLDecodeError) -> Double { Double(bitPattern: try slInteger(path)) }
    mutating func slReadBool(_ path: StaticString) throws(SLDecodeError) -> Bool { try slReadU8(path) != 0 }
    mutating func slReadIPPort(_ path: StaticString) throws(SLDecodeError) -> UInt16 { try slInteger(path, .big) }

    mutating func slReadVector3(_ path: StaticString) throws(SLDecodeError) -> Vector3 {
        try slNeed(12, path)
        return Vector3(try slReadF32(path), try slReadF32(path), try slReadF32(path))
    }

    mutating func slReadVector3d(_ path: StaticString) throws(SLDecodeError) -> SIMD3<Double> {
        try slNeed(24, path)
        return SIMD3(try slReadF64(path), try slReadF64(path), try slReadF64(path))
    }

    mutating func slReadVector4(_ path: StaticString) throws(SLDecodeError) -> SIMD4<Float> {
        try slNeed(16, path)
        return SIMD4(try slReadF32(path), try slReadF32(path), try slReadF32(path), try slReadF32(path))
    }

    /// Three floats; w is recomputed (≥ 0) from the unit length.
    mutating func slReadQuaternion(_ path: StaticString) throws(SLDecodeError) -> Quaternion {
        try slNeed(12, path)
        return SLWireQuaternion.expand(x: try slReadF32(path), y: try slReadF32(path), z: try slReadF32(path))
    }

    mutating func slReadUUID(_ path: StaticString) throws(SLDecodeError) -> UUID {
        try slNeed(16, path)
        let uuid = withUnsafeReadableBytes { raw in
            UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                        raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]))
        }
        moveReaderIndex(forwardBy: 16)
        return uuid
    }

    mutating func slReadIPAddress(_ path: StaticString) throws(SLDecodeError) -> SLIPv4 {
        try slNeed(4, path)
        return SLIPv4(try slReadU8(path), try slReadU8(path), try slReadU8(path), try slReadU8(path))
    }

    mutating func slReadFixed(_ count: Int, _ path: StaticString) throws(SLDecodeError) -> [UInt8] {
        try slNeed(count, path)
        return readBytes(length: count) ?? []
    }

    /// A length of `width` bytes (1 or 2), then that many bytes.
    mutating func slReadVariable(_ width: Int, _ path: StaticString) throws(SLDecodeError) -> [UInt8] {
        let count = width == 1 ? Int(try slReadU8(path)) : Int(try slReadU16(path))
        guard let bytes = readBytes(length: count) else {
            throw SLDecodeError(path: "\(path)", reason: "the body ends inside this field (\(count) bytes announced, \(readableBytes) left)")
        }
        return bytes
    }

    /// A Variable block's count. A body that ends before it means no blocks (senders may omit
    /// trailing empty Variable blocks).
    mutating func slReadCount(_ path: StaticString) throws(SLDecodeError) -> Int {
        readableBytes == 0 ? 0 : Int(try slReadU8(path))
    }

    private func slNeed(_ count: Int, _ path: StaticString) throws(SLDecodeError) {
        guard readableBytes >= count else {
            throw SLDecodeError(path: "\(path)", reason: "the body ends inside this field (\(count) bytes needed, \(readableBytes) left)")
        }
    }

    mutating func slWriteU8(_ value: UInt8) { writeInteger(value, endianness: .little) }
    mutating func slWriteU16(_ value: UInt16) { writeInteger(value, endianness: .little) }
    mutating func slWriteU32(_ value: UInt32) { writeInteger(value, endianness: .little) }
    mutating func slWriteU64(_ value: UInt64) { writeInteger(value, endianness: .little) }
    mutating func slWriteS8(_ value: Int8) { writeInteger(value, endianness: .little) }
    mutating func slWriteS16(_ value: Int16) { writeInteger(value, endianness: .little) }
    mutating func slWriteS32(_ value: Int32) { writeInteger(value, endianness: .little) }
    mutating func slWriteS64(_ value: Int64) { writeInteger(value, endianness: .little) }
    mutating func slWriteF32(_ value: Float) { writeInteger(value.bitPattern, endianness: .little) }
    mutating func slWriteF64(_ value: Double) { writeInteger(value.bitPattern, endianness: .little) }
    mutating func slWriteBool(_ value: Bool) { writeInteger(value ? 1 : 0 as UInt8) }
    mutating func slWriteIPPort(_ value: UInt16) { writeInteger(value, endianness: .big) }

    mutating func slWriteVector3(_ value: Vector3) {
        slWriteF32(value.x)
        slWriteF32(value.y)
        slWriteF32(value.z)
    }

    mutating func slWriteVector3d(_ value: SIMD3<Double>) {
        slWriteF64(value.x)
        slWriteF64(value.y)
        slWriteF64(value.z)
    }

    mutating func slWriteVector4(_ value: SIMD4<Float>) {
        slWriteF32(value.x)
        slWriteF32(value.y)
        slWriteF32(value.z)
        slWriteF32(value.w)
    }

    mutating func slWriteQuaternion(_ value: Quaternion) {
        let wire = SLWireQuaternion.canonical(value)
        slWriteF32(wire.x)
        slWriteF32(wire.y)
        slWriteF32(wire.z)
    }

    mutating func slWriteUUID(_ value: UUID) {
        withUnsafeBytes(of: value.uuid) { _ = writeBytes($0) }
    }

    mutating func slWriteIPAddress(_ value: SLIPv4) {
        writeBytes([value.a, value.b, value.c, value.d])
    }

    /// Exactly `count` bytes: padded with zeros or cut.
    mutating func slWriteFixed(_ value: [UInt8], _ count: Int) {
        writeBytes(value.prefix(count))
        if value.count < count { writeRepeatingByte(0, count: count - value.count) }
    }

    /// The length (1 or 2 bytes wide), then the bytes, cut to 255 or 65,535.
    mutating func slWriteVariable(_ value: [UInt8], _ width: Int) {
        if width == 1 {
            let count = Swift.min(value.count, 255)
            slWriteU8(UInt8(count))
            writeBytes(value.prefix(count))
        } else {
            let count = Swift.min(value.count, 65_535)
            slWriteU16(UInt16(count))
            writeBytes(value.prefix(count))
        }
    }

    /// A Variable block's count, at most 255 (the caller writes that many blocks).
    mutating func slWriteCount(_ count: Int) {
        slWriteU8(UInt8(Swift.min(Swift.max(count, 0), 255)))
    }
}

/// Quaternions travel as x, y, z of the unit quaternion with w ≥ 0.
enum SLWireQuaternion {
    static func expand(x: Float, y: Float, z: Float) -> Quaternion {
        let rest = 1 - (x * x + y * y + z * z)
        return Quaternion(x: x, y: y, z: z, w: rest > 0 ? rest.squareRoot() : 0)
    }

    /// Unit length (unless already within 1e-4 of it, so decoded values re-encode to the same
    /// bytes) and w ≥ 0.
    static func canonical(_ value: Quaternion) -> Quaternion {
        var q = value
        if !(abs(q.lengthSquared - 1) <= 1e-4) { q = q.normalized }
        if q.w < 0 { q = Quaternion(x: -q.x, y: -q.y, z: -q.z, w: -q.w) }
        return q
    }
}

/// The event-queue (LLSD) form of each template type; see docs/sl-protocol.md.
enum SLLLSD {
    static func message(_ name: String, _ body: [String: LLSD]) -> LLSD {
        .map(["message": .string(name), "body": .map(body)])
    }

    static func u8(_ value: UInt8) -> LLSD { .integer(Int32(value)) }
    static func u16(_ value: UInt16) -> LLSD { .integer(Int32(value)) }
    static func u32(_ value: UInt32) -> LLSD { .binary(bigEndian(value)) }
    static func u64(_ value: UInt64) -> LLSD { .binary(bigEndian(value)) }
    static func s8(_ value: Int8) -> LLSD { .integer(Int32(value)) }
    static func s16(_ value: Int16) -> LLSD { .integer(Int32(value)) }
    static func s32(_ value: Int32) -> LLSD { .integer(value) }
    static func s64(_ value: Int64) -> LLSD { .binary(bigEndian(value)) }
    static func f32(_ value: Float) -> LLSD { .real(Double(value)) }
    static func f64(_ value: Double) -> LLSD { .real(value) }
    static func vector3(_ value: Vector3) -> LLSD { .array([.real(Double(value.x)), .real(Double(value.y)), .real(Double(value.z))]) }
    static func vector3d(_ value: SIMD3<Double>) -> LLSD { .array([.real(value.x), .real(value.y), .real(value.z)]) }
    static func vector4(_ value: SIMD4<Float>) -> LLSD {
        .array([.real(Double(value.x)), .real(Double(value.y)), .real(Double(value.z)), .real(Double(value.w))])
    }
    static func quaternion(_ value: Quaternion) -> LLSD {
        let wire = SLWireQuaternion.canonical(value)
        return .array([.real(Double(wire.x)), .real(Double(wire.y)), .real(Double(wire.z))])
    }
    static func uuid(_ value: UUID) -> LLSD { .uuid(value) }
    static func bool(_ value: Bool) -> LLSD { .boolean(value) }
    static func ipAddress(_ value: SLIPv4) -> LLSD { .binary(value.bytes) }
    static func ipPort(_ value: UInt16) -> LLSD { .integer(Int32(value)) }
    static func fixed(_ value: [UInt8], _ count: Int) -> LLSD {
        .binary(Array(value.prefix(count)) + Array(repeating: 0, count: Swift.max(0, count - value.count)))
    }
    static func variable(_ value: [UInt8]) -> LLSD { .string(SLText.string(value)) }

    private static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// Exactly `count` blocks, as a Multiple block travels.
    static func exactly<Block>(_ count: Int, _ blocks: [Block], _ filler: Block) -> [Block] {
        blocks.count >= count ? Array(blocks.prefix(count)) : blocks + Array(repeating: filler, count: count - blocks.count)
    }
}
