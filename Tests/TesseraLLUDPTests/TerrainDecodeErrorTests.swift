import Testing
import TesseraWorld
@testable import TesseraLLUDP

@Suite struct TerrainDecodeErrorTests {
    static let flatBlobs = SLTerrainPatches.layerData(heights: SLTerrainPatches.heights(from: .flat(20)))

    @Test func missingAndRepeatedPatchesAreNamed() {
        #expect(throws: SLTerrainError.missingPatches(count: 256 - 113)) { try SLTerrainPatches.decode([Self.flatBlobs[0]]) }
        #expect(throws: SLTerrainError.missingPatches(count: 256)) { try SLTerrainPatches.decode([]) }
        #expect(throws: SLTerrainError.duplicatePatch(blob: 1, x: 0, y: 0)) {
            try SLTerrainPatches.decode([Self.flatBlobs[0], Self.flatBlobs[0]])
        }
    }

    @Test func headersOtherThanLandAreRefused() {
        var wind = Self.flatBlobs[0]
        wind[3] = 0x37
        #expect(throws: SLTerrainError.unexpectedGroupHeader(blob: 0, stride: 264, patchSize: 16, layerType: 0x37)) {
            try SLTerrainPatches.decode([wind])
        }
        #expect(throws: SLTerrainError.truncated(blob: 0, what: "group header")) { try SLTerrainPatches.decode([[0x08, 0x01]]) }
        #expect(throws: SLTerrainError.truncated(blob: 0, what: "patch header")) { try SLTerrainPatches.decode([[0x08, 0x01, 0x10, 0x4C]]) }
    }

    @Test func cutBlobsAndTrailingBytesAreRefused() {
        let blob = Self.flatBlobs[2]
        #expect(throws: SLTerrainError.self) { try SLTerrainPatches.decode([Self.flatBlobs[0], Self.flatBlobs[1], Array(blob.dropLast())]) }
        #expect(throws: SLTerrainError.trailingData(blob: 2)) {
            try SLTerrainPatches.decode([Self.flatBlobs[0], Self.flatBlobs[1], blob + [0]])
        }
    }

    @Test func patchIDsOutsideTheRegionAreRefused() {
        // Patch id 0x3FF: x = 31, y = 31. The id's low byte is byte 11, its high bits lead byte 12.
        var blob = Self.flatBlobs[0]
        blob[11] = 0xFF
        blob[12] |= 0xC0
        #expect(throws: SLTerrainError.patchOutsideRegion(blob: 0, x: 31, y: 31)) { try SLTerrainPatches.decode([blob]) }
    }

    @Test func aNonFiniteOffsetIsRefused() {
        var blob = Self.flatBlobs[0]
        blob.replaceSubrange(5..<9, with: [0x00, 0x00, 0xC0, 0x7F])  // NaN
        #expect(throws: SLTerrainError.badOffset(blob: 0, x: 0, y: 0)) { try SLTerrainPatches.decode([blob]) }
    }

    /// Random bytes never decode to land: 10,000 seeded blobs of 0 to 64 bytes, and as many
    /// with a valid group header in front of the random bytes. Neither ever traps.
    @Test func randomBytesAreRefused() {
        var random = SplitMix64(seed: 0x7E11A1)
        var refused = 0
        for iteration in 0..<10_000 {
            let length = Int.random(in: 0...64, using: &random)
            var garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            if iteration % 2 == 1 { garbage = [0x08, 0x01, 0x10, 0x4C] + garbage }
            do {
                _ = try SLTerrainPatches.decode([garbage])
            } catch {
                refused += 1
            }
        }
        #expect(refused == 10_000)
    }

    /// Valid blobs with random bytes changed, or cut short, are either refused or give 256×256
    /// finite heights; they never trap. (The last flat blob, 30 patches, keeps each decode short.)
    @Test func mutatedBlobsNeverTrap() {
        var random = SplitMix64(seed: 0xB10B)
        var refused = 0
        for _ in 0..<1_000 {
            var blobs = Self.flatBlobs
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<blobs[2].count, using: &random)
                blobs[2][index] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) { blobs[2] = Array(blobs[2].prefix(Int.random(in: 0...blobs[2].count, using: &random))) }
            do {
                let heights = try SLTerrainPatches.decode(blobs)
                #expect(heights.count == 256 * 256 && heights.allSatisfy(\.isFinite))
            } catch {
                refused += 1
            }
        }
        print("SLTerrainPatches: \(refused) of 1000 mutated blob sets refused")
    }
}
