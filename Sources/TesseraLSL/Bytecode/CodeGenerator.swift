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

    var code: [Instruction] = []
    var constants: [LSLValue] = []
    var constantIndex: [LSLValue: Int32] = [:]
    var functions: [CompiledFunction] = []
    var functionIndex: [String: Int32] = [:]
    var libraryNames: [String] = []
    var libraryIndex: [String: Int32] = [:]
    var hostNames: [String] = []
    var hostIndex: [String: Int32] = [:]
    var globalTypes: [LSLType] = []
    var globals: [String: Variable] = [:]
    var stateIndex: [String: Int32] = [:]

    // The function being generated.
    var scopes: [[String: Variable]] = []
    var nextInt: Int32 = 0, nextFloat: Int32 = 0, nextValue: Int32 = 0
    var maxInt: Int32 = 0, maxFloat: Int32 = 0, maxValue: Int32 = 0
    var labels: [String: Int32] = [:]
    var pendingJumps: [(at: Int, label: String)] = []
    var returnType: LSLType?
    /// Whether the body being generated is an event handler (its `return` ends the event).
    var isHandler = false
    /// The highest value register the current statement has used, so its temporaries can let go
    /// of their values when it ends (they would otherwise count against memory until reused).
    var valueHigh: Int32 = 0

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

    mutating func beginFunction(parameters: [Parameter], returnType: LSLType?) {
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

    mutating func endFunction(index: Int32, entry: Int) {
        for jump in pendingJumps {
            let target = labels[jump.label] ?? Int32(code.count)
            code[jump.at].a = target
        }
        functions[Int(index)].entry = Int32(entry)
        functions[Int(index)].intCount = maxInt
        functions[Int(index)].floatCount = maxFloat
        functions[Int(index)].valueCount = maxValue
    }

    mutating func generateBody(index: Int32, parameters: [Parameter], body: [Statement], returnType: LSLType?, isHandler: Bool) {
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

    mutating func generateGlobalInitializer(index: Int32, _ list: [GlobalVariable]) {
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

    mutating func allocate(_ type: LSLType) -> Register {
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

    mutating func allocateValues(_ count: Int) -> Int32 {
        let first = nextValue
        nextValue += Int32(count)
        maxValue = max(maxValue, nextValue)
        valueHigh = max(valueHigh, nextValue)
        return first
    }

    mutating func allocateFloats(_ count: Int) -> Int32 {
        let first = nextFloat
        nextFloat += Int32(count)
        maxFloat = max(maxFloat, nextFloat)
        return first
    }

    func marks() -> (Int32, Int32, Int32) { (nextInt, nextFloat, nextValue) }

    mutating func reset(_ mark: (Int32, Int32, Int32)) {
        (nextInt, nextFloat, nextValue) = mark
    }

    func isTemporary(_ register: Register, _ mark: (Int32, Int32, Int32)) -> Bool {
        switch register {
        case .int(let i): i >= mark.0
        case .float(let i): i >= mark.1
        case .value(let i): i >= mark.2
        }
    }

    // MARK: - Emitting

    @discardableResult
    mutating func emit(_ op: Opcode, _ a: Int32 = 0, _ b: Int32 = 0, _ c: Int32 = 0, x: UInt8 = 0) -> Int {
        code.append(Instruction(op, a, b, c, x: x))
        return code.count - 1
    }

    mutating func constant(_ value: LSLValue) -> Int32 {
        if let index = constantIndex[value] { return index }
        let index = Int32(constants.count)
        constants.append(value)
        constantIndex[value] = index
        return index
    }

    mutating func move(_ from: Register, to: Register) {
        guard from != to else { return }
        switch (to, from) {
        case (.int(let a), .int(let b)): emit(.imov, a, b)
        case (.float(let a), .float(let b)): emit(.fmov, a, b)
        case (.value(let a), .value(let b)): emit(.vmov, a, b)
        default: preconditionFailure("move between register kinds")
        }
    }

    mutating func zero(of type: LSLType) -> Register {
        let register = allocate(type)
        switch register {
        case .int(let a): emit(.iconst, a, 0)
        case .float(let a): emit(.fconst, a, 0)
        case .value(let a): emit(.vconst, a, constant(.zero(of: type)))
        }
        return register
    }

    mutating func emitReturn(_ register: Register) {
        switch register {
        case .int(let a): emit(.reti, a)
        case .float(let a): emit(.retf, a)
        case .value(let a): emit(.retv, a)
        }
    }

    /// The register as a value register (boxing integers and floats).
    mutating func boxed(_ register: Register, into target: Int32? = nil) -> Int32 {
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

    /// A value register's content in a register of `type`'s kind: integers and floats are
    /// unboxed (into `destination` when one is given), other values stay where they are.
    mutating func unboxed(_ v: Int32, as type: LSLType, into destination: Register? = nil) -> Register {
        switch type.kind {
        case .value: return .value(v)
        case .int:
            let i = destination?.index ?? allocate(.integer).index
            emit(.unboxi, i, v)
            return .int(i)
        case .float:
            let f = destination?.index ?? allocate(.float).index
            emit(.unboxf, f, v)
            return .float(f)
        }
    }

    // MARK: - Variables

    func lookup(_ name: String) -> Variable? {
        for scope in scopes.reversed() {
            if let variable = scope[name] { return variable }
        }
        return globals[name]
    }

    func register(of variable: Variable) -> Register {
        switch variable.type.kind {
        case .int: .int(variable.slot)
        case .float: .float(variable.slot)
        case .value: .value(variable.slot)
        }
    }

    mutating func loadGlobal(_ variable: Variable) -> Register {
        let register = allocate(variable.type)
        switch register {
        case .int(let a): emit(.ldgi, a, variable.slot)
        case .float(let a): emit(.ldgf, a, variable.slot)
        case .value(let a): emit(.ldgv, a, variable.slot)
        }
        return register
    }

    mutating func storeGlobal(_ variable: Variable, from register: Register) {
        switch register {
        case .int(let b): emit(.stgi, variable.slot, b)
        case .float(let b): emit(.stgf, variable.slot, b)
        case .value(let b): emit(.stgv, variable.slot, b)
        }
    }

    /// Reads a variable: a local's own register, or a global loaded into a temporary.
    mutating func read(_ variable: Variable) -> Register {
        variable.isGlobal ? loadGlobal(variable) : register(of: variable)
    }

    mutating func write(_ variable: Variable, from register: Register) {
        if variable.isGlobal {
            storeGlobal(variable, from: register)
        } else {
            move(register, to: self.register(of: variable))
        }
    }

    func memberIndex(_ member: String) -> UInt8 {
        switch member {
        case "x": 0
        case "y": 1
        case "z": 2
        default: 3
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
