import TesseraWorld

/// A region's land as the Data of LayerData messages of layer type 'L', in the patch encoding
/// Second Life viewers decode (docs/sl-protocol.md, "Terrain (LayerData)").
public enum SLTerrainPatches {
    /// LayerID.Type of land.
    public static let landLayerType: UInt8 = 0x4C
    /// The group header's stride (viewers replace it with their own grid width).
    public static let stride: UInt16 = 264
    public static let patchSize: UInt8 = 16
    public static let patchesPerSide = 16
    /// Height samples per side of a region: 256, one per metre.
    public static let side = 256
    /// The patch header byte that ends a group of patches.
    public static let endOfPatches: UInt8 = 97
    /// The most bytes of Data in one LayerData message, so a datagram stays under the MTU.
    public static let maxBlobBytes = 1100
    /// The most a decoded height differs from the height sent, for land within `heightLimit`.
    public static let tolerance: Float = 0.05
    /// Heights are clamped to ±this (non-finite ones become 0), so a patch's span fits the
    /// 16-bit range of its header.
    public static let heightLimit: Float = 30000

    /// The 256×256 heights of a terrain (row-major, x fastest): its 257×257 samples without
    /// the last row and column, which belong to the neighbours' patches.
    public static func heights(from terrain: Terrain) -> [Float] {
        let samples = terrain.samples(), full = Terrain.samplesPerSide
        var heights: [Float] = []
        heights.reserveCapacity(side * side)
        for row in 0..<side { heights.append(contentsOf: samples[(row * full)..<(row * full + side)]) }
        return heights
    }

    /// The Data blobs of the LayerData messages that carry `heights` (256×256, row-major, x
    /// fastest), each at most `maxBlobBytes`, every patch in exactly one of them.
    public static func layerData(heights: [Float]) -> [[UInt8]] {
        precondition(heights.count == side * side, "layerData needs 256×256 heights, got \(heights.count)")
        var blobs: [[UInt8]] = []
        var group = groupHeader()
        var patchesInGroup = 0
        let headerBits = group.bitCount, endBits = 8
        for patchY in 0..<patchesPerSide {
            for patchX in 0..<patchesPerSide {
                var bits = TerrainBitWriter()
                PatchCompressor.compress(samples(of: heights, x: patchX, y: patchY), x: patchX, y: patchY, tolerance: tolerance)
                    .encode(into: &bits)
                if patchesInGroup > 0, (group.bitCount + bits.bitCount + endBits + 7) / 8 > maxBlobBytes {
                    blobs.append(finish(group))
                    group = groupHeader()
                    patchesInGroup = 0
                }
                group.append(bits)
                patchesInGroup += 1
            }
        }
        assert(headerBits + endBits < maxBlobBytes * 8)
        blobs.append(finish(group))
        return blobs
    }

    /// The 256×256 heights (row-major, x fastest) that the blobs of LayerData land messages
    /// give, as a viewer computes them. Every patch must come exactly once.
    public static func decode(_ blobs: [[UInt8]]) throws(SLTerrainError) -> [Float] {
        let patches = try self.patches(in: blobs)
        guard patches.count == patchesPerSide * patchesPerSide else {
            throw .missingPatches(count: patchesPerSide * patchesPerSide - patches.count)
        }
        var heights = [Float](repeating: 0, count: side * side)
        let size = Int(patchSize)
        for patch in patches {
            let values = patch.heights()
            guard values.allSatisfy(\.isFinite) else { throw .heightsNotFinite(x: patch.x, y: patch.y) }
            for row in 0..<size {
                let start = (patch.y * size + row) * side + patch.x * size
                heights.replaceSubrange(start..<(start + size), with: values[(row * size)..<(row * size + size)])
            }
        }
        return heights
    }

    /// Every patch of the blobs, in order; a patch sent twice is an error, a missing one is not.
    static func patches(in blobs: [[UInt8]]) throws(SLTerrainError) -> [TerrainPatch] {
        var patches: [TerrainPatch] = []
        var seen = Set<Int>()
        for (blobIndex, blob) in blobs.enumerated() {
            var reader = TerrainBitReader(blob)
            guard let stride = reader.read(bits: 16), let size = reader.read(bits: 8), let type = reader.read(bits: 8) else {
                throw .truncated(blob: blobIndex, what: "group header")
            }
            guard stride == self.stride, size == patchSize, type == landLayerType else {
                throw .unexpectedGroupHeader(
                    blob: blobIndex, stride: UInt16(stride), patchSize: UInt8(size), layerType: UInt8(type))
            }
            while true {
                guard let quantWordBits = reader.read(bits: 8) else { throw .truncated(blob: blobIndex, what: "patch header") }
                if quantWordBits == endOfPatches { break }
                let patch = try TerrainPatch.decode(from: &reader, quantWordBits: UInt8(quantWordBits), blob: blobIndex)
                guard seen.insert(patch.y * patchesPerSide + patch.x).inserted else {
                    throw .duplicatePatch(blob: blobIndex, x: patch.x, y: patch.y)
                }
                patches.append(patch)
            }
            // Only the zero bits that pad the last byte may follow.
            guard reader.remainingBits < 8, reader.read(bits: reader.remainingBits) == 0 else {
                throw .trailingData(blob: blobIndex)
            }
        }
        return patches
    }

    private static func groupHeader() -> TerrainBitWriter {
        var writer = TerrainBitWriter()
        writer.write(UInt32(stride), bits: 16)
        writer.write(UInt32(patchSize), bits: 8)
        writer.write(UInt32(landLayerType), bits: 8)
        return writer
    }

    private static func finish(_ group: TerrainBitWriter) -> [UInt8] {
        var group = group
        group.write(UInt32(endOfPatches), bits: 8)
        return group.flushed
    }

    /// A patch's 256 heights, row-major, finite and clamped to ±`heightLimit`.
    private static func samples(of heights: [Float], x: Int, y: Int) -> [Float] {
        let size = Int(patchSize)
        var samples: [Float] = []
        samples.reserveCapacity(size * size)
        for row in 0..<size {
            let start = (y * size + row) * side + x * size
            for height in heights[start..<(start + size)] {
                samples.append(height.isFinite ? min(max(height, -heightLimit), heightLimit) : 0)
            }
        }
        return samples
    }
}
