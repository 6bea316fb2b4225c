/// A compiled function or event handler: where its code starts and how many registers of each
/// kind its frame holds (parameters first, in the order of their kind).
struct CompiledFunction: Sendable, Hashable {
    var name: String
    var entry: Int32
    var intCount: Int32
    var floatCount: Int32
    var valueCount: Int32
    var parameterTypes: [LSLType]
    var returnType: LSLType?

    /// Bytes the frame counts against the script's memory (docs/lsl.md, "Memory").
    var frameBytes: Int { 16 + Int(intCount) * 4 + Int(floatCount) * 4 + Int(valueCount) * 8 }
}

/// What the VM needs of a function on every call and return: plain numbers, no references.
struct FrameLayout: Sendable, Hashable {
    var entry: Int32
    var intCount: Int32
    var floatCount: Int32
    var valueCount: Int32
    var valueParameters: Int32
    var frameBytes: Int

    init(_ function: CompiledFunction) {
        entry = function.entry
        intCount = function.intCount
        floatCount = function.floatCount
        valueCount = function.valueCount
        valueParameters = Int32(function.parameterTypes.filter { $0.kind == .value }.count)
        frameBytes = function.frameBytes
    }
}

struct CompiledState: Sendable, Hashable {
    var name: String
    /// Event name → index in `functions`.
    var handlers: [String: Int32]
}

/// A runtime function (`LSLBuiltins.runtimeFunctions`) as the `runtime` opcode names it.
enum RuntimeFunction: Int32, Sendable, CaseIterable {
    case setTimerEvent, sleep, getFreeMemory, getUsedMemory, resetScript, getTime, resetTime
    case getAndResetTime, setMemoryLimit, getMemoryLimit, getSPMaxMemory, scriptProfiler, minEventDelay

    init?(name: String) {
        switch name {
        case "llSetTimerEvent": self = .setTimerEvent
        case "llSleep": self = .sleep
        case "llGetFreeMemory": self = .getFreeMemory
        case "llGetUsedMemory": self = .getUsedMemory
        case "llResetScript": self = .resetScript
        case "llGetTime": self = .getTime
        case "llResetTime": self = .resetTime
        case "llGetAndResetTime": self = .getAndResetTime
        case "llSetMemoryLimit": self = .setMemoryLimit
        case "llGetMemoryLimit": self = .getMemoryLimit
        case "llGetSPMaxMemory": self = .getSPMaxMemory
        case "llScriptProfiler": self = .scriptProfiler
        case "llMinEventDelay": self = .minEventDelay
        default: return nil
        }
    }
}
