import Foundation
import Testing
import TesseraWorld
@testable import TesseraLLUDP

@Suite struct TerrainPatchesTests {
    /// Hills of every kind the region configuration allows: broad and narrow, up and down, one
    /// over a patch corner and one reaching over the region's edge.
    static let hilly = Terrain(base: 20, hills: [
        Terrain.Hill(x: 128, y: 128, radius: 60, height: 30),
        Terrain.Hill(x: 40, y: 200, radius: 25, height: 12),
        Terrain.Hill(x: 220, y: 50, radius: 80, height: -8),
        Terrain.Hill(x: 64, y: 64, radius: 8, height: 10),
        Terrain.Hill(x: 250, y: 250, radius: 30, height: 15),
    ])

    @Test func flatLandDecodesExactly() throws {
        let heights = SLTerrainPatches.heights(from: .flat(20))
        #expect(heights.count == 256 * 256)
        let decoded = try SLTerrainPatches.decode(SLTerrainPatches.layerData(heights: heights))
        #expect(decoded.count == 256 * 256)
        #expect(decoded.allSatisfy { abs($0 - 20) <= 0.01 })
    }

    /// The group header and the first patch of flat land at 20 m, worked out by hand:
    ///
    /// - group header: stride 264 = 0x0108 as 16 bits, low byte first → `08 01`; patch size 16
    ///   → `10`; layer type 'L' → `4C`.
    /// - patch (0, 0): every height is the lowest, so the range is 1 m and the heights normalize
    ///   to −1/2. The coarsest quantization (prequant 2, 4 levels) is already exact: the only
    ///   coefficient is DC = round(1/8 · 1/2 · 256 · (−1/2) · 4) = −32, whose magnitude needs 6 bits.
    ///   Header byte: (2 − 2) << 4 | (6 − 2) = `04`; DC offset 20.0 = 0x41A00000, low byte first →
    ///   `00 00 A0 41`; range 1 → `01 00`; patch id 0 as 10 bits → `00` and the bits `00`.
    /// - coefficients: −32 is `111` (nonzero, value, negative) then `100000`; all the rest are zero:
    ///   `10`. With the id's two bits: `00 111 100` = `3C`, `000 10` and the first three bits of the
    ///   next patch's header byte `04` (`000`) = `10`.
    @Test func flatPatchBytesAreTheHandWorkedOnes() {
        let blobs = SLTerrainPatches.layerData(heights: SLTerrainPatches.heights(from: .flat(20)))
        let expected: [UInt8] = [0x08, 0x01, 0x10, 0x4C, 0x04, 0x00, 0x00, 0xA0, 0x41, 0x01, 0x00, 0x00, 0x3C, 0x10]
        #expect(Array(blobs[0].prefix(expected.count)) == expected)
    }

    /// A flat patch takes 8 + 32 + 16 + 10 + 9 + 2 = 77 bits; a blob holds 32 bits of group header,
    /// 8 of END_OF_PATCHES and at most (1100 · 8 − 40) / 77 = 113 patches: 113, 113 and 30 patches,
    /// ⌈(40 + 113 · 77) / 8⌉ = 1093 and ⌈(40 + 30 · 77) / 8⌉ = 294 bytes, each ending in
    /// END_OF_PATCHES.
    @Test func flatLandSplitsIntoThreeBlobs() throws {
        let blobs = SLTerrainPatches.layerData(heights: SLTerrainPatches.heights(from: .flat(20)))
        #expect(blobs.map(\.count) == [1093, 1093, 294])
        let patches = try SLTerrainPatches.patches(in: blobs)
        #expect(patches.count == 256)
        // 32 + 113 · 77 = 8733 bits = 1091 bytes and 5 bits come before END_OF_PATCHES: byte
        // 1091 is the last patch's final `00010` (the end of its DC `100000`, then `10`) and the
        // top three bits of 97 = 0b01100001; byte 1092 its other five bits and three zero bits.
        #expect(blobs[0][1091] == 0b00010_011 && blobs[0][1092] == 0b00001_000)
    }

