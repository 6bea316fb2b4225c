/// One 16×16 patch as it travels in a LayerData blob: its header and its integer coefficients in
/// zig-zag order (docs/sl-protocol.md, "Terrain (LayerData)").
struct TerrainPatch: Equatable, Sendable {
    /// Patch column (x / 16) and row (y / 16), 0..<16.
    var x: Int
    var y: Int
    /// log2 of the quantization levels spanning `range`: 2...17.
    var prequant: Int
    /// Bits of each coefficient's magnitude: 2...17.
    var wordBits: Int
    /// The patch's lowest height.
    var dcOffset: Float
    /// Whole metres the normalized heights span, at least 1.
    var range: UInt16
    /// 256 coefficients in wire (zig-zag) order; the magnitudes fit in `wordBits` bits.
    var coefficients: [Int32]

    /// The header byte: prequant − 2 in the high nibble, word bits − 2 in the low one.
    var quantWordBits: UInt8 { UInt8(truncatingIfNeeded: (prequant - 2) << 4 | (wordBits - 2)) }

    /// The 10-bit patch id: x in the high five bits, y in the low five.
    var patchID: UInt32 { UInt32(x) << 5 | UInt32(y) }

    static let zeroCode: UInt32 = 0b0, endOfPatchCode: UInt32 = 0b10
    static let positiveCode: UInt32 = 0b110, negativeCode: UInt32 = 0b111

    /// Header (8 + 32 + 16 + 10 bits) then the coefficients: `0` for a zero, `10` when every
    /// remaining one is zero, `110`/`111` (positive/negative) and the magnitude in `wordBits` bits.
    func encode(into writer: inout TerrainBitWriter) {
        writer.write(UInt32(quantWordBits), bits: 8)
        writer.write(dcOffset)
        writer.write(UInt32(range), bits: 16)
        writer.write(patchID, bits: 10)
        let last = coefficients.lastIndex { $0 != 0 } ?? -1
        for index in 0..<coefficients.count {
            if index > last {
                writer.write(Self.endOfPatchCode, bits: 2)
                return
            }
            let value = coefficients[index]
            if value == 0 {
                writer.write(Self.zeroCode, bits: 1)
            } else {
                writer.write(value < 0 ? Self.negativeCode : Self.positiveCode, bits: 3)
                writer.write(value.magnitude, bits: wordBits)
            }
        }
    }

    /// Reads the rest of a patch whose header byte (not END_OF_PATCHES) has been read.
    static func decode(
        from reader: inout TerrainBitReader, quantWordBits: UInt8, blob: Int
    ) throws(SLTerrainError) -> TerrainPatch {
        guard let offsetBits = reader.read(bits: 32), let range = reader.read(bits: 16), let id = reader.read(bits: 10)
        else { throw .truncated(blob: blob, what: "patch header") }
        let x = Int(id >> 5), y = Int(id & 0x1F)
        guard x < SLTerrainPatches.patchesPerSide, y < SLTerrainPatches.patchesPerSide else {
            throw .patchOutsideRegion(blob: blob, x: x, y: y)
        }
        let offset = Float(bitPattern: offsetBits)
        guard offset.isFinite else { throw .badOffset(blob: blob, x: x, y: y) }
        let wordBits = Int(quantWordBits & 0x0F) + 2
        var coefficients = [Int32](repeating: 0, count: PatchTransform.count)
        var index = 0
        let truncated = { SLTerrainError.truncated(blob: blob, what: "patch (\(x), \(y)) coefficients") }
        while index < coefficients.count {
            guard let nonzero = reader.readBit() else { throw truncated() }
            if nonzero {
                guard let value = reader.readBit() else { throw truncated() }
                guard value else { break }  // `10`: the rest are zero
                guard let negative = reader.readBit(), let magnitude = reader.read(bits: wordBits) else { throw truncated() }
                coefficients[index] = negative ? -Int32(magnitude) : Int32(magnitude)
            }
            index += 1
        }
        return TerrainPatch(
            x: x, y: y, prequant: Int(quantWordBits >> 4) + 2, wordBits: wordBits,
            dcOffset: offset, range: UInt16(range), coefficients: coefficients)
    }

    /// The 256 heights (row-major, x fastest) a viewer computes from this patch, in single
    /// precision and in the viewer's order of operations.
    func heights() -> [Float] {
        var block = [Float](repeating: 0, count: PatchTransform.count)
        for (wireIndex, blockIndex) in PatchTransform.zigzag.enumerated() {
            block[blockIndex] = Float(coefficients[wireIndex]) * PatchTransform.step[blockIndex]
        }
        let samples = PatchTransform.inverse(block)
        let multiplier = 1 / Float(1 << prequant) * Float(range)
        let addend = multiplier * Float(1 << (prequant - 1)) + dcOffset
        return samples.map { $0 * multiplier + addend }
    }
}
