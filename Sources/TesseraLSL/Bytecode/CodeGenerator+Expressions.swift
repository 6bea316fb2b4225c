/// Expressions: their types, values, conversions, operators, assignments and increments.
extension CodeGenerator {
    // MARK: - Types

    /// The type of an expression in the current scope (nil for a void call or `print`).
    func type(of expression: Expression) -> LSLType? {
        switch expression {
        case .integer: return .integer
        case .float: return .float
        case .string: return .string
        case .variable(let target): return type(of: target)
        case .vector: return .vector
        case .rotation: return .rotation
        case .list: return .list
        case .call(let name, _, _):
            if let index = functionIndex[name] { return functions[Int(index)].returnType }
            return LSLDefinitions.functions[name]?.returnType
        case .print: return nil
        case .parenthesized(let inner, _): return type(of: inner)
        case .cast(let to, _, _): return to
        case .unary(let op, let value, _): return type(of: value).flatMap { TypeRules.unary(op, $0) }
        case .binary(let op, let left, let right, _):
            guard let l = type(of: left), let r = type(of: right) else { return nil }
            return TypeRules.binary(op, l, r)
        case .preIncrement(let target, _), .postIncrement(let target, _), .assignment(_, let target, _, _):
            return type(of: target)
        }
    }

    func type(of target: LValue) -> LSLType? {
        if target.member != nil { return .float }
        if let variable = lookup(target.name) { return variable.type }
        return LSLDefinitions.constants[target.name]?.type
    }

    /// Whether evaluating the expression may change a variable (so an operand read before it
    /// must be copied first).
    func hasEffects(_ expression: Expression) -> Bool {
        switch expression {
        case .integer, .float, .string, .variable: return false
        case .vector(let x, let y, let z, _): return hasEffects(x) || hasEffects(y) || hasEffects(z)
        case .rotation(let x, let y, let z, let s, _): return [x, y, z, s].contains { hasEffects($0) }
        case .list(let elements, _): return elements.contains { hasEffects($0) }
        case .call(let name, let arguments, _):
            return functionIndex[name] != nil || arguments.contains { hasEffects($0) }
        case .print: return true
        case .parenthesized(let inner, _), .cast(_, let inner, _), .unary(_, let inner, _): return hasEffects(inner)
        case .binary(_, let l, let r, _): return hasEffects(l) || hasEffects(r)
        case .assignment, .preIncrement, .postIncrement: return true
        }
    }

    // MARK: - Expressions

    /// An expression whose value may be unused (a statement): void calls are allowed.
    mutating func expressionOrVoid(_ value: Expression) -> Register? {
        switch value {
        case .call(let name, let arguments, _): return call(name, arguments)
        case .print(let inner, _):
            let register = expression(inner)
            emit(.print, boxed(register))
            return nil
        case .assignment(let op, let target, let value, _): return assign(op, target, value, resultUsed: false)
        default: return expression(value)
        }
    }

    /// An expression converted to `type` (integer→float, string↔key).
    mutating func expression(_ value: Expression, as type: LSLType) -> Register {
        let register = expression(value)
        return convert(register, from: self.type(of: value) ?? type, to: type)
    }

    mutating func convert(_ register: Register, from: LSLType, to: LSLType) -> Register {
        guard from != to else { return register }
        switch (from, to) {
        case (.integer, .float):
            let f = allocate(.float).index
            emit(.itof, f, register.index)
            return .float(f)
        case (.float, .integer):
            let i = allocate(.integer).index
            emit(.ftoi, i, register.index)
            return .int(i)
        default:
            // Value to value (string↔key), or a cast the VM does on values.
            let source = boxed(register)
            let target = allocate(to)
            switch target {
            case .value(let v):
                emit(.vcast, v, source, x: to.code)
                return target
            case .int(let i):
                let v = allocate(.string).index
                emit(.vcast, v, source, x: to.code)
                emit(.unboxi, i, v)
                return target
            case .float(let f):
                let v = allocate(.string).index
                emit(.vcast, v, source, x: to.code)
                emit(.unboxf, f, v)
                return target
            }
        }
    }

