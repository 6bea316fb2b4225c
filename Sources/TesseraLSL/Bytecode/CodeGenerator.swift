/// Turns a checked syntax tree into bytecode (docs/lsl.md, "Bytecode"). The tree has passed the
/// name resolver and the type checker, so every name resolves and every type fits; what is left
/// to decide here is registers, conversions and jumps.
struct CodeGenerator {
    /// A register of the current frame, of one of the three kinds.
    enum Register: Hashable {
        case int(Int32), float(Int32), value(Int32)

        var index: Int32 {
            switch self {
            case .int(let i), .float(let i), .value(let i): i
            }
        }
    }

    /// A variable: a register of the frame, or a global slot.
    struct Variable {
        var type: LSLType
        var slot: Int32
        var isGlobal: Bool
    }

    private(set) var code: [Instruction] = []
    private(set) var constants: [LSLValue] = []
    private var constantIndex: [LSLValue: Int32] = [:]
    private(set) var functions: [CompiledFunction] = []
    private var functionIndex: [String: Int32] = [:]
    private(set) var libraryNames: [String] = []
    private var libraryIndex: [String: Int32] = [:]
    private(set) var hostNames: [String] = []
    private var hostIndex: [String: Int32] = [:]
    private(set) var globalTypes: [LSLType] = []
    private var globals: [String: Variable] = [:]
    private var stateIndex: [String: Int32] = [:]

    // The function being generated.
    private var scopes: [[String: Variable]] = []
    private var nextInt: Int32 = 0, nextFloat: Int32 = 0, nextValue: Int32 = 0
    private var maxInt: Int32 = 0, maxFloat: Int32 = 0, maxValue: Int32 = 0
    private var labels: [String: Int32] = [:]
    private var pendingJumps: [(at: Int, label: String)] = []
    private var returnType: LSLType?

    // MARK: - Script

    static func generate(_ script: Script) -> (code: [Instruction], constants: [LSLValue], functions: [CompiledFunction],
                                               states: [CompiledState], globalTypes: [LSLType], initializer: Int32,
                                               library: [String], host: [String]) {
        var generator = CodeGenerator()
        for (index, state) in script.states.enumerated() { generator.stateIndex[state.name] = Int32(index) }
        var counts: [LSLType.Kind: Int32] = [:]
        for global in script.globals {
            let kind = global.type.kind
            let slot = counts[kind, default: 0]
            counts[kind] = slot + 1
            generator.globals[global.name] = Variable(type: global.type, slot: slot, isGlobal: true)
            generator.globalTypes.append(global.type)
        }
        // Every function gets its index before any body is generated, so calls can name it.
        for function in script.functions {
            generator.functionIndex[function.name] = Int32(generator.functions.count)
            generator.functions.append(CompiledFunction(name: function.name, entry: 0, intCount: 0, floatCount: 0, valueCount: 0,
                                                        parameterTypes: function.parameters.map(\.type), returnType: function.returnType))
        }
        for function in script.functions {
            generator.generateBody(index: generator.functionIndex[function.name]!, parameters: function.parameters,
                                   body: function.body, returnType: function.returnType, isHandler: false)
        }
        var states: [CompiledState] = []
        for state in script.states {
            var handlers: [String: Int32] = [:]
            for event in state.events {
                let index = Int32(generator.functions.count)
                generator.functions.append(CompiledFunction(name: "\(state.name).\(event.name)", entry: 0, intCount: 0, floatCount: 0,
                                                            valueCount: 0, parameterTypes: event.parameters.map(\.type), returnType: nil))
                generator.generateBody(index: index, parameters: event.parameters, body: event.body, returnType: nil, isHandler: true)
                handlers[event.name] = index
            }
            states.append(CompiledState(name: state.name, handlers: handlers))
        }
        // Global initializers run as one function when the script starts or resets.
        let initializer = Int32(generator.functions.count)
        generator.functions.append(CompiledFunction(name: "(globals)", entry: 0, intCount: 0, floatCount: 0, valueCount: 0,
                                                    parameterTypes: [], returnType: nil))
        generator.generateGlobalInitializer(index: initializer, script.globals)
        return (generator.code, generator.constants, generator.functions, states, generator.globalTypes, initializer,
                generator.libraryNames, generator.hostNames)
    }

