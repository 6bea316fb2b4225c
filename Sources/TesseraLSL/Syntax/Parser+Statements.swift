extension Parser {
    mutating func parseBlockStatements() throws(Failure) -> [Statement] {
        try expect(.punctuation(.leftBrace), "expected '{'")
        var statements: [Statement] = []
        while !match(.punctuation(.rightBrace)) {
            if current.kind == .endOfFile { throw failure("expected '}'") }
            do {
                statements.append(try parseStatement())
            } catch {
                record(error)
                synchronizeStatement()
            }
        }
        return statements
    }

    /// After an error in a statement: past the next `;` or block, or up to the `}` that ends
    /// the enclosing block.
    private mutating func synchronizeStatement() {
        while current.kind != .endOfFile && !check(.punctuation(.rightBrace)) {
            if check(.punctuation(.leftBrace)) { skipBlock(); return }
            let done = check(.punctuation(.semicolon))
            advance()
            if done { return }
        }
    }

    mutating func parseStatement() throws(Failure) -> Statement {
        let location = current.location
        switch current.kind {
        case .punctuation(.semicolon):
            advance()
            return .empty(location)
        case .punctuation(.leftBrace):
            return .block(try parseBlockStatements(), location)
        case .punctuation(.at):
            advance()
            let name = try expectIdentifier("expected a label name after '@'")
            try expect(.punctuation(.semicolon), "expected ';' after label '\(name)'")
            return .label(name, location)
        case .keyword(let keyword):
            if let type = keyword.type { return try parseDeclaration(type, at: location) }
            if let statement = try parseControl(keyword, at: location) { return statement }
        default:
            break
        }
        let expression = try parseExpression()
        try expect(.punctuation(.semicolon), "expected ';' after expression")
        return .expression(expression)
    }

    private mutating func parseDeclaration(_ type: LSLType, at location: SourceLocation) throws(Failure) -> Statement {
        advance()
        let name = try expectIdentifier("expected a variable name after '\(tokens[position - 1].text)'")
        var initializer: Expression?
        if match(.punctuation(.assign)) { initializer = try parseExpression() }
        try expect(.punctuation(.semicolon), "expected ';' after the declaration of '\(name)'")
        return .declaration(type: type, name: name, initializer: initializer, location)
    }

    /// The statements that start with a control word; nil for `print`, which is an expression.
    private mutating func parseControl(_ keyword: Keyword, at location: SourceLocation) throws(Failure) -> Statement? {
        switch keyword {
        case .if:
            advance()
            let condition = try parseCondition("if")
            let then = try parseStatement()
            let otherwise = match(.keyword(.else)) ? try parseStatement() : nil
            return .if(condition: condition, then: then, else: otherwise, location)
        case .while:
            advance()
            let condition = try parseCondition("while")
            return .while(condition: condition, body: try parseStatement(), location)
        case .do:
            advance()
            let body = try parseStatement()
            try expect(.keyword(.while), "expected 'while' after the body of 'do'")
            let condition = try parseCondition("while")
            try expect(.punctuation(.semicolon), "expected ';' after 'do … while (…)'")
            return .doWhile(body: body, condition: condition, location)
        case .for:
            return try parseFor(at: location)
        case .jump:
            advance()
            let label = try expectIdentifier("expected a label name after 'jump'")
            try expect(.punctuation(.semicolon), "expected ';' after 'jump \(label)'")
            return .jump(label: label, location)
        case .return:
            advance()
            if match(.punctuation(.semicolon)) { return .return(nil, location) }
            let value = try parseExpression()
            try expect(.punctuation(.semicolon), "expected ';' after the returned value")
            return .return(value, location)
        case .state:
            advance()
            let name: String
            if match(.keyword(.default)) {
                name = "default"
            } else {
                name = try expectIdentifier("expected a state name after 'state'")
            }
            try expect(.punctuation(.semicolon), "expected ';' after 'state \(name)'")
            return .stateChange(name, location)
        case .print:
            return nil
        default:
            throw failure("expected a statement")
        }
    }

    private mutating func parseCondition(_ word: String) throws(Failure) -> Expression {
        try expect(.punctuation(.leftParen), "expected '(' after '\(word)'")
        let condition = try parseExpression()
        try expect(.punctuation(.rightParen), "expected ')' after the condition of '\(word)'")
        return condition
    }

    private mutating func parseFor(at location: SourceLocation) throws(Failure) -> Statement {
        advance()
        try expect(.punctuation(.leftParen), "expected '(' after 'for'")
        let initializers = try parseExpressionList(until: .punctuation(.semicolon))
        try expect(.punctuation(.semicolon), "expected ';' after the initializers of 'for'")
        let condition = check(.punctuation(.semicolon)) ? nil : try parseExpression()
        try expect(.punctuation(.semicolon), "expected ';' after the condition of 'for'")
        let steps = try parseExpressionList(until: .punctuation(.rightParen))
        try expect(.punctuation(.rightParen), "expected ')' after the steps of 'for'")
        return .for(initializers: initializers, condition: condition, steps: steps, body: try parseStatement(), location)
    }

    /// Zero or more comma-separated expressions, ending before `end`.
    mutating func parseExpressionList(until end: Token.Kind) throws(Failure) -> [Expression] {
        var expressions: [Expression] = []
        if check(end) { return expressions }
        repeat {
            expressions.append(try parseExpression())
        } while match(.punctuation(.comma))
        return expressions
    }
}