    /// The register holding the expression's value. Reading a local gives its own register.
    mutating func expression(_ value: Expression) -> Register {
        switch value {
        case .integer(let n, _):
            let r = allocate(.integer)
            emit(.iconst, r.index, n)
            return r
        case .float(let n, _):
            let r = allocate(.float)
            emit(.fconst, r.index, Int32(bitPattern: n.bitPattern))
            return r
        case .string(let s, _):
            let r = allocate(.string)
            emit(.vconst, r.index, constant(.string(s)))
            return r
        case .variable(let target):
            return read(target)
        case .parenthesized(let inner, _):
            return expression(inner)
        case .vector(let x, let y, let z, _):
            return composite([x, y, z], op: .mkvec, type: .vector)
        case .rotation(let x, let y, let z, let s, _):
            return composite([x, y, z, s], op: .mkrot, type: .rotation)
        case .list(let elements, _):
            let first = allocateValues(elements.count)
            for (index, element) in elements.enumerated() {
                let mark = marks()
                let register = expression(element)
                _ = boxed(register, into: first + Int32(index))
                reset(mark)
            }
            let r = allocate(.list)
            emit(.mklist, r.index, first, Int32(elements.count))
            return r
        case .call(let name, let arguments, _):
            return call(name, arguments) ?? zero(of: .integer)
        case .print(let inner, _):
            let v = boxed(expression(inner))
            emit(.print, v)
            return zero(of: .integer)
        case .cast(let to, let inner, _):
            guard let from = type(of: inner) else { return zero(of: to) }
            return cast(expression(inner), from: from, to: to)
        case .unary(let op, let inner, _):
            let operand = expression(inner)
            let type = self.type(of: inner) ?? .integer
            switch (op, operand) {
            case (.negate, .int(let b)):
                let r = allocate(.integer); emit(.ineg, r.index, b); return r
            case (.not, .int(let b)):
                let r = allocate(.integer); emit(.inot, r.index, b); return r
            case (.bitNot, .int(let b)):
                let r = allocate(.integer); emit(.ibitnot, r.index, b); return r
            case (.negate, .float(let b)):
                let r = allocate(.float); emit(.fneg, r.index, b); return r
            default:
                let r = allocate(type)
                emit(.vun, r.index, boxed(operand), x: op.code)
                return r
            }
        case .binary(let op, let left, let right, _):
            return binary(op, left, right)
        case .assignment(let op, let target, let value, _):
            return assign(op, target, value)
        case .preIncrement(let target, let isDecrement):
            return increment(target, by: isDecrement ? -1 : 1, returnsOld: false)
        case .postIncrement(let target, let isDecrement):
            return increment(target, by: isDecrement ? -1 : 1, returnsOld: true)
        }
    }

    mutating func read(_ target: LValue) -> Register {
        guard let variable = lookup(target.name) else {
            return builtinConstant(target.name)
        }
        let whole = read(variable)
        guard let member = target.member else { return whole }
        let f = allocate(.float).index
        emit(.vget, f, whole.index, x: memberIndex(member))
        return .float(f)
    }

    mutating func builtinConstant(_ name: String) -> Register {
        guard let definition = LSLDefinitions.constants[name] else { return zero(of: .integer) }
        let value = ConstantText.value(of: definition)
        switch value {
        case .integer(let n):
            let r = allocate(.integer); emit(.iconst, r.index, n); return r
        case .float(let n):
            let r = allocate(.float); emit(.fconst, r.index, Int32(bitPattern: n.bitPattern)); return r
        default:
            let r = allocate(definition.type); emit(.vconst, r.index, constant(value)); return r
        }
    }

    mutating func composite(_ parts: [Expression], op: Opcode, type: LSLType) -> Register {
        let first = allocateFloats(parts.count)
        for (index, part) in parts.enumerated() {
            let mark = marks()
            let register = expression(part, as: .float)
            move(register, to: .float(first + Int32(index)))
            reset(mark)
        }
        let r = allocate(type)
        emit(op, r.index, first)
        return r
    }

    mutating func cast(_ register: Register, from: LSLType, to: LSLType) -> Register {
        if from == to { return register }
        switch (from, to) {
        case (.integer, .float), (.float, .integer): return convert(register, from: from, to: to)
        default:
            let source = boxed(register)
            let v = allocate(.string).index
            emit(.vcast, v, source, x: to.code)
            return unboxed(v, as: to)
        }
    }

