/// LSL's operators on values of any type (docs/lsl.md, "Operators"). The VM computes integer and
/// float arithmetic itself and comes here for everything else.
public enum LSLOperators {
    public static func binary(_ op: BinaryOperator, _ left: LSLValue, _ right: LSLValue) throws(LSLRuntimeError) -> LSLValue {
        switch (op, left, right) {
        case (.add, .string(let l), .string(let r)): return .string(l + r)
        case (.add, .list(let l), .list(let r)): return .list(l + r)
        case (.add, .list(let l), let r): return .list(l + [r])
        case (.add, let l, .list(let r)): return .list([l] + r)
        case (.equal, .string(let l), .string(let r)): return .integer(l == r ? 1 : 0)
        default: throw LSLRuntimeError(.libraryError, "operator \(op.rawValue) on \(left.type) and \(right.type) is not built yet")
        }
    }

    public static func unary(_ op: UnaryOperator, _ value: LSLValue) throws(LSLRuntimeError) -> LSLValue {
        throw LSLRuntimeError(.libraryError, "operator \(op.rawValue) on \(value.type) is not built yet")
    }
}
