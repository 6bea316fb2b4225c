import Synchronization

/// What a script may call besides its own functions.
public struct LSLCompileOptions: Sendable, Hashable {
    /// The world functions the host implements (`LSLBuiltins.worldFunctions` for all of them).
    /// Calling any other built-in that is neither in the library nor run by the VM is a compile
    /// error naming it.
    public var worldFunctions: Set<String>

    public init(worldFunctions: Set<String> = LSLBuiltins.worldFunctions) {
        self.worldFunctions = worldFunctions
    }
}

/// Who implements each built-in function.
public enum LSLBuiltins {
    /// Run by the VM itself: they act on the script's own state and clock.
    public static let runtimeFunctions: Set<String> = [
        "llSetTimerEvent", "llSleep", "llGetFreeMemory", "llGetUsedMemory", "llResetScript",
        "llGetTime", "llResetTime", "llGetAndResetTime", "llSetMemoryLimit", "llGetMemoryLimit",
        "llGetSPMaxMemory", "llScriptProfiler", "llMinEventDelay",
    ]

    /// Every definition that is neither library nor runtime: the host's (`LSLHost.call`).
    public static let worldFunctions: Set<String> = Set(LSLDefinitions.functions.keys)
        .subtracting(LSLLibrary.functions.keys).subtracting(runtimeFunctions)
}

/// A script that failed to compile, with every diagnostic.
public struct LSLCompileFailure: Error, Sendable {
    public var diagnostics: [Diagnostic]
}

/// A compiled script: bytecode shared by every running copy (`LSLScript`). Immutable.
public final class LSLProgram: Sendable {
    let code: [Instruction]
    let constants: [LSLValue]
    let functions: [CompiledFunction]
    let layouts: [FrameLayout]
    /// The handler of each event in each state (`state * eventCount + event id`), -1 for none.
    let handlerTable: [Int32]
    let states: [CompiledState]
    let globalTypes: [LSLType]
    let globalIntCount: Int
    let globalFloatCount: Int
    let globalValueCount: Int
    let initializer: Int32
    let library: [LSLLibraryFunction]
    let libraryArity: [Int]
    let host: [LSLFunctionDefinition]
    /// 64-bit FNV-1a of the source: captured state names the program it belongs to.
    public let fingerprint: UInt64
    /// Bytes of bytecode and constants, shared by every copy.
    public let codeBytes: Int

    init(script: Script, source: String) {
        let generated = CodeGenerator.generate(script)
        code = generated.code
        constants = generated.constants
        functions = generated.functions
        layouts = generated.functions.map(FrameLayout.init)
        var table = [Int32](repeating: -1, count: generated.states.count * LSLEventIDs.names.count)
        for (index, state) in generated.states.enumerated() {
            for (name, handler) in state.handlers where LSLEventIDs.id(of: name) >= 0 {
                table[index * LSLEventIDs.names.count + Int(LSLEventIDs.id(of: name))] = handler
            }
        }
        handlerTable = table
        states = generated.states
        globalTypes = generated.globalTypes
        globalIntCount = generated.globalTypes.filter { $0.kind == .int }.count
        globalFloatCount = generated.globalTypes.filter { $0.kind == .float }.count
        globalValueCount = generated.globalTypes.filter { $0.kind == .value }.count
        initializer = generated.initializer
        library = generated.library.map { LSLLibrary.functions[$0]! }
        libraryArity = generated.library.map { LSLDefinitions.functions[$0]!.parameters.count }
        host = generated.host.map { LSLDefinitions.functions[$0]! }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in source.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        fingerprint = hash
        codeBytes = code.count * MemoryLayout<Instruction>.stride + constants.reduce(0) { $0 + LSLMemory.size(of: $1) }
    }

    /// Compiles `source`; every error is a diagnostic, including a call to a built-in the host
    /// does not implement.
    public static func compile(_ source: String, file: String, options: LSLCompileOptions = .init()) -> Result<LSLProgram, LSLCompileFailure> {
        let (script, diagnostics) = LSLCompiler.check(source, file: file)
        guard let script else { return .failure(LSLCompileFailure(diagnostics: diagnostics)) }
        let unavailable = UnavailableCalls.find(in: script, options: options)
        guard unavailable.isEmpty else { return .failure(LSLCompileFailure(diagnostics: unavailable)) }
        return .success(LSLProgram(script: script, source: source))
    }

    /// The function handling event `id` in `state`, if the state has one.
    @inline(__always)
    func handler(state: Int32, event id: Int32) -> Int32? {
        guard id >= 0 else { return nil }
        let handler = handlerTable[Int(state) * LSLEventIDs.names.count + Int(id)]
        return handler >= 0 ? handler : nil
    }

    /// The index of a state by name.
    public func stateNamed(_ name: String) -> Int? {
        states.firstIndex { $0.name == name }
    }
}

/// Compiles each distinct source once and hands every copy the same program (as one assembly
/// serves every copy of a script). Thread-safe.
public final class LSLProgramCache: Sendable {
    private struct Key: Hashable {
        var source: String
        var options: LSLCompileOptions
    }

    private let programs = Mutex<[Key: LSLProgram]>([:])

    public init() {}

    public func program(for source: String, file: String, options: LSLCompileOptions = .init()) -> Result<LSLProgram, LSLCompileFailure> {
        let key = Key(source: source, options: options)
        if let program = programs.withLock({ $0[key] }) { return .success(program) }
        let result = LSLProgram.compile(source, file: file, options: options)
        if case .success(let program) = result {
            return .success(programs.withLock { cache in
                if let existing = cache[key] { return existing }
                cache[key] = program
                return program
            })
        }
        return result
    }

    public var count: Int { programs.withLock { $0.count } }
}

/// Calls of built-ins that neither the library, the VM nor the host implements.
enum UnavailableCalls {
    static func find(in script: Script, options: LSLCompileOptions) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let own = Set(script.functions.map(\.name))
        func visit(_ expression: Expression) {
            switch expression {
            case .call(let name, let arguments, let location):
                if !own.contains(name), LSLDefinitions.functions[name] != nil,
                   LSLLibrary.functions[name] == nil, !LSLBuiltins.runtimeFunctions.contains(name),
                   !options.worldFunctions.contains(name) {
                    diagnostics.append(Diagnostic(at: location, "'\(name)' is not implemented here"))
                }
                arguments.forEach(visit)
            case .vector(let x, let y, let z, _): [x, y, z].forEach(visit)
            case .rotation(let x, let y, let z, let s, _): [x, y, z, s].forEach(visit)
            case .list(let elements, _): elements.forEach(visit)
            case .print(let e, _), .cast(_, let e, _), .unary(_, let e, _), .parenthesized(let e, _), .assignment(_, _, let e, _):
                visit(e)
            case .binary(_, let l, let r, _): visit(l); visit(r)
            default: break
            }
        }
        func visit(_ statement: Statement) {
            switch statement {
            case .block(let list, _): list.forEach(visit)
            case .declaration(_, _, let e?, _), .expression(let e), .return(let e?, _): visit(e)
            case .if(let c, let t, let e, _): visit(c); visit(t); if let e { visit(e) }
            case .while(let c, let b, _), .doWhile(let b, let c, _): visit(c); visit(b)
            case .for(let i, let c, let s, let b, _):
                (i + s).forEach(visit)
                if let c { visit(c) }
                visit(b)
            default: break
            }
        }
        script.globals.compactMap(\.initializer).forEach(visit)
        script.functions.forEach { $0.body.forEach(visit) }
        script.states.forEach { $0.events.forEach { $0.body.forEach(visit) } }
        return diagnostics
    }
}
