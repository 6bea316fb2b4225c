/// A compiler message at a position in a script.
public struct Diagnostic: Sendable, Hashable, Error {
    public enum Severity: String, Sendable {
        case error, warning
    }

    public let severity: Severity
    public let location: SourceLocation
    public let message: String

    public init(_ severity: Severity = .error, at location: SourceLocation, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = message
    }

    /// `file:line:col: error: message`, then the source line and a caret under the column,
    /// as compilers print them.
    public func rendered(source: String) -> String {
        let head = "\(location): \(severity.rawValue): \(message)"
        let lines = source.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        guard location.line >= 1, location.line <= lines.count else { return head }
        var text = String(lines[location.line - 1])
        if text.hasSuffix("\r") { text.removeLast() }
        // Tabs before the column are kept so the caret lines up in a terminal.
        let pad = text.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
        return head + "\n" + text + "\n" + pad + "^"
    }
}

extension Array where Element == Diagnostic {
    /// Every diagnostic rendered, one after another.
    public func rendered(source: String) -> String {
        map { $0.rendered(source: source) }.joined(separator: "\n")
    }
}
