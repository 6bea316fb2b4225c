/// Chooses each patch's quantization: the coarsest that reproduces the patch within
/// `SLTerrainPatches.tolerance` once a viewer decodes it, so gentle land costs few bits and steep
/// land stays exact enough to stand on (docs/sl-protocol.md, "Terrain (LayerData)").
enum PatchCompressor {
    static let maxWordBits = 17
    static let prequantLevels = 2...17

    /// `samples`: the patch's 256 heights, row-major, finite and spanning less than 65535 m.
    static func compress(_ samples: [Float], x: Int, y: Int, tolerance: Float) -> TerrainPatch {
        let low = samples.min() ?? 0, high = samples.max() ?? 0
        let range = UInt16(max(1, (Double(high) - Double(low)).rounded(.up)))
        // Heights normalized to [-1/2, 1/2]: the decoder adds back half the range.
        let normalized = samples.map { (Double($0) - Double(low)) / Double(range) - 0.5 }
        let transformed = PatchTransform.forward(normalized)
        var best: TerrainPatch?
        var bestError = Float.infinity
        for prequant in prequantLevels {
            let scale = Double(1 << prequant)
            let coefficients = PatchTransform.zigzag.map { index in
                Int32((transformed[index] * scale / Double(PatchTransform.step[index])).rounded())
            }
            let largest = coefficients.map(\.magnitude).max() ?? 0
            let neededBits = UInt32.bitWidth - largest.leadingZeroBitCount
            guard neededBits <= maxWordBits else { break }  // finer levels only need more
            var patch = TerrainPatch(
                x: x, y: y, prequant: prequant, wordBits: max(2, neededBits), dcOffset: low, range: range,
                coefficients: coefficients)
            // A header byte of 97 would read as END_OF_PATCHES: spend one more bit per word.
            if patch.quantWordBits == SLTerrainPatches.endOfPatches { patch.wordBits += 1 }
            let error = maxError(patch.heights(), samples)
            if error <= tolerance { return patch }
            if error < bestError { (best, bestError) = (patch, error) }
        }
        // Steeper than the finest level whose words fit in 17 bits can follow: the closest found.
        // (The fallback is never taken: at 4 levels every coefficient fits in 6 bits.)
        return best ?? TerrainPatch(
            x: x, y: y, prequant: 2, wordBits: 2, dcOffset: low, range: range,
            coefficients: [Int32](repeating: 0, count: PatchTransform.count))
    }

    static func maxError(_ decoded: [Float], _ samples: [Float]) -> Float {
        zip(decoded, samples).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
