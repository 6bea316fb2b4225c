import TesseraWorld

/// The state a built-in may use beyond its arguments: the script's random generator
/// (part of the captured state, so a resumed script draws the same numbers).
public struct LSLLibraryContext: Sendable {
    public var random: LSLRandom

    public init(random: LSLRandom) {
        self.random = random
    }
}

/// A script's random generator (`llFrand`, `llGenerateKey`, `llListRandomize`): the grid's
/// seeded SplitMix64, so a captured script draws the same numbers after it resumes.
public typealias LSLRandom = SplitMix64

extension SplitMix64 {
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