    @Test func hillsDecodeWithinTheTolerance() throws {
        let heights = SLTerrainPatches.heights(from: Self.hilly)
        let decoded = try SLTerrainPatches.decode(SLTerrainPatches.layerData(heights: heights))
        let worst = zip(decoded, heights).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= SLTerrainPatches.tolerance)
        #expect(SLTerrainPatches.tolerance == 0.05)
        // The hills are really there: the top of the big one and the floor of the dip.
        #expect(abs(decoded[128 * 256 + 128] - 50) <= 0.05)
        #expect(abs(decoded[50 * 256 + 220] - 12) <= 0.05)
    }

    /// A 200 m hill of 3 m radius and a 90 m pit of 1 m (the steepest the configuration allows)
    /// cannot be followed within the tolerance: words hold 17 bits, so the finest level is
    /// about range / 2^14. Every patch then either meets the tolerance or no level that fits does.
    @Test func steepSpikesGetTheClosestFit() throws {
        let spiky = Terrain(base: 100, hills: [
            Terrain.Hill(x: 100.5, y: 100.5, radius: 3, height: 200), Terrain.Hill(x: 30, y: 30, radius: 1, height: -90),
        ])
        #expect(spiky.problem == nil)
        let heights = SLTerrainPatches.heights(from: spiky)
        let blobs = SLTerrainPatches.layerData(heights: heights)
        var missed = 0
        for patch in try SLTerrainPatches.patches(in: blobs) {
            var samples: [Float] = []
            for row in 0..<16 { samples += heights[((patch.y * 16 + row) * 256 + patch.x * 16)...].prefix(16) }
            let error = PatchCompressor.maxError(patch.heights(), samples)
            guard error > SLTerrainPatches.tolerance else { continue }
            missed += 1
            let transformed = PatchTransform.forward(samples.map { (Double($0) - Double(patch.dcOffset)) / Double(patch.range) - 0.5 })
            for level in PatchCompressor.prequantLevels {
                let fit = PatchCompressor.quantize(
                    transformed, samples: samples, low: patch.dcOffset, range: patch.range, x: patch.x, y: patch.y, prequant: level)
                #expect(fit == nil || fit!.error > SLTerrainPatches.tolerance)
            }
        }
        #expect(missed == 2)  // the hill's patch (6, 6) and the pit's (1, 1)
        #expect(try SLTerrainPatches.decode(blobs).allSatisfy(\.isFinite))
    }

    @Test func everyPatchComesExactlyOnceInBlobsUnderTheLimit() throws {
        for terrain in [Terrain.flat(20), Self.hilly] {
            let blobs = SLTerrainPatches.layerData(heights: SLTerrainPatches.heights(from: terrain))
            #expect(blobs.allSatisfy { $0.count <= SLTerrainPatches.maxBlobBytes })
            let patches = try SLTerrainPatches.patches(in: blobs)
            let ids = patches.map { $0.y * 16 + $0.x }
            #expect(ids.sorted() == Array(0..<256))
        }
    }

    @Test func patchIDsPutXInTheHighBits() throws {
        var heights = [Float](repeating: 5, count: 256 * 256)
        // Only patch x = 3, y = 1 is raised.
        for row in 16..<32 { for column in 48..<64 { heights[row * 256 + column] = 9 } }
        let blobs = SLTerrainPatches.layerData(heights: heights)
        let raised = try SLTerrainPatches.patches(in: blobs).filter { $0.dcOffset == 9 }
        #expect(raised.map(\.patchID) == [3 << 5 | 1])
        let decoded = try SLTerrainPatches.decode(blobs)
        #expect(decoded[16 * 256 + 48] == 9 && decoded[31 * 256 + 63] == 9 && decoded[15 * 256 + 48] == 5)
    }

    @Test func zigzagWalksTheAntiDiagonals() {
        let cell = { (index: Int) in "\(index % 16),\(index / 16)" }  // "v,u"
        #expect(PatchTransform.zigzag.prefix(10).map(cell) == ["0,0", "1,0", "0,1", "0,2", "1,1", "2,0", "3,0", "2,1", "1,2", "0,3"])
        #expect(PatchTransform.zigzag.suffix(3).map(cell) == ["15,14", "14,15", "15,15"])
        #expect(Set(PatchTransform.zigzag) == Set(0..<256))
    }

    @Test func theHeaderByteNeverReadsAsEndOfPatches() {
        // Prequant 8 and 3-bit words would make the header byte 0x61 = 97.
        var patch = TerrainPatch(
            x: 0, y: 0, prequant: 8, wordBits: 3, dcOffset: 0, range: 1,
            coefficients: [Int32](repeating: 0, count: 256))
        #expect(patch.quantWordBits == SLTerrainPatches.endOfPatches)
        patch.coefficients[0] = -5
        let samples = patch.heights()
        let compressed = PatchCompressor.compress(samples, x: 0, y: 0, tolerance: 1e-9)
        #expect(compressed.quantWordBits != SLTerrainPatches.endOfPatches)
    }

    @Test func bitsArePackedLikeTheViewers() {
        var writer = TerrainBitWriter()
        writer.write(0b1, bits: 1)
        writer.write(0x2AB, bits: 10)  // low byte 0xAB, then the two low bits of 0x02
        writer.write(0x1_2345, bits: 17)  // 0x45, 0x23, then the low bit of 0x01
        // 1 | 10101011 | 10 | 01000101 | 00100011 | 1 → 11010101 11001000 10100100 0111(0000)
        #expect(writer.flushed == [0xD5, 0xC8, 0xA4, 0x70])
        var reader = TerrainBitReader(writer.flushed)
        #expect(reader.read(bits: 1) == 1 && reader.read(bits: 10) == 0x2AB && reader.read(bits: 17) == 0x1_2345)
        #expect(reader.read(bits: 5) == nil)
    }

    @Test func encodingAHillyRegionIsTimed() throws {
        let heights = SLTerrainPatches.heights(from: Self.hilly)
        let clock = ContinuousClock()
        var blobs: [[UInt8]] = []
        let elapsed = clock.measure { blobs = SLTerrainPatches.layerData(heights: heights) }
        let bytes = blobs.map(\.count).reduce(0, +)
        print("SLTerrainPatches: hilly region encoded in \(elapsed) into \(blobs.count) blobs, \(bytes) bytes")
        #expect(try SLTerrainPatches.decode(blobs).count == 256 * 256)
    }
}
