/// Where a suspended caller resumes.
struct Frame: Sendable, Hashable {
    var function: Int32
    var pc: Int32
    var intBase: Int32
    var floatBase: Int32
    var valueBase: Int32
}

/// The whole state of one running script, a plain value: globals, registers, frames, state,
/// queue, timer, clock and memory (docs/lsl.md, "Running scripts"). `LSLScript` wraps it;
/// `capture()` writes it out field by field.
struct Machine {
    // Globals, by kind, and the memory each global value takes.
    var globalInts: [Int32] = []
    var globalFloats: [Float] = []
    var globalValues: [LSLValue] = []
    var globalSizes: [Int32] = []
    // Registers of every frame on the stack, by kind.
    let intRegisters = Registers<Int32>(zero: 0)
    let floatRegisters = Registers<Float>(zero: 0)
    var values: [LSLValue] = []
    var valueSizes: [Int32] = []
    /// Callers of the running function, innermost last.
    var frames: [Frame] = []
    /// The running function; nil when no event is in progress.
    var current: Frame?
    var returnInt: Int32 = 0
    var returnFloat: Float = 0
    var returnValue: LSLValue = .integer(0)

    var state: Int32 = 0
    var queue: [LSLEvent] = []
    /// The detected records of the event in progress (or of the last one run).
    var detected: [LSLDetected] = []
    var droppedEvents: Int = 0
    /// When the running handler ends: 1 = it was `state_exit` for a change to `pendingState`.
    var pendingState: Int32 = -1
    var inStateExit = false
    var timerInterval: Double = 0
    var nextTimer: Double = -1
    var sleepUntil: Double = -1
    var timeBase: Double = 0
    var now: Double = 0
    var random: LSLRandom
    var used: Int = LSLMemory.base
    var memoryLimit: Int = LSLMemory.limit
    var peakUsed: Int = LSLMemory.base
    var failure: LSLRuntimeError?

    init(seed: UInt64) {
        random = LSLRandom(seed: seed)
    }

    static let queueLimit = 64

    // MARK: - Starting

    /// Fresh globals and nothing else: a new script, or `llResetScript`.
    mutating func reset(_ program: LSLProgram, script: LSLScript) {
        globalInts = Array(repeating: 0, count: program.globalIntCount)
        globalFloats = Array(repeating: 0, count: program.globalFloatCount)
        globalValues = Array(repeating: .integer(0), count: program.globalValueCount)
        globalSizes = Array(repeating: 0, count: program.globalValueCount)
        intRegisters.removeAll()
        floatRegisters.removeAll()
        values = []
        valueSizes = []
        frames = []
        current = nil
        returnValue = .integer(0)
        state = 0
        queue = []
        detected = []
        script.currentDetected = []
        pendingState = -1
        inStateExit = false
        timerInterval = 0
        nextTimer = -1
        sleepUntil = -1
        timeBase = now
        used = LSLMemory.base + program.globalIntCount * 4 + program.globalFloatCount * 4
        // Globals start at their types' zero values, then the initializers run to the end.
        var v = 0
        for type in program.globalTypes where type.kind == .value {
            let zero = LSLValue.zero(of: type)
            globalValues[v] = zero
            globalSizes[v] = Int32(LSLMemory.size(of: zero))
            used += Int(globalSizes[v])
            v += 1
        }
        start(function: program.initializer, arguments: [], program)
        var budget = Int.max
        _ = execute(&budget, program, script: script)
        if program.handler(state: 0, event: LSLEventIDs.stateEntry) != nil {
            queue.append(LSLEvent(id: LSLEventIDs.stateEntry))
        }
    }

