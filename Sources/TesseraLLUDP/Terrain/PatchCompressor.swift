import Foundation

/// Chooses each patch's quantization: the coarsest that reproduces the patch within the
/// tolerance once a viewer decodes it, so gentle land costs few bits and steep land stays exact
/// enough to stand on (docs/sl-protocol.md, "Terrain (LayerData)").
enum PatchCompressor {
    static let maxWordBits = 17
    static let prequantLevels = 2...17

    /// `samples`: the patch's 256 heights, row-major, finite and spanning less than 65535 m.
    /// When even the finest level whose coefficients fit in 17-bit words misses the tolerance
    /// (a hill of a few metres' radius rising tens of metres), that finest level is used.
    static func compress(_ samples: [Float], x: Int, y: Int, tolerance: Float) -> TerrainPatch {
        let low = samples.min() ?? 0, high = samples.max() ?? 0
        let range = UInt16(max(1, (Double(high) - Double(low)).rounded(.up)))
        // Heights normalized to [-1/2, 1/2]: the decoder adds back half the range.
        let transformed = PatchTransform.forward(samples.map { (Double($0) - Double(low)) / Double(range) - 0.5 })

        func attempt(_ prequant: Int) -> (patch: TerrainPatch, error: Float)? {
            quantize(transformed, samples: samples, low: low, range: range, x: x, y: y, prequant: prequant)
        }

        // The coarsest level is exact for flat land, and its words always fit (DC at most 32).
        guard let coarsest = attempt(prequantLevels.lowerBound) else {
            return TerrainPatch(
                x: x, y: y, prequant: 2, wordBits: 2, dcOffset: low, range: range,
                coefficients: [Int32](repeating: 0, count: PatchTransform.count))
        }
        if coarsest.error <= tolerance { return coarsest.patch }
        // Each level halves the step: guess how many the tolerance needs, come down from the
        // guess to a level whose words fit, walk up until the tolerance is met (or the words no
        // longer fit), then down while it still is.
        let ratio = Double(coarsest.error) / max(Double(tolerance), 1e-6)
        let halvings = ratio > 1 ? Int(min(log2(ratio).rounded(.up), 16)) : 1
        var level = min(prequantLevels.lowerBound + max(halvings, 1), prequantLevels.upperBound)
        var current = attempt(level)
        while current == nil, level > prequantLevels.lowerBound + 1 {
            level -= 1
            current = attempt(level)
        }
        // (The error shrinks with the step only on the whole, not level by level: walking up
        // keeps the best one seen.)
        guard var current else { return coarsest.patch }
        var best = current.error < coarsest.error ? current : coarsest
        while current.error > tolerance, level < prequantLevels.upperBound, let finer = attempt(level + 1) {
            current = finer
            level += 1
            if finer.error < best.error { best = finer }
        }
        guard current.error <= tolerance else { return best.patch }
        while level - 1 > prequantLevels.lowerBound, let coarser = attempt(level - 1), coarser.error <= tolerance {
            current = coarser
            level -= 1
        }
        return current.patch
    }

    /// The patch at one level and its largest error; nil when its words would not fit.
    static func quantize(
        _ transformed: [Double], samples: [Float], low: Float, range: UInt16, x: Int, y: Int, prequant: Int
    ) -> (patch: TerrainPatch, error: Float)? {
        let scale = Double(1 << prequant)
        let coefficients = PatchTransform.zigzag.map { index in
            Int32((transformed[index] * scale / Double(PatchTransform.step[index])).rounded())
        }
        let neededBits = UInt32.bitWidth - (coefficients.map(\.magnitude).max() ?? 0).leadingZeroBitCount
        guard neededBits <= maxWordBits else { return nil }
        var patch = TerrainPatch(
            x: x, y: y, prequant: prequant, wordBits: max(2, neededBits), dcOffset: low, range: range,
            coefficients: coefficients)
        // A header byte of 97 would read as END_OF_PATCHES: spend one more bit per word.
        if patch.quantWordBits == SLTerrainPatches.endOfPatches { patch.wordBits += 1 }
        return (patch, maxError(patch.heights(), samples))
    }

    static func maxError(_ decoded: [Float], _ samples: [Float]) -> Float {
        zip(decoded, samples).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
