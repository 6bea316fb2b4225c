/// A small seeded generator (Steele, Lea & Flood 2014), so randomized tests, fuzzing and
/// benchmarks reproduce exactly from a seed, and a script's random numbers carry on exactly after
/// its state is captured (`state` is the whole generator: `SplitMix64(seed: state)` resumes it).
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