    private mutating func beginFunction(parameters: [Parameter], returnType: LSLType?) {
        nextInt = 0; nextFloat = 0; nextValue = 0
        maxInt = 0; maxFloat = 0; maxValue = 0
        labels = [:]
        pendingJumps = []
        self.returnType = returnType
        var scope: [String: Variable] = [:]
        for parameter in parameters {
            let register = allocate(parameter.type)
            scope[parameter.name] = Variable(type: parameter.type, slot: register.index, isGlobal: false)
        }
        scopes = [scope]
    }

    private mutating func endFunction(index: Int32, entry: Int) {
        for jump in pendingJumps {
            let target = labels[jump.label] ?? Int32(code.count)
            code[jump.at].a = target
        }
        functions[Int(index)].entry = Int32(entry)
        functions[Int(index)].intCount = maxInt
        functions[Int(index)].floatCount = maxFloat
        functions[Int(index)].valueCount = maxValue
    }

    private mutating func generateBody(index: Int32, parameters: [Parameter], body: [Statement], returnType: LSLType?, isHandler: Bool) {
        let entry = code.count
        self.isHandler = isHandler
        beginFunction(parameters: parameters, returnType: returnType)
        for statement in body { generate(statement) }
        if isHandler {
            emit(.end)
        } else if let returnType {
            // The checker makes every path return; this keeps the VM safe regardless.
            let register = zero(of: returnType)
            emitReturn(register)
        } else {
            emit(.ret)
        }
        endFunction(index: index, entry: entry)
    }

    private mutating func generateGlobalInitializer(index: Int32, _ list: [GlobalVariable]) {
        let entry = code.count
        isHandler = true
        beginFunction(parameters: [], returnType: nil)
        for global in list {
            let mark = marks()
            let variable = globals[global.name]!
            let register = global.initializer.map { expression($0, as: global.type) } ?? zero(of: global.type)
            storeGlobal(variable, from: register)
            reset(mark)
        }
        emit(.end)
        endFunction(index: index, entry: entry)
    }

    // MARK: - Registers

    private mutating func allocate(_ type: LSLType) -> Register {
        switch type.kind {
        case .int:
            defer { nextInt += 1; maxInt = max(maxInt, nextInt) }
            return .int(nextInt)
        case .float:
            defer { nextFloat += 1; maxFloat = max(maxFloat, nextFloat) }
            return .float(nextFloat)
        case .value:
            defer { nextValue += 1; maxValue = max(maxValue, nextValue); valueHigh = max(valueHigh, nextValue) }
            return .value(nextValue)
        }
    }

    private mutating func allocateValues(_ count: Int) -> Int32 {
        let first = nextValue
        nextValue += Int32(count)
        maxValue = max(maxValue, nextValue)
        valueHigh = max(valueHigh, nextValue)
        return first
    }

    private mutating func allocateFloats(_ count: Int) -> Int32 {
        let first = nextFloat
        nextFloat += Int32(count)
        maxFloat = max(maxFloat, nextFloat)
        return first
    }

    private func marks() -> (Int32, Int32, Int32) { (nextInt, nextFloat, nextValue) }

    private mutating func reset(_ mark: (Int32, Int32, Int32)) {
        (nextInt, nextFloat, nextValue) = mark
    }

    private func isTemporary(_ register: Register, _ mark: (Int32, Int32, Int32)) -> Bool {
        switch register {
        case .int(let i): i >= mark.0
        case .float(let i): i >= mark.1
        case .value(let i): i >= mark.2
        }
    }

    // MARK: - Emitting

    @discardableResult
    private mutating func emit(_ op: Opcode, _ a: Int32 = 0, _ b: Int32 = 0, _ c: Int32 = 0, x: UInt8 = 0) -> Int {
        code.append(Instruction(op, a, b, c, x: x))
        return code.count - 1
    }

