/// Turns LSL source into tokens. Errors (a bad character, an unterminated string or comment)
/// become diagnostics and lexing carries on, so one run reports them all.
public struct Lexer {
    private let file: String
    private let characters: [Character]
    private var index = 0
    private var line = 1
    private var column = 1
    public private(set) var diagnostics: [Diagnostic] = []

    public init(source: String, file: String) {
        self.file = file
        self.characters = Array(source)
    }

    /// Every token of the source, ending with `.endOfFile`.
    public static func tokenize(_ source: String, file: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source: source, file: file)
        var tokens: [Token] = []
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .endOfFile { return (tokens, lexer.diagnostics) }
        }
    }

    public mutating func next() -> Token {
        skipTrivia()
        let start = location
        guard let c = peek() else { return Token(.endOfFile, text: "", at: start) }
        let begin = index
        let kind: Token.Kind
        if c.isLetter || c == "_" {
            kind = word()
        } else if c.isASCII && c.isNumber || c == "." && (peek(1)?.isASCII ?? false) && (peek(1)?.isNumber ?? false) {
            kind = number(at: start)
        } else if c == "\"" {
            kind = string(at: start)
        } else if let p = punctuation() {
            kind = .punctuation(p)
        } else {
            advance()
            diagnostics.append(Diagnostic(at: start, "unexpected character '\(c)'"))
            return next()
        }
        return Token(kind, text: String(characters[begin..<index]), at: start)
    }

    // MARK: - Token kinds

    private mutating func word() -> Token.Kind {
        var name = ""
        while let c = peek(), c.isLetter || c.isNumber || c == "_" {
            name.append(c)
            advance()
        }
        if let keyword = Keyword(rawValue: name) { return .keyword(keyword) }
        return .identifier(name)
    }

    /// Decimal and hex integers; floats `1.`, `.5`, `1e3`, `1.5e-3`, each with an optional `f`/`F`.
    private mutating func number(at start: SourceLocation) -> Token.Kind {
        if peek() == "0", let x = peek(1), x == "x" || x == "X", peek(2)?.isHexDigit ?? false {
            advance(2)
            var digits = ""
            while let c = peek(), c.isHexDigit { digits.append(c); advance() }
            // SL keeps the low 32 bits of an over-long hex literal.
            let value = digits.reduce(UInt32(0)) { ($0 &<< 4) | UInt32($1.hexDigitValue!) }
            return .integer(Int32(bitPattern: value))
        }
        var text = digits()
        var isFloat = false
        if peek() == "." {
            isFloat = true
            text.append(".")
            advance()
            text += digits()
        }
        if let e = peek(), e == "e" || e == "E" {
            let sign = peek(1)
            let hasSign = sign == "+" || sign == "-"
            if let d = peek(hasSign ? 2 : 1), d.isASCII, d.isNumber {
                isFloat = true
                text.append("e")
                advance()
                if hasSign { text.append(sign!); advance() }
                text += digits()
            }
        }
        if isFloat {
            if let f = peek(), f == "f" || f == "F" { advance() }
            if text.hasPrefix(".") { text = "0" + text }
            if text.hasSuffix(".") { text += "0" }
            return .float(Float(text) ?? .infinity)
        }
        // A decimal literal beyond 32 bits becomes -1, as a saturating strtoul gives (docs/lsl.md:
        // still to be checked against SL).
        let value = UInt64(text).flatMap { $0 <= UInt64(UInt32.max) ? UInt32($0) : nil } ?? UInt32.max
        return .integer(Int32(bitPattern: value))
    }

    private mutating func digits() -> String {
        var text = ""
        while let c = peek(), c.isASCII, c.isNumber { text.append(c); advance() }
        return text
    }

    /// A string literal: `\n`, `\"`, `\\`; `\t` is four spaces as in SL; any other escaped
    /// character stands for itself.
    private mutating func string(at start: SourceLocation) -> Token.Kind {
        advance()
        var value = ""
        while let c = peek() {
            advance()
            switch c {
            case "\"":
                return .string(value)
            case "\\":
                guard let e = peek() else { break }
                advance()
                switch e {
                case "n": value.append("\n")
                case "t": value.append("    ")
                default: value.append(e)
                }
            default:
                value.append(c)
            }
        }
        diagnostics.append(Diagnostic(at: start, "unterminated string literal"))
        return .string(value)
    }

    private static let punctuationBySpelling: [[Character]: Punctuation] =
        Dictionary(uniqueKeysWithValues: Punctuation.allCases.map { (Array($0.rawValue), $0) })

    private mutating func punctuation() -> Punctuation? {
        for length in stride(from: 3, through: 1, by: -1) where index + length <= characters.count {
            if let p = Self.punctuationBySpelling[Array(characters[index..<index + length])] {
                advance(length)
                return p
            }
        }
        return nil
    }

    // MARK: - Trivia and position

    private mutating func skipTrivia() {
        while let c = peek() {
            if c.isWhitespace {
                advance()
            } else if c == "/", peek(1) == "/" {
                while let d = peek(), d != "\n" { _ = d; advance() }
            } else if c == "/", peek(1) == "*" {
                let start = location
                advance(2)
                while peek() != nil, !(peek() == "*" && peek(1) == "/") { advance() }
                if peek() == nil {
                    diagnostics.append(Diagnostic(at: start, "unterminated comment"))
                } else {
                    advance(2)
                }
            } else {
                return
            }
        }
    }

    private var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where index < characters.count {
            if characters[index] == "\n" || characters[index] == "\r\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
    }
}
