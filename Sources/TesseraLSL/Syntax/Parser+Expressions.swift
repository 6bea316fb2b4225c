/// Binary operators by level, loosest first, as in SL's compiler grammar (indra.y): `&&` and `||`
/// share the loosest level; all are left-associative. Assignment sits below them, right-associative;
/// unary operators and casts above them (docs/lsl.md, "Precedence").
let binaryLevels: [[Punctuation: BinaryOperator]] = [
    [.and: .and, .or: .or],
    [.pipe: .bitOr],
    [.caret: .bitXor],
    [.ampersand: .bitAnd],
    [.equal: .equal, .notEqual: .notEqual],
    [.less: .less, .lessEqual: .lessEqual, .greater: .greater, .greaterEqual: .greaterEqual],
    [.shiftLeft: .shiftLeft, .shiftRight: .shiftRight],
    [.plus: .add, .minus: .subtract],
    [.star: .multiply, .slash: .divide, .percent: .modulo],
]

/// The level of `<<`/`>>`: the last component of a vector or rotation literal is parsed from
/// here up, so its closing `>` is never read as "greater than".
let shiftLevel = 6

let assignmentOperators: [Punctuation: AssignmentOperator] = [
    .assign: .assign, .addAssign: .add, .subtractAssign: .subtract,
    .multiplyAssign: .multiply, .divideAssign: .divide, .moduloAssign: .modulo,
]

extension Parser {
    public mutating func parseExpression() throws(Failure) -> Expression {
        let start = position
        let left = try parseBinary(level: 0)
        guard case .punctuation(let p) = current.kind, assignmentOperators[p] != nil || p == .shiftLeftAssign || p == .shiftRightAssign else {
            return left
        }
        let location = current.location
        guard let op = assignmentOperators[p] else {
            throw Failure(diagnostic: Diagnostic(at: location, "'\(p.rawValue)' is not an LSL operator"))
        }
        guard case .variable(let target) = left else {
            throw Failure(diagnostic: Diagnostic(
                at: tokens[start].location, "the left side of '\(p.rawValue)' must be a variable"))
        }
        advance()
        return .assignment(op, target, try parseExpression(), location)
    }

    mutating func parseBinary(level: Int) throws(Failure) -> Expression {
        guard level < binaryLevels.count else { return try parseUnary() }
        var left = try parseBinary(level: level + 1)
        while case .punctuation(let p) = current.kind, let op = binaryLevels[level][p] {
            let location = current.location
            advance()
            left = .binary(op, left, try parseBinary(level: level + 1), location)
        }
        return left
    }

    mutating func parseUnary() throws(Failure) -> Expression {
        let location = current.location
        switch current.kind {
        case .punctuation(.minus):
            advance()
            return .unary(.negate, try parseUnary(), location)
        case .punctuation(.bang):
            advance()
            return .unary(.not, try parseUnary(), location)
        case .punctuation(.tilde):
            advance()
            return .unary(.bitNot, try parseUnary(), location)
        case .punctuation(.increment), .punctuation(.decrement):
            let isDecrement = current.kind == .punctuation(.decrement)
            advance()
            return .preIncrement(try parseLValue("expected a variable after '\(isDecrement ? "--" : "++")'"), isDecrement: isDecrement)
        case .punctuation(.leftParen):
            if case .keyword(let keyword) = peek(1).kind, let type = keyword.type, peek(2).kind == .punctuation(.rightParen) {
                advance(); advance(); advance()
                return .cast(type, try parseUnary(), location)
            }
        default:
            break
        }
        return try parsePostfix()
    }

    private mutating func parsePostfix() throws(Failure) -> Expression {
        let primary = try parsePrimary()
        guard case .variable(let target) = primary else { return primary }
        if match(.punctuation(.increment)) { return .postIncrement(target, isDecrement: false) }
        if match(.punctuation(.decrement)) { return .postIncrement(target, isDecrement: true) }
        return primary
    }

    private mutating func parseLValue(_ message: String) throws(Failure) -> LValue {
        let location = current.location
        let name = try expectIdentifier(message)
        return LValue(name: name, member: try parseMember(), location: location)
    }

    /// `.x`, `.y`, `.z` or `.s` after a variable.
    private mutating func parseMember() throws(Failure) -> String? {
        guard match(.punctuation(.dot)) else { return nil }
        guard case .identifier(let member) = current.kind, ["x", "y", "z", "s"].contains(member) else {
            throw failure("expected 'x', 'y', 'z' or 's' after '.'")
        }
        advance()
        return member
    }

    private mutating func parsePrimary() throws(Failure) -> Expression {
        let location = current.location
        switch current.kind {
        case .integer(let value):
            advance()
            return .integer(value, location)
        case .float(let value):
            advance()
            return .float(value, location)
        case .string(let value):
            advance()
            return .string(value, location)
        case .identifier(let name):
            advance()
            if match(.punctuation(.leftParen)) {
                let arguments = try parseExpressionList(until: .punctuation(.rightParen))
                try expect(.punctuation(.rightParen), "expected ',' or ')' after the arguments of '\(name)'")
                return .call(name: name, arguments: arguments, location)
            }
            return .variable(LValue(name: name, member: try parseMember(), location: location))
        case .keyword(.print):
            advance()
            try expect(.punctuation(.leftParen), "expected '(' after 'print'")
            let value = try parseExpression()
            try expect(.punctuation(.rightParen), "expected ')' after the argument of 'print'")
            return .print(value, location)
        case .punctuation(.leftParen):
            advance()
            let inner = try parseExpression()
            try expect(.punctuation(.rightParen), "expected ')'")
            return .parenthesized(inner, location)
        case .punctuation(.leftBracket):
            advance()
            let elements = try parseExpressionList(until: .punctuation(.rightBracket))
            try expect(.punctuation(.rightBracket), "expected ',' or ']' in the list")
            return .list(elements, location)
        case .punctuation(.less):
            return try parseVectorOrRotation()
        default:
            throw failure("expected an expression")
        }
    }

    /// `<x, y, z>` or `<x, y, z, s>`. The last component stops before any operator looser than
    /// `<<`/`>>`, so `<1, 2, 3>` closes at the `>`; a comparison there needs parentheses.
    private mutating func parseVectorOrRotation() throws(Failure) -> Expression {
        let location = current.location
        advance()
        let x = try parseExpression()
        try expect(.punctuation(.comma), "expected ',' after the first component of a vector or rotation")
        let y = try parseExpression()
        try expect(.punctuation(.comma), "expected ',' after the second component of a vector or rotation")
        // The third component is the last of a vector or not the last of a rotation: try the
        // rotation first (whole third component, ',', fourth, '>'), and read a vector when that fails,
        // so `[<0, 0, 1> - v, 2]` stays a vector followed by a list element.
        let start = position
        if let rotation = try? parseRotationTail(x, y, at: location) { return rotation }
        position = start
        let z = try parseBinary(level: shiftLevel)
        try expect(.punctuation(.greater), "expected '>' to close the vector")
        return .vector(x, y, z, location)
    }

    private mutating func parseRotationTail(_ x: Expression, _ y: Expression, at location: SourceLocation) throws(Failure) -> Expression {
        let z = try parseExpression()
        try expect(.punctuation(.comma), "expected ','")
        let s = try parseBinary(level: shiftLevel)
        try expect(.punctuation(.greater), "expected '>' to close the rotation")
        return .rotation(x, y, z, s, location)
    }
}