    private mutating func constant(_ value: LSLValue) -> Int32 {
        if let index = constantIndex[value] { return index }
        let index = Int32(constants.count)
        constants.append(value)
        constantIndex[value] = index
        return index
    }

    private mutating func move(_ from: Register, to: Register) {
        guard from != to else { return }
        switch (to, from) {
        case (.int(let a), .int(let b)): emit(.imov, a, b)
        case (.float(let a), .float(let b)): emit(.fmov, a, b)
        case (.value(let a), .value(let b)): emit(.vmov, a, b)
        default: preconditionFailure("move between register kinds")
        }
    }

    private mutating func zero(of type: LSLType) -> Register {
        let register = allocate(type)
        switch register {
        case .int(let a): emit(.iconst, a, 0)
        case .float(let a): emit(.fconst, a, 0)
        case .value(let a): emit(.vconst, a, constant(.zero(of: type)))
        }
        return register
    }

    private mutating func emitReturn(_ register: Register) {
        switch register {
        case .int(let a): emit(.reti, a)
        case .float(let a): emit(.retf, a)
        case .value(let a): emit(.retv, a)
        }
    }

    /// The register as a value register (boxing integers and floats).
    private mutating func boxed(_ register: Register, into target: Int32? = nil) -> Int32 {
        switch register {
        case .value(let v):
            if let target, target != v { emit(.vmov, target, v); return target }
            return v
        case .int(let i):
            let v = target ?? allocate(.string).index
            emit(.boxi, v, i)
            return v
        case .float(let f):
            let v = target ?? allocate(.string).index
            emit(.boxf, v, f)
            return v
        }
    }

    // MARK: - Variables

    private func lookup(_ name: String) -> Variable? {
        for scope in scopes.reversed() {
            if let variable = scope[name] { return variable }
        }
        return globals[name]
    }

    private func register(of variable: Variable) -> Register {
        switch variable.type.kind {
        case .int: .int(variable.slot)
        case .float: .float(variable.slot)
        case .value: .value(variable.slot)
        }
    }

    private mutating func loadGlobal(_ variable: Variable) -> Register {
        let register = allocate(variable.type)
        switch register {
        case .int(let a): emit(.ldgi, a, variable.slot)
        case .float(let a): emit(.ldgf, a, variable.slot)
        case .value(let a): emit(.ldgv, a, variable.slot)
        }
        return register
    }

    private mutating func storeGlobal(_ variable: Variable, from register: Register) {
        switch register {
        case .int(let b): emit(.stgi, variable.slot, b)
        case .float(let b): emit(.stgf, variable.slot, b)
        case .value(let b): emit(.stgv, variable.slot, b)
        }
    }

    /// Reads a variable: a local's own register, or a global loaded into a temporary.
    private mutating func read(_ variable: Variable) -> Register {
        variable.isGlobal ? loadGlobal(variable) : register(of: variable)
    }

    private mutating func write(_ variable: Variable, from register: Register) {
        if variable.isGlobal {
            storeGlobal(variable, from: register)
        } else {
            move(register, to: self.register(of: variable))
        }
    }

    private func memberIndex(_ member: String) -> UInt8 {
        switch member {
        case "x": 0
        case "y": 1
        case "z": 2
        default: 3
        }
    }

    // MARK: - Statements

    private mutating func generate(_ statement: Statement) {
        let outerHigh = valueHigh
        valueHigh = nextValue
        generateStatement(statement)
        valueHigh = max(outerHigh, valueHigh)
    }

    /// Lets go of value temporaries from `first` up to the statement's high-water mark.
    private mutating func clearValues(from first: Int32) {
        if valueHigh > first { emit(.vclear, first, valueHigh - first) }
    }

