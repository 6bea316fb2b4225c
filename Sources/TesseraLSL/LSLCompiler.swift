/// The front end of LSL so far: lexing, parsing, name resolution and type checking (docs/lsl.md).
public enum LSLCompiler {
    /// The syntax tree of `source` when it has no errors, and every diagnostic found.
    public static func check(_ source: String, file: String) -> (script: Script?, diagnostics: [Diagnostic]) {
        let (script, diagnostics) = Parser.parse(source, file: file)
        guard let script else { return (nil, diagnostics) }
        let names = NameResolver.resolve(script)
        guard names.isEmpty else { return (nil, names) }
        let types = TypeChecker.check(script)
        return (types.isEmpty ? script : nil, types)
    }
}
