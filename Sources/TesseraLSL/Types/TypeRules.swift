/// LSL's typing rules as tables: implicit conversions, casts, and the type of each operator
/// (docs/lsl.md, "Types").
enum TypeRules {
    /// Whether a value of `from` may be stored where `to` is expected without a cast:
    /// the same type, integer→float, string↔key.
    static func isAssignable(_ from: LSLType, to: LSLType) -> Bool {
        from == to || (from == .integer && to == .float) || (from == .string && to == .key) || (from == .key && to == .string)
    }

    /// Whether `(to)value` is allowed for a value of `from`.
    static func canCast(_ from: LSLType, to: LSLType) -> Bool {
        if from == to || to == .string || to == .list || from == .string { return true }
        switch (from, to) {
        case (.integer, .float), (.float, .integer), (.key, .string): return true
        default: return false
        }
    }

    static func unary(_ op: UnaryOperator, _ operand: LSLType) -> LSLType? {
        switch op {
        case .negate: [.integer, .float, .vector, .rotation].contains(operand) ? operand : nil
        case .not, .bitNot: operand == .integer ? .integer : nil
        }
    }

    static func binary(_ op: BinaryOperator, _ left: LSLType, _ right: LSLType) -> LSLType? {
        let numeric: Set<LSLType> = [.integer, .float]
        switch op {
        case .and, .or, .bitAnd, .bitOr, .bitXor, .shiftLeft, .shiftRight:
            return left == .integer && right == .integer ? .integer : nil
        case .less, .lessEqual, .greater, .greaterEqual:
            return numeric.contains(left) && numeric.contains(right) ? .integer : nil
        case .equal, .notEqual:
            if numeric.contains(left) && numeric.contains(right) { return .integer }
            return isAssignable(left, to: right) || isAssignable(right, to: left) ? .integer : nil
        case .add:
            if left == .list || right == .list { return .list }
            // A key joins text as a string: `"Owner: " + llGetOwner()`.
            if left == .string && (right == .string || right == .key) || left == .key && right == .string { return .string }
            return arithmetic(left, right)
        case .subtract:
            return arithmetic(left, right)
        case .multiply:
            switch (left, right) {
            case (.vector, .vector): return .float
            case (.vector, .integer), (.vector, .float), (.integer, .vector), (.float, .vector): return .vector
            case (.vector, .rotation): return .vector
            default: return arithmetic(left, right)
            }
        case .divide:
            switch (left, right) {
            case (.vector, .integer), (.vector, .float), (.vector, .rotation): return .vector
            case (.vector, .vector): return nil
            default: return arithmetic(left, right)
            }
        case .modulo:
            if left == .integer && right == .integer { return .integer }
            return left == .vector && right == .vector ? .vector : nil
        }
    }

    /// `+ - * /` between numbers, vectors with vectors, rotations with rotations.
    private static func arithmetic(_ left: LSLType, _ right: LSLType) -> LSLType? {
        switch (left, right) {
        case (.integer, .integer): .integer
        case (.integer, .float), (.float, .integer), (.float, .float): .float
        case (.vector, .vector): .vector
        case (.rotation, .rotation): .rotation
        default: nil
        }
    }
}