    private mutating func generateStatement(_ statement: Statement) {
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

    /// Whether the body being generated is an event handler (its `return` ends the event).
    private var isHandler = false
    /// The highest value register the current statement has used, so its temporaries can let go
    /// of their values when it ends (they would otherwise count against memory until reused).
    private var valueHigh: Int32 = 0

    /// A statement that is the body of `if`/`while`/`for`: its own scope.
    private mutating func scoped(_ statement: Statement) {
        let mark = marks()
        scopes.append([:])
        generate(statement)
        scopes.removeLast()
        reset(mark)
    }

    private mutating func patch(_ at: Int) {
        code[at].setTarget(Int32(code.count))
    }

    /// Emits a jump taken when `condition`'s truth is `when`, and returns where to patch its
    /// target. Integer comparisons become one compare-and-jump.
    private mutating func branch(_ condition: Expression, when: Bool) -> Int {
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

    private static let comparisonBranches: [BinaryOperator: (registers: Opcode, immediate: Opcode)] = [
        .less: (.jlt, .jltk), .lessEqual: (.jle, .jlek), .greater: (.jgt, .jgtk), .greaterEqual: (.jge, .jgek),
        .equal: (.jeq, .jeqk), .notEqual: (.jne, .jnek),
    ]

    private static let negated: [BinaryOperator: BinaryOperator] = [
        .less: .greaterEqual, .lessEqual: .greater, .greater: .lessEqual, .greaterEqual: .less,
        .equal: .notEqual, .notEqual: .equal,
    ]

    /// The value of an integer literal (or a negated one), when the expression is one.
    private static func integerLiteral(_ expression: Expression) -> Int32? {
        switch expression {
        case .integer(let n, _): n
        case .parenthesized(let inner, _): integerLiteral(inner)
        case .unary(.negate, .integer(let n, _), _): 0 &- n
        default: nil
        }
    }

    /// The value of a float or integer literal used where a float is expected.
    private static func floatLiteral(_ expression: Expression) -> Float? {
        switch expression {
        case .float(let f, _): f
        case .integer(let n, _): Float(n)
        case .parenthesized(let inner, _): floatLiteral(inner)
        case .unary(.negate, let inner, _): floatLiteral(inner).map { -$0 }
        default: nil
        }
    }

    /// An integer register that is nonzero when the value is true (LSL's truthiness).
    private mutating func truth(_ register: Register) -> Int32 {
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

    // MARK: - Types

    /// The type of an expression in the current scope (nil for a void call or `print`).
    private func type(of expression: Expression) -> LSLType? {
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

    private func type(of target: LValue) -> LSLType? {
        if target.member != nil { return .float }
        if let variable = lookup(target.name) { return variable.type }
        return LSLDefinitions.constants[target.name]?.type
    }

    /// Whether evaluating the expression may change a variable (so an operand read before it
    /// must be copied first).
    private func hasEffects(_ expression: Expression) -> Bool {
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
    private mutating func expressionOrVoid(_ value: Expression) -> Register? {
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
    private mutating func expression(_ value: Expression, as type: LSLType) -> Register {
        let register = expression(value)
        return convert(register, from: self.type(of: value) ?? type, to: type)
    }

    private mutating func convert(_ register: Register, from: LSLType, to: LSLType) -> Register {
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
    private mutating func expression(_ value: Expression) -> Register {
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

    private mutating func read(_ target: LValue) -> Register {
        guard let variable = lookup(target.name) else {
            return builtinConstant(target.name)
        }
        let whole = read(variable)
        guard let member = target.member else { return whole }
        let f = allocate(.float).index
        emit(.vget, f, whole.index, x: memberIndex(member))
        return .float(f)
    }

    private mutating func builtinConstant(_ name: String) -> Register {
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

    private mutating func composite(_ parts: [Expression], op: Opcode, type: LSLType) -> Register {
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

    private mutating func cast(_ register: Register, from: LSLType, to: LSLType) -> Register {
        if from == to { return register }
        switch (from, to) {
        case (.integer, .float), (.float, .integer): return convert(register, from: from, to: to)
        default:
            let source = boxed(register)
            let v = allocate(.string).index
            emit(.vcast, v, source, x: to.code)
            switch to.kind {
            case .value: return .value(v)
            case .int:
                let i = allocate(.integer).index; emit(.unboxi, i, v); return .int(i)
            case .float:
                let f = allocate(.float).index; emit(.unboxf, f, v); return .float(f)
            }
        }
    }

    /// Both operands of a binary operator, right first (LSL evaluates right to left), converted
    /// to `type`. A right operand that is a local's own register is copied when the left one
    /// could change it.
    private mutating func operands(_ left: Expression, _ right: Expression, as type: LSLType) -> (Register, Register) {
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

    private static let intOps: [BinaryOperator: Opcode] = [
        .add: .iadd, .subtract: .isub, .multiply: .imul, .divide: .idiv, .modulo: .imod,
        .bitAnd: .iand, .bitOr: .ior, .bitXor: .ixor, .shiftLeft: .ishl, .shiftRight: .ishr,
        .and: .iland, .or: .ilor,
        .equal: .ieq, .notEqual: .ine, .less: .ilt, .lessEqual: .ile, .greater: .igt, .greaterEqual: .ige,
    ]
    private static let floatOps: [BinaryOperator: Opcode] = [
        .add: .fadd, .subtract: .fsub, .multiply: .fmul, .divide: .fdiv,
    ]
    private static let floatImmediates: [BinaryOperator: Opcode] = [.add: .faddk, .subtract: .fsubk, .multiply: .fmulk]
    private static let floatComparisons: [BinaryOperator: Opcode] = [
        .equal: .feq, .notEqual: .fne, .less: .flt, .lessEqual: .fle, .greater: .fgt, .greaterEqual: .fge,
    ]

    /// A binary operation; integer and float results go to `destination` when one is given (a
    /// local the result is assigned to), saving a move.
    private mutating func binary(_ op: BinaryOperator, _ left: Expression, _ right: Expression, into destination: Register? = nil) -> Register {
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
        switch result.kind {
        case .value: return .value(v)
        case .int:
            let i = destination?.index ?? allocate(.integer).index; emit(.unboxi, i, v); return .int(i)
        case .float:
            let f = destination?.index ?? allocate(.float).index; emit(.unboxf, f, v); return .float(f)
        }
    }

    private mutating func assign(_ op: AssignmentOperator, _ target: LValue, _ value: Expression, resultUsed: Bool = true) -> Register {
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

    /// `i < limit` with `++i`, `i++`, `i += 1` or `i = i + 1` as the only step, where `i` is an
    /// integer local and `limit` an integer literal or another integer local.
    private func countedLoop(_ condition: Expression?, _ steps: [Expression]) -> (counter: Int32, limit: Int32, limitIsLiteral: Bool)? {
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

    static func stripped(_ expression: Expression) -> Expression {
        var inner = expression
        while case .parenthesized(let e, _) = inner { inner = e }
        return inner
    }

    /// What `op value` appends to `target`, when it is an append: `+= x`, or `= target + x`.
    private func appendedPart(_ op: AssignmentOperator, _ target: LValue, _ value: Expression) -> Expression? {
        if op == .add { return value }
        guard op == .assign else { return nil }
        var inner = value
        while case .parenthesized(let e, _) = inner { inner = e }
        guard case .binary(.add, var left, let right, _) = inner else { return nil }
        while case .parenthesized(let e, _) = left { left = e }
        guard case .variable(let read) = left, read.name == target.name, read.member == nil else { return nil }
        return right
    }

    private mutating func increment(_ target: LValue, by step: Int32, returnsOld: Bool) -> Register {
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

    // MARK: - Calls

    /// A call; nil for a void function.
    private mutating func call(_ name: String, _ arguments: [Expression]) -> Register? {
        if let index = functionIndex[name] {
            let function = functions[Int(index)]
            // Arguments left to right into temporaries, then into the callee's frame.
            var registers: [Register] = []
            for (argument, type) in zip(arguments, function.parameterTypes) {
                registers.append(expression(argument, as: type))
            }
            var counts = (Int32(0), Int32(0), Int32(0))
            for register in registers {
                switch register {
                case .int(let b): emit(.argi, counts.0, b); counts.0 += 1
                case .float(let b): emit(.argf, counts.1, b); counts.1 += 1
                case .value(let b): emit(.argv, counts.2, b); counts.2 += 1
                }
            }
            emit(.call, index)
            guard let returnType = function.returnType else { return nil }
            let result = allocate(returnType)
            switch result {
            case .int(let a): emit(.geti, a)
            case .float(let a): emit(.getf, a)
            case .value(let a): emit(.getv, a)
            }
            return result
        }
        guard let definition = LSLDefinitions.functions[name] else { return nil }
        if let intrinsic = Intrinsics.names[name], let returnType = definition.returnType {
            // Computed inline on typed registers: no boxing, no argument array.
            var registers: [Register] = []
            for (index, (argument, parameter)) in zip(arguments, definition.parameters).enumerated() {
                let mark = marks()
                var register = expression(argument, as: parameter.type)
                // A local read before an argument that may change it is read now.
                if !isTemporary(register, mark), arguments[(index + 1)...].contains(where: { hasEffects($0) }) {
                    let copy = allocate(parameter.type)
                    move(register, to: copy)
                    register = copy
                }
                registers.append(register)
            }
            let result = allocate(returnType)
            emit(intrinsic, result.index, registers[0].index, registers.count > 1 ? registers[1].index : 0)
            return result
        }
        let first = allocateValues(max(arguments.count, 1))
        for (index, (argument, parameter)) in zip(arguments, definition.parameters).enumerated() {
            let mark = marks()
            let register = expression(argument, as: parameter.type)
            _ = boxed(register, into: first + Int32(index))
            reset(mark)
        }
        let opcode: Opcode
        let table: Int32
        if let runtime = RuntimeFunction(name: name) {
            opcode = .runtime
            table = runtime.rawValue
        } else if LSLLibrary.functions[name] != nil {
            opcode = .lib
            table = libraryIndex[name] ?? {
                let index = Int32(libraryNames.count)
                libraryNames.append(name)
                libraryIndex[name] = index
                return index
            }()
        } else {
            opcode = .host
            table = hostIndex[name] ?? {
                let index = Int32(hostNames.count)
                hostNames.append(name)
                hostIndex[name] = index
                return index
            }()
        }
        emit(opcode, first, first, table)
        guard let returnType = definition.returnType else { return nil }
        switch returnType.kind {
        case .value: return .value(first)
        case .int:
            let i = allocate(.integer).index; emit(.unboxi, i, first); return .int(i)
        case .float:
            let f = allocate(.float).index; emit(.unboxf, f, first); return .float(f)
        }
    }
}

extension LSLType {
    /// Which register file holds a value of the type.
    enum Kind { case int, float, value }

    var kind: Kind {
        switch self {
        case .integer: .int
        case .float: .float
        default: .value
        }
    }

    /// The type as the `x` operand of `vcast`.
    var code: UInt8 { UInt8(LSLType.allCases.firstIndex(of: self)!) }

    init?(code: UInt8) {
        guard Int(code) < LSLType.allCases.count else { return nil }
        self = LSLType.allCases[Int(code)]
    }
}

extension BinaryOperator: CaseIterable {
    public static let allCases: [BinaryOperator] = [
        .multiply, .divide, .modulo, .add, .subtract, .shiftLeft, .shiftRight, .less, .lessEqual, .greater,
        .greaterEqual, .equal, .notEqual, .bitAnd, .bitXor, .bitOr, .and, .or,
    ]
    var code: UInt8 { UInt8(Self.allCases.firstIndex(of: self)!) }
}

extension UnaryOperator: CaseIterable {
    public static let allCases: [UnaryOperator] = [.negate, .not, .bitNot]
    var code: UInt8 { UInt8(Self.allCases.firstIndex(of: self)!) }
}

extension Instruction {
    /// Points a jump at `target` (whichever operand holds the target for its opcode).
    mutating func setTarget(_ target: Int32) {
        switch op {
        case .jmp: a = target
        case .jz, .jnz: b = target
        default: c = target
        }
    }
}