    /// Both operands of a binary operator, right first (LSL evaluates right to left), converted
    /// to `type`. A right operand that is a local's own register is copied when the left one
    /// could change it.
    mutating func operands(_ left: Expression, _ right: Expression, as type: LSLType) -> (Register, Register) {
        let mark = marks()
        var r = expression(right, as: type)
        if !isTemporary(r, mark), hasEffects(left) {
            let copy = allocate(type)
            move(r, to: copy)
            r = copy
        }
        let l = expression(left, as: type)
        return (l, r)
    }

    static let intOps: [BinaryOperator: Opcode] = [
        .add: .iadd, .subtract: .isub, .multiply: .imul, .divide: .idiv, .modulo: .imod,
        .bitAnd: .iand, .bitOr: .ior, .bitXor: .ixor, .shiftLeft: .ishl, .shiftRight: .ishr,
        .and: .iland, .or: .ilor,
        .equal: .ieq, .notEqual: .ine, .less: .ilt, .lessEqual: .ile, .greater: .igt, .greaterEqual: .ige,
    ]
    static let floatOps: [BinaryOperator: Opcode] = [
        .add: .fadd, .subtract: .fsub, .multiply: .fmul, .divide: .fdiv,
    ]
    static let floatImmediates: [BinaryOperator: Opcode] = [.add: .faddk, .subtract: .fsubk, .multiply: .fmulk]
    static let floatComparisons: [BinaryOperator: Opcode] = [
        .equal: .feq, .notEqual: .fne, .less: .flt, .lessEqual: .fle, .greater: .fgt, .greaterEqual: .fge,
    ]

    /// A binary operation; integer and float results go to `destination` when one is given (a
    /// local the result is assigned to), saving a move.
    mutating func binary(_ op: BinaryOperator, _ left: Expression, _ right: Expression, into destination: Register? = nil) -> Register {
        let l = type(of: left) ?? .integer
        let r = type(of: right) ?? .integer
        let result = TypeRules.binary(op, l, r) ?? .integer
        if l == .integer && r == .integer, let opcode = Self.intOps[op] {
            if op == .add || op == .subtract, let k = Self.integerLiteral(right) {
                let a = expression(left, as: .integer)
                let target = destination ?? allocate(.integer)
                emit(.iaddk, target.index, a.index, op == .add ? k : 0 &- k)
                return target
            }
            let (a, b) = operands(left, right, as: .integer)
            let target = destination ?? allocate(.integer)
            emit(opcode, target.index, a.index, b.index)
            return target
        }
        let numeric: Set<LSLType> = [.integer, .float]
        if numeric.contains(l) && numeric.contains(r) {
            if let opcode = Self.floatOps[op] {
                if let k = Self.floatLiteral(right), let immediate = Self.floatImmediates[op] {
                    let a = expression(left, as: .float)
                    let target = destination ?? allocate(.float)
                    emit(immediate, target.index, a.index, Int32(bitPattern: k.bitPattern))
                    return target
                }
                let (a, b) = operands(left, right, as: .float)
                let target = destination ?? allocate(.float)
                emit(opcode, target.index, a.index, b.index)
                return target
            }
            if let opcode = Self.floatComparisons[op] {
                let (a, b) = operands(left, right, as: .float)
                let target = destination ?? allocate(.integer)
                emit(opcode, target.index, a.index, b.index)
                return target
            }
        }
        // Everything else works on values, right operand first.
        let mark = marks()
        var b = boxed(expression(right))
        if !isTemporary(.value(b), mark), hasEffects(left) {
            let copy = allocate(.string).index
            emit(.vmov, copy, b)
            b = copy
        }
        let a = boxed(expression(left))
        let v = allocate(.string).index
        emit(.vbin, v, a, b, x: op.code)
        return unboxed(v, as: result, into: destination)
    }

