/// The front end of LSL so far: lexing, parsing and name resolution (docs/lsl.md).
public enum LSLCompiler {
    /// The syntax tree of `source` when it has no errors, and every diagnostic found.
    public static func check(_ source: String, file: String) -> (script: Script?, diagnostics: [Diagnostic]) {
        let (script, diagnostics) = Parser.parse(source, file: file)
        guard let script else { return (nil, diagnostics) }
        let names = NameResolver.resolve(script)
        return (names.isEmpty ? script : nil, names)
    }
}
