/// The state a built-in may use beyond its arguments: the script's random generator
/// (part of the captured state, so a resumed script draws the same numbers).
public struct LSLLibraryContext: Sendable {
    public var random: LSLRandom

    public init(random: LSLRandom) {
        self.random = random
    }
}

/// A deterministic 64-bit generator (SplitMix64): `llFrand`, `llGenerateKey`.
public struct LSLRandom: Sendable, Hashable {
    public var state: UInt64

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

    /// A float in [0, 1).
    public mutating func unit() -> Float {
        Float(next() >> 40) / Float(1 << 24)
    }
}

/// A built-in that needs no world: its arguments arrive already converted to the parameter types
/// of its definition (an integer argument to a float parameter arrives as `.float`, a string to a
/// key parameter as `.key`), and it returns a value of its definition's return type
/// (`.integer(0)` is ignored for void functions).
public typealias LSLLibraryFunction = @Sendable (_ arguments: [LSLValue], _ context: inout LSLLibraryContext) throws(LSLRuntimeError) -> LSLValue
