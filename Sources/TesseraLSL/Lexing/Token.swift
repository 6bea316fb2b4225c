/// One token of LSL source and where it starts.
public struct Token: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case identifier(String)
        case keyword(Keyword)
        case integer(Int32)
        case float(Float)
        case string(String)
        case punctuation(Punctuation)
        case endOfFile
    }

    public let kind: Kind
    /// The source text of the token as written.
    public let text: String
    public let location: SourceLocation

    public init(_ kind: Kind, text: String, at location: SourceLocation) {
        self.kind = kind
        self.text = text
        self.location = location
    }
}

/// LSL's reserved words: the type names and the control words of the definitions.
public enum Keyword: String, Sendable, Hashable, CaseIterable {
    case integer, float, string, key, vector, rotation, quaternion, list
    case `if`, `else`, `for`, `do`, `while`, jump, `return`, state, `default`, print

    /// The value type a type keyword names (`quaternion` is `rotation`), nil for control words.
    public var type: LSLType? {
        switch self {
        case .integer: .integer
        case .float: .float
        case .string: .string
        case .key: .key
        case .vector: .vector
        case .rotation, .quaternion: .rotation
        case .list: .list
        default: nil
        }
    }
}

/// Operators and punctuation, longest spellings first where one is the prefix of another.
public enum Punctuation: String, Sendable, Hashable, CaseIterable {
    case shiftLeftAssign = "<<=", shiftRightAssign = ">>="
    case increment = "++", decrement = "--"
    case addAssign = "+=", subtractAssign = "-=", multiplyAssign = "*=", divideAssign = "/=", moduloAssign = "%="
    case and = "&&", or = "||", equal = "==", notEqual = "!=", lessEqual = "<=", greaterEqual = ">="
    case shiftLeft = "<<", shiftRight = ">>"
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    case less = "<", greater = ">", assign = "=", bang = "!", tilde = "~"
    case ampersand = "&", caret = "^", pipe = "|"
    case leftParen = "(", rightParen = ")", leftBrace = "{", rightBrace = "}"
    case leftBracket = "[", rightBracket = "]", comma = ",", semicolon = ";", dot = ".", at = "@"
}

extension Token.Kind: CustomStringConvertible {
    /// How a diagnostic names the token: `identifier 'x'`, `'{'`, `end of file`.
    public var description: String {
        switch self {
        case .identifier(let name): "identifier '\(name)'"
        case .keyword(let keyword): "'\(keyword.rawValue)'"
        case .integer: "integer literal"
        case .float: "float literal"
        case .string: "string literal"
        case .punctuation(let p): "'\(p.rawValue)'"
        case .endOfFile: "end of file"
        }
    }
}
