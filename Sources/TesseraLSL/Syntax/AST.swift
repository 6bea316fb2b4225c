/// The syntax tree of one script (docs/lsl.md, "Grammar").
public struct Script: Sendable, Hashable {
    public var globals: [GlobalVariable]
    public var functions: [FunctionDeclaration]
    /// `default` first, then the named states in source order.
    public var states: [StateDeclaration]
}

public struct GlobalVariable: Sendable, Hashable {
    public var type: LSLType
    public var name: String
    public var initializer: Expression?
    public var location: SourceLocation
}

public struct Parameter: Sendable, Hashable {
    public var type: LSLType
    public var name: String
    public var location: SourceLocation
}

public struct FunctionDeclaration: Sendable, Hashable {
    public var returnType: LSLType?
    public var name: String
    public var parameters: [Parameter]
    public var body: [Statement]
    public var location: SourceLocation
}

public struct StateDeclaration: Sendable, Hashable {
    /// "default" for the default state.
    public var name: String
    public var events: [EventHandler]
    public var location: SourceLocation
}

public struct EventHandler: Sendable, Hashable {
    public var name: String
    public var parameters: [Parameter]
    public var body: [Statement]
    public var location: SourceLocation
}

public indirect enum Statement: Sendable, Hashable {
    case empty(SourceLocation)
    case block([Statement], SourceLocation)
    case declaration(type: LSLType, name: String, initializer: Expression?, SourceLocation)
    case expression(Expression)
    case `if`(condition: Expression, then: Statement, else: Statement?, SourceLocation)
    case `while`(condition: Expression, body: Statement, SourceLocation)
    case doWhile(body: Statement, condition: Expression, SourceLocation)
    case `for`(initializers: [Expression], condition: Expression?, steps: [Expression], body: Statement, SourceLocation)
    case jump(label: String, SourceLocation)
    case label(String, SourceLocation)
    case `return`(Expression?, SourceLocation)
    case stateChange(String, SourceLocation)
}

public enum BinaryOperator: String, Sendable, Hashable {
    case multiply = "*", divide = "/", modulo = "%", add = "+", subtract = "-"
    case shiftLeft = "<<", shiftRight = ">>"
    case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case equal = "==", notEqual = "!="
    case bitAnd = "&", bitXor = "^", bitOr = "|", and = "&&", or = "||"
}

public enum UnaryOperator: String, Sendable, Hashable {
    case negate = "-", not = "!", bitNot = "~"
}

public enum AssignmentOperator: String, Sendable, Hashable {
    case assign = "=", add = "+=", subtract = "-=", multiply = "*=", divide = "/=", modulo = "%="
}

/// A variable, or one component (`x y z s`) of a vector or rotation variable.
public struct LValue: Sendable, Hashable {
    public var name: String
    public var member: String?
    public var location: SourceLocation
}

public indirect enum Expression: Sendable, Hashable {
    case integer(Int32, SourceLocation)
    case float(Float, SourceLocation)
    case string(String, SourceLocation)
    case variable(LValue)
    case vector(Expression, Expression, Expression, SourceLocation)
    case rotation(Expression, Expression, Expression, Expression, SourceLocation)
    case list([Expression], SourceLocation)
    case call(name: String, arguments: [Expression], SourceLocation)
    case print(Expression, SourceLocation)
    case cast(LSLType, Expression, SourceLocation)
    case unary(UnaryOperator, Expression, SourceLocation)
    case binary(BinaryOperator, Expression, Expression, SourceLocation)
    case assignment(AssignmentOperator, LValue, Expression, SourceLocation)
    case preIncrement(LValue, isDecrement: Bool)
    case postIncrement(LValue, isDecrement: Bool)
    case parenthesized(Expression, SourceLocation)

    /// Where the expression starts in the source (its operator for binary expressions).
    public var location: SourceLocation {
        switch self {
        case .integer(_, let l), .float(_, let l), .string(_, let l), .vector(_, _, _, let l),
             .rotation(_, _, _, _, let l), .list(_, let l), .call(_, _, let l), .print(_, let l),
             .cast(_, _, let l), .unary(_, _, let l), .binary(_, _, _, let l),
             .assignment(_, _, _, let l), .parenthesized(_, let l):
            l
        case .variable(let v), .preIncrement(let v, _), .postIncrement(let v, _):
            v.location
        }
    }
}
