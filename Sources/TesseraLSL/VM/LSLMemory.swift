/// How much of a script's memory a value takes (docs/lsl.md, "Memory"). The model follows Mono's
/// costs roughly: 2 bytes per character of text, a header per string and list, a slot per list
/// element. It is cheap to compute, because the VM charges every value it stores.
public enum LSLMemory {
    /// Every script's limit, as in SL.
    public static let limit = 65_536
    /// What a script holds before it has any globals or stack.
    public static let base = 1_024

    @inline(__always)
    public static func size(of value: LSLValue) -> Int {
        switch value {
        case .integer, .float: 4
        case .vector: 12
        case .rotation: 16
        case .string(let s), .key(let s): 16 + 2 * s.utf8.count
        case .list(let elements): 16 + elements.reduce(0) { $0 + 8 + size(of: $1) }
        }
    }
}
