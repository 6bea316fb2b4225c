/// Every built-in that needs no world, by name (docs/lsl.md, "Library").
public enum LSLLibrary {
    public static let functions: [String: LSLLibraryFunction] = [
        "llAbs": { arguments, _ throws(LSLRuntimeError) in
            guard case .integer(let value) = arguments[0] else { return .integer(0) }
            return .integer(value == .min ? .min : abs(value))
        },
    ]
}
