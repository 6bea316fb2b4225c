/// LSL's operators on values of any type (docs/lsl-library.md, "Operators"). Every combination
/// `TypeRules.binary` and `TypeRules.unary` accept has its result here, integers and floats
/// included; anything else throws a library error.
public enum LSLOperators {
    public static func binary(_ op: BinaryOperator, _ left: LSLValue, _ right: LSLValue) throws(LSLRuntimeError) -> LSLValue {
        switch (left, right) {
        case (.integer(let l), .integer(let r)): return try integers(op, l, r)
        case (.integer(let l), .float(let r)): return try floats(op, Float(l), r, left, right)
        case (.float(let l), .integer(let r)): return try floats(op, l, Float(r), left, right)
        case (.float(let l), .float(let r)): return try floats(op, l, r, left, right)
        default: break
        }
        switch (op, left, right) {
        // Lists: concatenation, an element appended or prepended; equality compares lengths.
        case (.add, .list(let l), .list(let r)): return .list(l + r)
        case (.add, .list(let l), let r): return .list(l + [r])
        case (.add, let l, .list(let r)): return .list([l] + r)
        case (.equal, .list(let l), .list(let r)): return .integer(l.count == r.count ? 1 : 0)
        case (.notEqual, .list(let l), .list(let r)): return .integer(Int32(truncatingIfNeeded: l.count - r.count))

        // Text: strings and keys join and compare as text.
        case (.add, .string(let l), .string(let r)), (.add, .string(let l), .key(let r)), (.add, .key(let l), .string(let r)):
            return .string(l + r)
        case (.equal, .string(let l), .string(let r)), (.equal, .string(let l), .key(let r)),
            (.equal, .key(let l), .string(let r)), (.equal, .key(let l), .key(let r)):
            return bool(LSLValue.sameText(l, r))
        case (.notEqual, .string(let l), .string(let r)), (.notEqual, .string(let l), .key(let r)),
            (.notEqual, .key(let l), .string(let r)), (.notEqual, .key(let l), .key(let r)):
            return bool(!LSLValue.sameText(l, r))

        // Vectors.
        case (.add, .vector(let l), .vector(let r)): return .vector(LSLVector(l.x + r.x, l.y + r.y, l.z + r.z))
        case (.subtract, .vector(let l), .vector(let r)): return .vector(LSLVector(l.x - r.x, l.y - r.y, l.z - r.z))
        case (.multiply, .vector(let l), .vector(let r)): return .float(l.x * r.x + l.y * r.y + l.z * r.z)
        case (.modulo, .vector(let l), .vector(let r)): return .vector(cross(l, r))
        case (.multiply, .vector(let v), .integer(let n)), (.multiply, .integer(let n), .vector(let v)):
            return .vector(scale(v, Float(n)))
        case (.multiply, .vector(let v), .float(let f)), (.multiply, .float(let f), .vector(let v)):
            return .vector(scale(v, f))
        case (.divide, .vector(let v), .integer(let n)):
            guard n != 0 else { throw .mathError }
            return .vector(LSLVector(v.x / Float(n), v.y / Float(n), v.z / Float(n)))
        case (.divide, .vector(let v), .float(let f)):
            guard f != 0 else { throw .mathError }
            return .vector(LSLVector(v.x / f, v.y / f, v.z / f))
        case (.multiply, .vector(let v), .rotation(let q)): return .vector(rotate(v, q))
        case (.divide, .vector(let v), .rotation(let q)): return .vector(rotate(v, conjugate(q)))
        case (.equal, .vector(let l), .vector(let r)): return bool(l == r)
        case (.notEqual, .vector(let l), .vector(let r)): return bool(l != r)

        // Rotations.
        case (.add, .rotation(let l), .rotation(let r)): return .rotation(LSLRotation(l.x + r.x, l.y + r.y, l.z + r.z, l.s + r.s))
        case (.subtract, .rotation(let l), .rotation(let r)): return .rotation(LSLRotation(l.x - r.x, l.y - r.y, l.z - r.z, l.s - r.s))
        case (.multiply, .rotation(let l), .rotation(let r)): return .rotation(compose(l, r))
        case (.divide, .rotation(let l), .rotation(let r)): return .rotation(compose(l, conjugate(r)))
        case (.equal, .rotation(let l), .rotation(let r)): return bool(l == r)
        case (.notEqual, .rotation(let l), .rotation(let r)): return bool(l != r)

        default:
            throw LSLRuntimeError(.libraryError, "operator \(op.rawValue) does not apply to \(left.type) and \(right.type)")
        }
    }