    /// Sets up the frame of an event handler (or the global initializer) with its arguments.
    mutating func start(function index: Int32, arguments: [LSLValue], _ program: LSLProgram) {
        let function = program.functions[Int(index)]
        let frame = Frame(function: index, pc: function.entry, intBase: 0, floatBase: 0, valueBase: 0)
        grow(to: frame, program.layouts[Int(index)])
        used += function.frameBytes
        var counts = (0, 0, 0)
        for (argument, type) in zip(arguments, function.parameterTypes) {
            switch type.kind {
            case .int:
                if case .integer(let n) = argument { intRegisters.base[counts.0] = n }
                counts.0 += 1
            case .float:
                switch argument {
                case .float(let f): floatRegisters.base[counts.1] = f
                case .integer(let n): floatRegisters.base[counts.1] = Float(n)
                default: break
                }
                counts.1 += 1
            case .value:
                let value = argument.type == type ? argument : argument.cast(to: type)
                setValue(counts.2, value)
                counts.2 += 1
            }
        }
        current = frame
    }

    /// Makes room for a frame's registers.
    @inline(__always)
    mutating func grow(to frame: Frame, _ function: FrameLayout) {
        intRegisters.ensure(Int(frame.intBase + function.intCount))
        floatRegisters.ensure(Int(frame.floatBase + function.floatCount))
        let needValues = Int(frame.valueBase + function.valueCount)
        if values.count < needValues {
            values.append(contentsOf: repeatElement(.integer(0), count: needValues - values.count))
            valueSizes.append(contentsOf: repeatElement(0, count: needValues - valueSizes.count))
        }
    }

    /// Releases a frame's values (they no longer count against memory).
    @inline(__always)
    mutating func release(_ frame: Frame, _ function: FrameLayout) {
        let base = Int(frame.valueBase)
        for i in base..<(base + Int(function.valueCount)) where valueSizes[i] != 0 || values[i] != .integer(0) {
            used -= Int(valueSizes[i])
            valueSizes[i] = 0
            values[i] = .integer(0)
        }
        used -= function.frameBytes
    }

    @inline(__always)
    mutating func setValue(_ index: Int, _ value: LSLValue) {
        let size = Int32(truncatingIfNeeded: LSLMemory.size(of: value))
        used += Int(size) - Int(valueSizes[index])
        valueSizes[index] = size
        values[index] = value
    }

    @inline(__always)
    mutating func setValue(_ index: Int, _ value: LSLValue, size: Int32) {
        used += Int(size) - Int(valueSizes[index])
        valueSizes[index] = size
        values[index] = value
    }

    // MARK: - Executing

    enum Stop {
        case budget, eventDone, stateChange(Int32), sleep(Double), failed(LSLRuntimeError), reset
    }

