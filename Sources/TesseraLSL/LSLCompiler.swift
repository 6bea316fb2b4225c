/// The front end of LSL: lexing, parsing, name resolution, the structural rules and type
/// checking (docs/lsl.md).
public enum LSLCompiler {
    /// The syntax tree of `source` when it has no errors, and every diagnostic found, in source
    /// order. Types are checked only when every name resolves.
    public static func check(_ source: String, file: String) -> (script: Script?, diagnostics: [Diagnostic]) {
        let (script, diagnostics) = Parser.parse(source, file: file)
        guard let script else { return (nil, diagnostics) }
        let names = NameResolver.resolve(script)
        var found = names + StructureChecker.check(script)
        if names.isEmpty { found += TypeChecker.check(script) }
        guard found.isEmpty else { return (nil, sortedBySource(found)) }
        return (script, [])
    }

    /// Diagnostics by line and column; the order found is kept for one position.
    static func sortedBySource(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted {
            ($0.element.location.line, $0.element.location.column, $0.offset)
                < ($1.element.location.line, $1.element.location.column, $1.offset)
        }.map(\.element)
    }
}