    public static func unary(_ op: UnaryOperator, _ value: LSLValue) throws(LSLRuntimeError) -> LSLValue {
        switch (op, value) {
        case (.negate, .integer(let v)): return .integer(0 &- v)
        case (.negate, .float(let v)): return .float(-v)
        case (.negate, .vector(let v)): return .vector(LSLVector(-v.x, -v.y, -v.z))
        case (.negate, .rotation(let q)): return .rotation(LSLRotation(-q.x, -q.y, -q.z, -q.s))
        case (.not, .integer(let v)): return bool(v == 0)
        case (.bitNot, .integer(let v)): return .integer(~v)
        default:
            throw LSLRuntimeError(.libraryError, "operator \(op.rawValue) does not apply to \(value.type)")
        }
    }

    // MARK: - Integers and floats

    /// Integer arithmetic wraps at 32 bits. `/ 0` and `% 0` are math errors; `x / -1` is `-x`
    /// (so `-2147483648 / -1` is -2147483648) and `x % -1` is 0. Shift counts use their low
    /// five bits; `>>` keeps the sign.
    public static func integers(_ op: BinaryOperator, _ l: Int32, _ r: Int32) throws(LSLRuntimeError) -> LSLValue {
        switch op {
        case .add: return .integer(l &+ r)
        case .subtract: return .integer(l &- r)
        case .multiply: return .integer(l &* r)
        case .divide:
            if r == 0 { throw .mathError }
            if r == -1 { return .integer(0 &- l) }
            return .integer(l / r)
        case .modulo:
            if r == 0 { throw .mathError }
            if r == -1 { return .integer(0) }
            return .integer(l % r)
        case .shiftLeft: return .integer(l << (r & 31))
        case .shiftRight: return .integer(l >> (r & 31))
        case .less: return bool(l < r)
        case .lessEqual: return bool(l <= r)
        case .greater: return bool(l > r)
        case .greaterEqual: return bool(l >= r)
        case .equal: return bool(l == r)
        case .notEqual: return bool(l != r)
        case .bitAnd: return .integer(l & r)
        case .bitOr: return .integer(l | r)
        case .bitXor: return .integer(l ^ r)
        case .and: return bool(l != 0 && r != 0)
        case .or: return bool(l != 0 || r != 0)
        }
    }

    /// Float arithmetic in 32 bits (an integer operand is converted first). Division by zero,
    /// or one whose result is NaN (`inf / inf`, a NaN operand), is a math error; `%` and the
    /// bit operators do not apply to floats.
    public static func floats(_ op: BinaryOperator, _ l: Float, _ r: Float) throws(LSLRuntimeError) -> LSLValue {
        try floats(op, l, r, .float(l), .float(r))
    }

    private static func floats(_ op: BinaryOperator, _ l: Float, _ r: Float, _ left: LSLValue, _ right: LSLValue) throws(LSLRuntimeError) -> LSLValue {
        switch op {
        case .add: return .float(l + r)
        case .subtract: return .float(l - r)
        case .multiply: return .float(l * r)
        case .divide:
            // SL stops the script when a float division by zero is attempted or gives NaN.
            if r == 0 { throw .mathError }
            let q = l / r
            if q.isNaN { throw .mathError }
            return .float(q)
        case .less: return bool(l < r)
        case .lessEqual: return bool(l <= r)
        case .greater: return bool(l > r)
        case .greaterEqual: return bool(l >= r)
        case .equal: return bool(l == r)
        case .notEqual: return bool(l != r)
        default:
            throw LSLRuntimeError(.libraryError, "operator \(op.rawValue) does not apply to \(left.type) and \(right.type)")
        }
    }

    // MARK: - Vector and rotation arithmetic

    @inline(__always) static func bool(_ b: Bool) -> LSLValue { .integer(b ? 1 : 0) }

    static func scale(_ v: LSLVector, _ f: Float) -> LSLVector { LSLVector(v.x * f, v.y * f, v.z * f) }

    static func cross(_ a: LSLVector, _ b: LSLVector) -> LSLVector {
        LSLVector(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }

    static func dot(_ a: LSLVector, _ b: LSLVector) -> Float { a.x * b.x + a.y * b.y + a.z * b.z }

    static func conjugate(_ q: LSLRotation) -> LSLRotation { LSLRotation(-q.x, -q.y, -q.z, q.s) }

    /// `a * b` in LSL: the rotation `a` followed by `b` (the Hamilton product b·a).
    static func compose(_ a: LSLRotation, _ b: LSLRotation) -> LSLRotation {
        LSLRotation(
            b.s * a.x + b.x * a.s + b.y * a.z - b.z * a.y,
            b.s * a.y + b.y * a.s + b.z * a.x - b.x * a.z,
            b.s * a.z + b.z * a.s + b.x * a.y - b.y * a.x,
            b.s * a.s - b.x * a.x - b.y * a.y - b.z * a.z
        )
    }

    /// `v * q`: `v` rotated by `q` (q·v·q*, with no normalisation of `q`), computed in double
    /// precision and rounded once.
    static func rotate(_ v: LSLVector, _ q: LSLRotation) -> LSLVector {
        LSLLibrary.rotate(LSLLibrary.D3(v), q).float
    }
}
