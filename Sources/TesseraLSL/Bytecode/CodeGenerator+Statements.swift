/// Statements: blocks, declarations, branches and loops, jumps, returns, state changes.
extension CodeGenerator {
    // MARK: - Statements

    mutating func generate(_ statement: Statement) {
        let outerHigh = valueHigh
        valueHigh = nextValue
        generateStatement(statement)
        valueHigh = max(outerHigh, valueHigh)
    }

    /// Lets go of value temporaries from `first` up to the statement's high-water mark.
    mutating func clearValues(from first: Int32) {
        if valueHigh > first { emit(.vclear, first, valueHigh - first) }
    }

    mutating func generateStatement(_ statement: Statement) {
        let mark = marks()
        switch statement {
        case .empty: break
        case .block(let statements, _):
            scopes.append([:])
            statements.forEach { generate($0) }
            scopes.removeLast()
            reset(mark)
            return
        case .declaration(let type, let name, let initializer, _):
            let value: Register? = initializer.map { expression($0, as: type) }
            reset(mark)
            let register = allocate(type)
            if let value {
                move(value, to: register)
            } else {
                switch register {
                case .int(let a): emit(.iconst, a, 0)
                case .float(let a): emit(.fconst, a, 0)
                case .value(let a): emit(.vconst, a, constant(.zero(of: type)))
                }
            }
            scopes[scopes.count - 1][name] = Variable(type: type, slot: register.index, isGlobal: false)
            if case .value(let v) = register { clearValues(from: v + 1) } else { clearValues(from: mark.2) }
            return  // the new local stays allocated until its block ends
        case .expression(let value):
            _ = expressionOrVoid(value)
        case .if(let condition, let then, let otherwise, _):
            let jumpToElse = branch(condition, when: false)
            reset(mark)
            scoped(then)
            if let otherwise {
                let jumpToEnd = emit(.jmp)
                patch(jumpToElse)
                scoped(otherwise)
                patch(jumpToEnd)
            } else {
                patch(jumpToElse)
            }
        case .while(let condition, let body, _):
            // The test sits after the body: one jump per iteration instead of two.
            let enter = emit(.jmp)
            let top = Int32(code.count)
            scoped(body)
            patch(enter)
            let back = branch(condition, when: true)
            code[back].setTarget(top)
        case .doWhile(let body, let condition, _):
            let top = Int32(code.count)
            scoped(body)
            let back = branch(condition, when: true)
            code[back].setTarget(top)
        case .for(let initializers, let condition, let steps, let body, _):
            for initializer in initializers {
                _ = expressionOrVoid(initializer)
                reset(mark)
            }
            if let counted = countedLoop(condition, steps) {
                // `for (…; i < n; ++i)`: test once before, then one increment-compare-jump per
                // iteration.
                let exit = counted.limitIsLiteral
                    ? emit(.jgek, counted.counter, counted.limit, 0)
                    : emit(.jge, counted.counter, counted.limit, 0)
                let top = Int32(code.count)
                scoped(body)
                emit(counted.limitIsLiteral ? .incjltk : .incjlt, counted.counter, counted.limit, top)
                patch(exit)
                break
            }
            let enter = emit(.jmp)
            let top = Int32(code.count)
            scoped(body)
            for step in steps {
                _ = expressionOrVoid(step)
                reset(mark)
            }
            patch(enter)
            if let condition {
                let back = branch(condition, when: true)
                code[back].setTarget(top)
            } else {
                emit(.jmp, top)
            }
        case .jump(let label, _):
            let at = emit(.jmp)
            pendingJumps.append((at, label))
        case .label(let name, _):
            labels[name] = Int32(code.count)
        case .return(let value, _):
            if let value, let returnType {
                emitReturn(expression(value, as: returnType))
            } else if isHandler {
                emit(.end)
            } else {
                emit(.ret)
            }
        case .stateChange(let name, _):
            emit(.state, stateIndex[name] ?? 0)
        }
        switch statement {
        case .expression, .if, .while, .doWhile, .for:
            clearValues(from: mark.2)
        default:
            break
        }
        reset(mark)
    }


    /// A statement that is the body of `if`/`while`/`for`: its own scope.
    mutating func scoped(_ statement: Statement) {
        let mark = marks()
        scopes.append([:])
        generate(statement)
        scopes.removeLast()
        reset(mark)
    }

    mutating func patch(_ at: Int) {
        code[at].setTarget(Int32(code.count))
    }

