/// Built-ins the VM computes inline on typed registers (no boxing, no argument array). The
/// library's entries for them call these same functions.
enum Intrinsics {
    static let names: [String: Opcode] = [
        "llSqrt": .sqrtf, "llFabs": .fabsf, "llAbs": .iabs, "llGetListLength": .listlen,
        "llList2Integer": .list2int, "llList2Float": .list2float, "llStringLength": .strlen,
    ]

    @inline(__always)
    static func sqrt(_ f: Float) -> Float { f < 0 ? -Float.nan : f.squareRoot() }

    @inline(__always)
    static func fabs(_ f: Float) -> Float { f == 0 || f.isNaN ? f : Swift.abs(f) }

    @inline(__always)
    static func abs(_ n: Int32) -> Int32 { n == .min ? .min : Swift.abs(n) }

    static func stringLength(_ value: LSLValue) -> Int32 {
        switch value {
        case .string(let text), .key(let text): Int32(truncatingIfNeeded: text.unicodeScalars.count)
        default: 0
        }
    }

    static func listLength(_ value: LSLValue) -> Int32 {
        guard case .list(let list) = value else { return 0 }
        return Int32(truncatingIfNeeded: list.count)
    }

    @inline(__always)
    static func element(_ value: LSLValue, _ index: Int32) -> LSLValue? {
        guard case .list(let list) = value else { return nil }
        return LSLLibrary.element(list, index)
    }

    static func list2Integer(_ value: LSLValue, _ index: Int32) -> Int32 {
        switch element(value, index) {
        case .integer(let v): v
        case .float(let f): LSLValue.floatToInteger(f)
        case .string(let s): LSLValue.stringToInteger(s)
        default: 0
        }
    }

    static func list2Float(_ value: LSLValue, _ index: Int32) -> Float {
        switch element(value, index) {
        case .float(let f): f
        case .integer(let v): Float(v)
        case .string(let s): LSLValue.stringToFloat(s)
        default: 0
        }
    }
}