    mutating func assign(_ op: AssignmentOperator, _ target: LValue, _ value: Expression, resultUsed: Bool = true) -> Register {
        guard let variable = lookup(target.name) else { return expression(value) }
        let targetType = type(of: target) ?? variable.type
        // `l += x`, `l = l + x`, `s += t`: appended in place, without copying what is there.
        if target.member == nil, targetType == .list || targetType == .string,
           let appended = appendedPart(op, target, value),
           let appendedType = type(of: appended), TypeRules.binary(.add, targetType, appendedType) == targetType {
            // `l += [x]` appends x itself: no one-element list is made.
            var single: Expression? = nil
            if targetType == .list, case .list(let elements, _) = Self.stripped(appended), elements.count == 1 {
                single = elements[0]
            }
            let right = boxed(expression(single ?? appended))
            if variable.isGlobal {
                emit(.gappend, variable.slot, right)
                return resultUsed ? loadGlobal(variable) : .value(right)
            }
            emit(.vappend, variable.slot, right)
            return register(of: variable)
        }
        // An integer or float local takes the result of its operation directly.
        if target.member == nil, !variable.isGlobal, targetType == .integer || targetType == .float {
            let local = register(of: variable)
            var inner = value
            while case .parenthesized(let e, _) = inner { inner = e }
            if op == .assign, case .binary(let binaryOperator, let l, let r, _) = inner,
               let lt = type(of: l), let rt = type(of: r), TypeRules.binary(binaryOperator, lt, rt) == targetType {
                return binary(binaryOperator, l, r, into: local)
            }
            if op != .assign, let binaryOperator = BinaryOperator(rawValue: String(op.rawValue.dropLast())),
               let vt = type(of: value), TypeRules.binary(binaryOperator, targetType, vt) == targetType {
                return binary(binaryOperator, .variable(target), value, into: local)
            }
        }
        let newValue: Register
        if op == .assign {
            newValue = expression(value, as: targetType)
        } else {
            let binaryOperator = BinaryOperator(rawValue: String(op.rawValue.dropLast()))!
            let valueType = type(of: value) ?? targetType
            let combined = Expression.binary(binaryOperator, .variable(target), .parenthesized(value, value.location), value.location)
            if op == .multiply && targetType == .integer && valueType == .float {
                // `integer *= float` stores the truncated product.
                newValue = convert(expression(combined), from: .float, to: .integer)
            } else {
                newValue = expression(combined, as: targetType)
            }
        }
        guard let member = target.member else {
            write(variable, from: newValue)
            return variable.isGlobal ? newValue : register(of: variable)
        }
        let whole = read(variable)
        emit(.vset, whole.index, newValue.index, x: memberIndex(member))
        if variable.isGlobal { storeGlobal(variable, from: whole) }
        return newValue
    }

    static func stripped(_ expression: Expression) -> Expression {
        var inner = expression
        while case .parenthesized(let e, _) = inner { inner = e }
        return inner
    }

    /// What `op value` appends to `target`, when it is an append: `+= x`, or `= target + x`.
    func appendedPart(_ op: AssignmentOperator, _ target: LValue, _ value: Expression) -> Expression? {
        if op == .add { return value }
        guard op == .assign else { return nil }
        var inner = value
        while case .parenthesized(let e, _) = inner { inner = e }
        guard case .binary(.add, var left, let right, _) = inner else { return nil }
        while case .parenthesized(let e, _) = left { left = e }
        guard case .variable(let read) = left, read.name == target.name, read.member == nil else { return nil }
        return right
    }

    mutating func increment(_ target: LValue, by step: Int32, returnsOld: Bool) -> Register {
        guard let variable = lookup(target.name) else { return zero(of: .integer) }
        let current = read(target)
        var old: Register?
        if returnsOld {
            let copy = allocate(type(of: target) ?? .integer)
            move(current, to: copy)
            old = copy
        }
        let updated: Register
        switch current {
        case .int(let i):
            let destination: Int32 = (variable.isGlobal || target.member != nil) ? i : register(of: variable).index
            emit(.iaddk, destination, i, step)
            updated = .int(destination)
        case .float(let f):
            let one = allocate(.float).index
            emit(.fconst, one, Int32(bitPattern: Float(step).bitPattern))
            emit(.fadd, f, f, one)
            updated = .float(f)
        case .value:
            updated = current
        }
        if let member = target.member {
            let whole = read(variable)
            emit(.vset, whole.index, updated.index, x: memberIndex(member))
            if variable.isGlobal { storeGlobal(variable, from: whole) }
        } else if variable.isGlobal {
            storeGlobal(variable, from: updated)
        }
        return old ?? updated
    }
}