    /// Emits a jump taken when `condition`'s truth is `when`, and returns where to patch its
    /// target. Integer comparisons become one compare-and-jump.
    mutating func branch(_ condition: Expression, when: Bool) -> Int {
        var inner = condition
        while case .parenthesized(let e, _) = inner { inner = e }
        if case .binary(var op, let left, let right, _) = inner,
           Self.comparisonBranches[op] != nil,
           type(of: left) == .integer, type(of: right) == .integer {
            if !when { op = Self.negated[op]! }
            if let literal = Self.integerLiteral(right) {
                let mark = marks()
                let l = expression(left, as: .integer)
                reset(mark)
                return emit(Self.comparisonBranches[op]!.immediate, l.index, literal, 0)
            }
            let (l, r) = operands(left, right, as: .integer)
            return emit(Self.comparisonBranches[op]!.registers, l.index, r.index, 0)
        }
        let value = truth(expression(condition))
        return emit(when ? .jnz : .jz, value, 0)
    }

    static let comparisonBranches: [BinaryOperator: (registers: Opcode, immediate: Opcode)] = [
        .less: (.jlt, .jltk), .lessEqual: (.jle, .jlek), .greater: (.jgt, .jgtk), .greaterEqual: (.jge, .jgek),
        .equal: (.jeq, .jeqk), .notEqual: (.jne, .jnek),
    ]

    static let negated: [BinaryOperator: BinaryOperator] = [
        .less: .greaterEqual, .lessEqual: .greater, .greater: .lessEqual, .greaterEqual: .less,
        .equal: .notEqual, .notEqual: .equal,
    ]

    /// The value of an integer literal (or a negated one), when the expression is one.
    static func integerLiteral(_ expression: Expression) -> Int32? {
        switch expression {
        case .integer(let n, _): n
        case .parenthesized(let inner, _): integerLiteral(inner)
        case .unary(.negate, .integer(let n, _), _): 0 &- n
        default: nil
        }
    }

    /// The value of a float or integer literal used where a float is expected.
    static func floatLiteral(_ expression: Expression) -> Float? {
        switch expression {
        case .float(let f, _): f
        case .integer(let n, _): Float(n)
        case .parenthesized(let inner, _): floatLiteral(inner)
        case .unary(.negate, let inner, _): floatLiteral(inner).map { -$0 }
        default: nil
        }
    }

    /// An integer register that is nonzero when the value is true (LSL's truthiness).
    mutating func truth(_ register: Register) -> Int32 {
        switch register {
        case .int(let i): return i
        case .float(let f):
            let i = allocate(.integer).index
            emit(.ftrue, i, f)
            return i
        case .value(let v):
            let i = allocate(.integer).index
            emit(.vtrue, i, v)
            return i
        }
    }

    /// `i < limit` with `++i`, `i++`, `i += 1` or `i = i + 1` as the only step, where `i` is an
    /// integer local and `limit` an integer literal or another integer local.
    func countedLoop(_ condition: Expression?, _ steps: [Expression]) -> (counter: Int32, limit: Int32, limitIsLiteral: Bool)? {
        guard let condition, steps.count == 1,
              case .binary(.less, let left, let right, _) = Self.stripped(condition),
              case .variable(let counterName) = Self.stripped(left), counterName.member == nil,
              let counter = lookup(counterName.name), !counter.isGlobal, counter.type == .integer else { return nil }
        let isStep: Bool
        switch Self.stripped(steps[0]) {
        case .preIncrement(let v, false), .postIncrement(let v, false):
            isStep = v.name == counterName.name && v.member == nil
        case .assignment(.add, let v, let amount, _):
            isStep = v.name == counterName.name && v.member == nil && Self.integerLiteral(amount) == 1
        case .assignment(.assign, let v, .binary(.add, .variable(let w), let amount, _), _):
            isStep = v.name == counterName.name && v.member == nil && w.name == counterName.name && w.member == nil
                && Self.integerLiteral(amount) == 1
        default:
            isStep = false
        }
        guard isStep else { return nil }
        if let literal = Self.integerLiteral(right) { return (counter.slot, literal, true) }
        if case .variable(let limitName) = Self.stripped(right), limitName.member == nil,
           let limit = lookup(limitName.name), !limit.isGlobal, limit.type == .integer {
            return (counter.slot, limit.slot, false)
        }
        return nil
    }
}