    /// Runs the current frame until the event ends, the budget runs out, or the script stops.
    mutating func execute(_ budgetLeft: inout Int, _ program: LSLProgram, script: LSLScript) -> Stop {
        guard var frame = current else { return .eventDone }
        var budget = budgetLeft
        defer { budgetLeft = budget }
        let code = program.code
        var ints = intRegisters.base
        var floats = floatRegisters.base
        var pc = Int(frame.pc)
        var ib = Int(frame.intBase), fb = Int(frame.floatBase), vb = Int(frame.valueBase)
        var function = program.layouts[Int(frame.function)]


        while true {
            if budget <= 0 {
                current = Frame(function: frame.function, pc: Int32(pc), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                return .budget
            }
            budget -= 1
            let ins = code[pc]
            pc += 1
            let a = Int(ins.a), b = Int(ins.b), c = Int(ins.c)
            switch ins.op {
            case .iconst: ints[ib + a] = ins.b
            case .imov: ints[ib + a] = ints[ib + b]
            case .iadd: ints[ib + a] = ints[ib + b] &+ ints[ib + c]
            case .isub: ints[ib + a] = ints[ib + b] &- ints[ib + c]
            case .imul: ints[ib + a] = ints[ib + b] &* ints[ib + c]
            case .idiv:
                let divisor = ints[ib + c]
                if divisor == 0 { current = Frame(function: frame.function, pc: Int32(pc - 1), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb)); return .failed(.mathError) }
                let dividend = ints[ib + b]
                ints[ib + a] = divisor == -1 ? 0 &- dividend : dividend / divisor
            case .imod:
                let divisor = ints[ib + c]
                if divisor == 0 { current = Frame(function: frame.function, pc: Int32(pc - 1), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb)); return .failed(.mathError) }
                ints[ib + a] = divisor == -1 ? 0 : ints[ib + b] % divisor
            case .iand: ints[ib + a] = ints[ib + b] & ints[ib + c]
            case .ior: ints[ib + a] = ints[ib + b] | ints[ib + c]
            case .ixor: ints[ib + a] = ints[ib + b] ^ ints[ib + c]
            case .ishl: ints[ib + a] = ints[ib + b] << (ints[ib + c] & 31)
            case .ishr: ints[ib + a] = ints[ib + b] >> (ints[ib + c] & 31)
            case .iland: ints[ib + a] = (ints[ib + b] != 0 && ints[ib + c] != 0) ? 1 : 0
            case .ilor: ints[ib + a] = (ints[ib + b] != 0 || ints[ib + c] != 0) ? 1 : 0
            case .ieq: ints[ib + a] = ints[ib + b] == ints[ib + c] ? 1 : 0
            case .ine: ints[ib + a] = ints[ib + b] != ints[ib + c] ? 1 : 0
            case .ilt: ints[ib + a] = ints[ib + b] < ints[ib + c] ? 1 : 0
            case .ile: ints[ib + a] = ints[ib + b] <= ints[ib + c] ? 1 : 0
            case .igt: ints[ib + a] = ints[ib + b] > ints[ib + c] ? 1 : 0
            case .ige: ints[ib + a] = ints[ib + b] >= ints[ib + c] ? 1 : 0
            case .iaddk: ints[ib + a] = ints[ib + b] &+ ins.c
            case .ineg: ints[ib + a] = 0 &- ints[ib + b]
            case .inot: ints[ib + a] = ints[ib + b] == 0 ? 1 : 0
            case .ibitnot: ints[ib + a] = ~ints[ib + b]

            case .fconst: floats[fb + a] = Float(bitPattern: UInt32(bitPattern: ins.b))
            case .fmov: floats[fb + a] = floats[fb + b]
            case .fadd: floats[fb + a] = floats[fb + b] + floats[fb + c]
            case .fsub: floats[fb + a] = floats[fb + b] - floats[fb + c]
            case .fmul: floats[fb + a] = floats[fb + b] * floats[fb + c]
            case .fdiv:
                // Division by zero, and a division whose result is not a number (inf / inf, a
                // NaN dividend), are Math Errors, as the library's `/` on values says.
                let divisor = floats[fb + c]
                let quotient = floats[fb + b] / divisor
                if divisor == 0 || quotient.isNaN {
                    current = Frame(function: frame.function, pc: Int32(pc - 1), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                    return .failed(.mathError)
                }
                floats[fb + a] = quotient
            case .feq: ints[ib + a] = floats[fb + b] == floats[fb + c] ? 1 : 0
            case .fne: ints[ib + a] = floats[fb + b] != floats[fb + c] ? 1 : 0
            case .flt: ints[ib + a] = floats[fb + b] < floats[fb + c] ? 1 : 0
            case .fle: ints[ib + a] = floats[fb + b] <= floats[fb + c] ? 1 : 0
            case .fgt: ints[ib + a] = floats[fb + b] > floats[fb + c] ? 1 : 0
            case .fge: ints[ib + a] = floats[fb + b] >= floats[fb + c] ? 1 : 0
            case .fneg: floats[fb + a] = -floats[fb + b]
            case .faddk: floats[fb + a] = floats[fb + b] + Float(bitPattern: UInt32(bitPattern: ins.c))
            case .fsubk: floats[fb + a] = floats[fb + b] - Float(bitPattern: UInt32(bitPattern: ins.c))
            case .fmulk: floats[fb + a] = floats[fb + b] * Float(bitPattern: UInt32(bitPattern: ins.c))
            case .itof: floats[fb + a] = Float(ints[ib + b])
            case .ftoi:
                if case .integer(let n) = LSLValue.float(floats[fb + b]).cast(to: .integer) { ints[ib + a] = n }
            case .ftrue: ints[ib + a] = floats[fb + b] != 0 ? 1 : 0
            case .sqrtf: floats[fb + a] = Intrinsics.sqrt(floats[fb + b])
            case .fabsf: floats[fb + a] = Intrinsics.fabs(floats[fb + b])
            case .iabs: ints[ib + a] = Intrinsics.abs(ints[ib + b])
            case .listlen: ints[ib + a] = Intrinsics.listLength(values[vb + b])
            case .list2int:
                ints[ib + a] = Intrinsics.list2Integer(values[vb + b], ints[ib + c])
            case .list2float:
                floats[fb + a] = Intrinsics.list2Float(values[vb + b], ints[ib + c])
            case .strlen: ints[ib + a] = Intrinsics.stringLength(values[vb + b])

            case .vconst: setValue(vb + a, program.constants[b])
            case .vmov: setValue(vb + a, values[vb + b], size: valueSizes[vb + b])
            case .vbin:
                let op = BinaryOperator.allCases[Int(ins.x)]
                let left = values[vb + b], right = values[vb + c]
                do {
                    let result = try LSLOperators.binary(op, left, right)
                    if op == .add, case .list = result {
                        // A join costs what its parts cost, less one list header.
                        let l = left.type == .list ? valueSizes[vb + b] : valueSizes[vb + b] + 8
                        let r = right.type == .list ? valueSizes[vb + c] - 16 : valueSizes[vb + c] + 8
                        setValue(vb + a, result, size: left.type == .list ? l + r : r + 16 + l)
                    } else {
                        setValue(vb + a, result)
                    }
                } catch {
                    current = Frame(function: frame.function, pc: Int32(pc - 1), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                    return .failed(error)
                }
            case .vun:
                do {
                    setValue(vb + a, try LSLOperators.unary(UnaryOperator.allCases[Int(ins.x)], values[vb + b]))
                } catch {
                    current = Frame(function: frame.function, pc: Int32(pc - 1), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                    return .failed(error)
                }
            case .vcast:
                setValue(vb + a, values[vb + b].cast(to: LSLType(code: ins.x) ?? .string))
            case .vtrue: ints[ib + a] = values[vb + b].isTrue ? 1 : 0
            case .boxi: setValue(vb + a, .integer(ints[ib + b]), size: 4)
            case .boxf: setValue(vb + a, .float(floats[fb + b]), size: 4)
            case .unboxi:
                switch values[vb + b] {
                case .integer(let n): ints[ib + a] = n
                case .float(let f): if case .integer(let n) = LSLValue.float(f).cast(to: .integer) { ints[ib + a] = n }
                default: ints[ib + a] = 0
                }
            case .unboxf:
                switch values[vb + b] {
                case .float(let f): floats[fb + a] = f
                case .integer(let n): floats[fb + a] = Float(n)
                default: floats[fb + a] = 0
                }
            case .vget:
                let component: Float
                switch values[vb + b] {
                case .vector(let v): component = ins.x == 0 ? v.x : ins.x == 1 ? v.y : v.z
                case .rotation(let r): component = ins.x == 0 ? r.x : ins.x == 1 ? r.y : ins.x == 2 ? r.z : r.s
                default: component = 0
                }
                floats[fb + a] = component
            case .vset:
                let f = floats[fb + b]
                switch values[vb + a] {
                case .vector(var v):
                    if ins.x == 0 { v.x = f } else if ins.x == 1 { v.y = f } else { v.z = f }
                    values[vb + a] = .vector(v)
                case .rotation(var r):
                    if ins.x == 0 { r.x = f } else if ins.x == 1 { r.y = f } else if ins.x == 2 { r.z = f } else { r.s = f }
                    values[vb + a] = .rotation(r)
                default: break
                }
            case .mkvec:
                setValue(vb + a, .vector(LSLVector(floats[fb + b], floats[fb + b + 1], floats[fb + b + 2])), size: 12)
            case .mkrot:
                setValue(vb + a, .rotation(LSLRotation(floats[fb + b], floats[fb + b + 1], floats[fb + b + 2], floats[fb + b + 3])), size: 16)
            case .mklist:
                var elements: [LSLValue] = []
                elements.reserveCapacity(c)
                var size: Int32 = 16
                for i in 0..<c {
                    elements.append(values[vb + b + i])
                    size += 8 + valueSizes[vb + b + i]
                }
                setValue(vb + a, .list(elements), size: size)
            case .vappend:
                let right = values[vb + b]
                let rightSize = valueSizes[vb + b]
                var target = values[vb + a]
                values[vb + a] = .integer(0)
                target.append(right)
                setValue(vb + a, target, size: Self.appendedSize(valueSizes[vb + a], target, right, rightSize))
            case .gappend:
                let right = values[vb + b]
                let rightSize = valueSizes[vb + b]
                var target = globalValues[a]
                globalValues[a] = .integer(0)
                target.append(right)
                let size = Self.appendedSize(globalSizes[a], target, right, rightSize)
                used += Int(size - globalSizes[a])
                globalSizes[a] = size
                globalValues[a] = target

            case .ldgi: ints[ib + a] = globalInts[b]
            case .ldgf: floats[fb + a] = globalFloats[b]
            case .vclear:
                for i in (vb + a)..<(vb + a + b) where valueSizes[i] != 0 {
                    used -= Int(valueSizes[i]); valueSizes[i] = 0; values[i] = .integer(0)
                }
            case .ldgv: setValue(vb + a, globalValues[b], size: globalSizes[b])
            case .stgi: globalInts[a] = ints[ib + b]
            case .stgf: globalFloats[a] = floats[fb + b]
            case .stgv:
                used += Int(valueSizes[vb + b]) - Int(globalSizes[a])
                globalSizes[a] = valueSizes[vb + b]
                globalValues[a] = values[vb + b]

            case .jmp: pc = a
            case .jz: if ints[ib + a] == 0 { pc = b }
            case .jnz: if ints[ib + a] != 0 { pc = b }
            case .jlt: if ints[ib + a] < ints[ib + b] { pc = c }
            case .jle: if ints[ib + a] <= ints[ib + b] { pc = c }
            case .jgt: if ints[ib + a] > ints[ib + b] { pc = c }
            case .jge: if ints[ib + a] >= ints[ib + b] { pc = c }
            case .jeq: if ints[ib + a] == ints[ib + b] { pc = c }
            case .jne: if ints[ib + a] != ints[ib + b] { pc = c }
            case .jltk: if ints[ib + a] < ins.b { pc = c }
            case .jlek: if ints[ib + a] <= ins.b { pc = c }
            case .jgtk: if ints[ib + a] > ins.b { pc = c }
            case .jgek: if ints[ib + a] >= ins.b { pc = c }
            case .jeqk: if ints[ib + a] == ins.b { pc = c }
            case .jnek: if ints[ib + a] != ins.b { pc = c }
            case .incjlt:
                let i = ints[ib + a] &+ 1
                ints[ib + a] = i
                if i < ints[ib + b] { pc = c }
            case .incjltk:
                let i = ints[ib + a] &+ 1
                ints[ib + a] = i
                if i < ins.b { pc = c }

            case .argi:
                let i = ib + Int(function.intCount) + a
                intRegisters.ensure(i + 1)
                ints = intRegisters.base
                ints[i] = ints[ib + b]
            case .argf:
                let i = fb + Int(function.floatCount) + a
                floatRegisters.ensure(i + 1)
                floats = floatRegisters.base
                floats[i] = floats[fb + b]
            case .argv:
                let i = vb + Int(function.valueCount) + a
                if i >= values.count {
                    values.append(contentsOf: repeatElement(.integer(0), count: i + 1 - values.count))
                    valueSizes.append(contentsOf: repeatElement(0, count: i + 1 - valueSizes.count))
                }
                setValue(i, values[vb + b], size: valueSizes[vb + b])
            case .call:
                let callee = program.layouts[a]
                frames.append(Frame(function: frame.function, pc: Int32(pc), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb)))
                frame = Frame(function: ins.a, pc: callee.entry, intBase: Int32(ib) + function.intCount,
                              floatBase: Int32(fb) + function.floatCount, valueBase: Int32(vb) + function.valueCount)
                // Arguments were written past the caller's registers, which is where the callee's begin.
                let argumentValues = Int(callee.valueParameters)
                grow(to: frame, callee)
                ints = intRegisters.base
                floats = floatRegisters.base
                // Registers of the callee past its arguments hold nothing of the caller's.
                let firstLocal = Int(frame.valueBase) + argumentValues
                for i in firstLocal..<(Int(frame.valueBase) + Int(callee.valueCount)) where valueSizes[i] != 0 {
                    used -= Int(valueSizes[i]); valueSizes[i] = 0; values[i] = .integer(0)
                }
                used += callee.frameBytes
                if used > memoryLimit {
                    current = frame
                    return .failed(.stackHeapCollision)
                }
                ib = Int(frame.intBase); fb = Int(frame.floatBase); vb = Int(frame.valueBase)
                function = callee
                pc = Int(callee.entry)
                continue
            case .reti, .retf, .retv, .ret:
                switch ins.op {
                case .reti: returnInt = ints[ib + a]
                case .retf: returnFloat = floats[fb + a]
                case .retv: returnValue = values[vb + a]
                default: break
                }
                release(frame, function)
                guard let caller = frames.popLast() else {
                    current = nil
                    return .eventDone
                }
                frame = caller
                function = program.layouts[Int(caller.function)]
                ib = Int(caller.intBase); fb = Int(caller.floatBase); vb = Int(caller.valueBase)
                pc = Int(caller.pc)
            case .geti: ints[ib + a] = returnInt
            case .getf: floats[fb + a] = returnFloat
            case .getv:
                setValue(vb + a, returnValue)
                returnValue = .integer(0)

            case .lib:
                let arity = program.libraryArity[c]
                let arguments = Array(values[(vb + b)..<(vb + b + arity)])
                var context = LSLLibraryContext(random: random)
                do {
                    let result = try program.library[c](arguments, &context)
                    random = context.random
                    // The argument registers let go of their values, so a list passed in stays
                    // unshared and can still grow in place.
                    for i in (vb + b)..<(vb + b + arity) where valueSizes[i] != 0 {
                        used -= Int(valueSizes[i]); valueSizes[i] = 0; values[i] = .integer(0)
                    }
                    setValue(vb + a, result)
                } catch {
                    current = Frame(function: frame.function, pc: Int32(pc - 1), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                    return .failed(error)
                }
            case .host:
                let definition = program.host[c]
                let arguments = Array(values[(vb + b)..<(vb + b + definition.parameters.count)])
                current = Frame(function: frame.function, pc: Int32(pc), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                script.beginHostCall(state: state, queued: queue.count)
                do {
                    let result = try script.callHost(definition, arguments)
                    setValue(vb + a, result)
                } catch {
                    return .failed(error)
                }
                // Events the call caused join the queue now, before anything else can happen
                // (a state change clears them with the rest).
                pullIncoming(program, script: script)
                if definition.sleep > 0 {
                    current = Frame(function: frame.function, pc: Int32(pc), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                    return .sleep(definition.sleep)
                }
            case .runtime:
                let arguments = values[(vb + b)...]
                switch RuntimeFunction(rawValue: ins.c) ?? .scriptProfiler {
                case .setTimerEvent:
                    let seconds = arguments.first.map(Self.float) ?? 0
                    timerInterval = seconds > 0 ? Double(seconds) : 0
                    nextTimer = seconds > 0 ? now + Double(seconds) : -1
                case .sleep:
                    let seconds = arguments.first.map(Self.float) ?? 0
                    if seconds > 0 {
                        current = Frame(function: frame.function, pc: Int32(pc), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                        return .sleep(Double(seconds))
                    }
                case .getFreeMemory:
                    setValue(vb + a, .integer(Int32(clamping: max(0, memoryLimit - used))), size: 4)
                case .getUsedMemory:
                    setValue(vb + a, .integer(Int32(clamping: used)), size: 4)
                case .getSPMaxMemory:
                    setValue(vb + a, .integer(Int32(clamping: peakUsed)), size: 4)
                case .getMemoryLimit:
                    setValue(vb + a, .integer(Int32(clamping: memoryLimit)), size: 4)
                case .setMemoryLimit:
                    // Mono scripts may lower their limit, never beyond 64 KiB nor below what they use.
                    let wanted = Int(arguments.first.map(Self.integer) ?? 0)
                    let ok = wanted > 0 && wanted <= LSLMemory.limit && wanted >= used
                    if ok { memoryLimit = wanted }
                    setValue(vb + a, .integer(ok ? 1 : 0), size: 4)
                case .resetScript:
                    current = Frame(function: frame.function, pc: Int32(pc), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                    return .reset
                case .getTime:
                    setValue(vb + a, .float(Float(now - timeBase)), size: 4)
                case .resetTime:
                    timeBase = now
                case .getAndResetTime:
                    setValue(vb + a, .float(Float(now - timeBase)), size: 4)
                    timeBase = now
                case .scriptProfiler, .minEventDelay:
                    break
                }
            case .print:
                current = Frame(function: frame.function, pc: Int32(pc), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                script.beginHostCall(state: state, queued: queue.count)
                script.printFromScript(values[vb + a].cast(to: .string).text)
                pullIncoming(program, script: script)
            case .state:
                release(frame, function)
                while let caller = frames.popLast() {
                    release(caller, program.layouts[Int(caller.function)])
                }
                current = nil
                return .stateChange(ins.a)
            case .end:
                release(frame, function)
                current = nil
                return .eventDone
            }
            // Only value operations change memory; they sort after every integer and float one.
            if ins.op.rawValue >= Opcode.vconst.rawValue {
                if used > memoryLimit {
                    current = Frame(function: frame.function, pc: Int32(pc), intBase: Int32(ib), floatBase: Int32(fb), valueBase: Int32(vb))
                    return .failed(.stackHeapCollision)
                }
                if used > peakUsed { peakUsed = used }
            }
        }
    }

    /// What a list or string costs after `append`: one header less for two lists or two
    /// strings, one element slot more for a value appended to a list.
    @inline(__always)
    static func appendedSize(_ size: Int32, _ target: LSLValue, _ right: LSLValue, _ rightSize: Int32) -> Int32 {
        switch (target, right) {
        case (.list, .list), (.string, _): size + rightSize - 16
        case (.list, _): size + rightSize + 8
        default: Int32(LSLMemory.size(of: target))
        }
    }

    mutating func pullIncoming(_ program: LSLProgram, script: LSLScript) {
        guard script.hasIncoming else { return }
        let (events, dropped) = script.takeIncoming()
        droppedEvents += dropped
        for event in events { _ = enqueue(event, program) }
    }

    /// The argument of a runtime function as a float.
    static func float(_ value: LSLValue) -> Float {
        switch value {
        case .float(let f): f
        case .integer(let n): Float(n)
        default: 0
        }
    }

    static func integer(_ value: LSLValue) -> Int32 {
        if case .integer(let n) = value { return n }
        return 0
    }
}
