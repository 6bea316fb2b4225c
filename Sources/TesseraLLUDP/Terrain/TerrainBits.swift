/// The bit stream of a LayerData blob, packed the way viewers unpack it (docs/sl-protocol.md,
/// "Terrain (LayerData)"): bits fill each byte from its most significant bit; a value of n bits is
/// cut into chunks of 8 starting from its least significant byte, each chunk written most
/// significant bit first, and a last chunk of fewer than 8 bits carries the low bits of its byte.
/// So a 16-bit value is its little-endian bytes as they are, and a 10-bit value is its low byte
/// followed by the two low bits of its high byte.
struct TerrainBitWriter {
    private(set) var bytes: [UInt8] = []
    /// Bits of the byte being filled, in its low `pendingCount` bits.
    private var pending: UInt8 = 0
    private var pendingCount = 0

    var bitCount: Int { bytes.count * 8 + pendingCount }

    /// Writes the low `count` bits (0...32) of `value` in the chunked order above.
    mutating func write(_ value: UInt32, bits count: Int) {
        var remaining = count
        var shift: UInt32 = 0
        while remaining > 0 {
            let chunk = min(remaining, 8)
            writeMostSignificantFirst(UInt8(truncatingIfNeeded: value >> shift), bits: chunk)
            remaining -= chunk
            shift += 8
        }
    }

    mutating func write(_ value: Float) { write(value.bitPattern, bits: 32) }

    /// Appends every bit of another stream, in order.
    mutating func append(_ other: TerrainBitWriter) {
        for byte in other.bytes { writeMostSignificantFirst(byte, bits: 8) }
        writeMostSignificantFirst(other.pending, bits: other.pendingCount)
    }

    /// The bytes with the last one padded with zero bits.
    var flushed: [UInt8] {
        guard pendingCount > 0 else { return bytes }
        return bytes + [pending << (8 - pendingCount)]
    }

    /// Writes the low `count` (0...8) bits of `byte`, the highest of them first.
    private mutating func writeMostSignificantFirst(_ byte: UInt8, bits count: Int) {
        var bit = count - 1
        while bit >= 0 {
            pending = pending << 1 | (byte >> bit & 1)
            pendingCount += 1
            if pendingCount == 8 {
                bytes.append(pending)
                pending = 0
                pendingCount = 0
            }
            bit -= 1
        }
    }
}

/// Reads what `TerrainBitWriter` writes; running past the end is an error, never a trap.
struct TerrainBitReader {
    let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remainingBits: Int { bytes.count * 8 - position }

    /// Reads `count` (0...32) bits in the chunked order; nil when fewer remain.
    mutating func read(bits count: Int) -> UInt32? {
        guard count <= remainingBits else { return nil }
        var value: UInt32 = 0
        var remaining = count
        var shift: UInt32 = 0
        while remaining > 0 {
            let chunk = min(remaining, 8)
            var byte: UInt32 = 0
            for _ in 0..<chunk {
                byte = byte << 1 | UInt32(bytes[position >> 3] >> (7 - position & 7) & 1)
                position += 1
            }
            value |= byte << shift
            remaining -= chunk
            shift += 8
        }
        return value
    }

    mutating func readBit() -> Bool? { read(bits: 1).map { $0 == 1 } }
}
