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
    public static func compile(_ source: String, file: String, options: LSLCompileOptions = .init()) -> Result<LSLProgram, LSLCompileFailure> {
        fatalError("the compiler is not built yet")
    }
}
