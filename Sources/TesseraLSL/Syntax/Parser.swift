/// A recursive-descent parser for LSL: globals and functions, then `default`, then the named
/// states (docs/lsl.md, "Grammar"). Stops at the first syntax error, which it reports as a
/// diagnostic naming what was expected and what was found.
public struct Parser {
    /// A syntax error; the parser stops at the first one.
    public struct Failure: Error {
        public let diagnostic: Diagnostic
    }

    var tokens: [Token]
    var position = 0

    public init(tokens: [Token]) {
        precondition(tokens.last?.kind == .endOfFile, "the token list ends with endOfFile")
        self.tokens = tokens
    }

    /// Lexes and parses `source`; the script is nil when there was any error.
    public static func parse(_ source: String, file: String) -> (script: Script?, diagnostics: [Diagnostic]) {
        let (tokens, lexical) = Lexer.tokenize(source, file: file)
        guard lexical.isEmpty else { return (nil, lexical) }
        var parser = Parser(tokens: tokens)
        do {
            return (try parser.parseScript(), [])
        } catch {
            return (nil, [error.diagnostic])
        }
    }

    // MARK: - Top level

    public mutating func parseScript() throws(Failure) -> Script {
        var script = Script(globals: [], functions: [], states: [])
        while !check(.keyword(.default)) {
            if current.kind == .endOfFile { throw failure("expected the 'default' state") }
            if check(.keyword(.state)) { throw failure("the 'default' state must come before any other state") }
            try parseGlobalOrFunction(into: &script)
        }
        let defaultLocation = current.location
        advance()
        script.states.append(StateDeclaration(name: "default", events: try parseStateBody(), location: defaultLocation))
        while current.kind != .endOfFile {
            let location = current.location
            try expect(.keyword(.state), "expected 'state' or end of file")
            if check(.keyword(.default)) { throw failure("the 'default' state is defined twice") }
            let name = try expectIdentifier("expected a state name after 'state'")
            script.states.append(StateDeclaration(name: name, events: try parseStateBody(), location: location))
        }
        return script
    }

    private mutating func parseGlobalOrFunction(into script: inout Script) throws(Failure) {
        let location = current.location
        var type: LSLType?
        if case .keyword(let keyword) = current.kind, let t = keyword.type {
            type = t
            advance()
        }
        let name = try expectIdentifier(type == nil
            ? "expected a global variable, a function or the 'default' state"
            : "expected a name after '\(tokens[position - 1].text)'")
        if check(.punctuation(.leftParen)) {
            let parameters = try parseParameters()
            let body = try parseBlockStatements()
            script.functions.append(FunctionDeclaration(
                returnType: type, name: name, parameters: parameters, body: body, location: location))
            return
        }
        guard let type else { throw failure("expected '(' after function name '\(name)'") }
        var initializer: Expression?
        if match(.punctuation(.assign)) { initializer = try parseExpression() }
        try expect(.punctuation(.semicolon), "expected ';' after global variable '\(name)'")
        script.globals.append(GlobalVariable(type: type, name: name, initializer: initializer, location: location))
    }

    private mutating func parseStateBody() throws(Failure) -> [EventHandler] {
        try expect(.punctuation(.leftBrace), "expected '{' to open the state")
        var events: [EventHandler] = []
        while !match(.punctuation(.rightBrace)) {
            let location = current.location
            let name = try expectIdentifier("expected an event handler or '}'")
            let parameters = try parseParameters()
            let body = try parseBlockStatements()
            events.append(EventHandler(name: name, parameters: parameters, body: body, location: location))
        }
        return events
    }

    private mutating func parseParameters() throws(Failure) -> [Parameter] {
        try expect(.punctuation(.leftParen), "expected '('")
        var parameters: [Parameter] = []
        if match(.punctuation(.rightParen)) { return parameters }
        repeat {
            let location = current.location
            guard case .keyword(let keyword) = current.kind, let type = keyword.type else {
                throw failure("expected a parameter type")
            }
            advance()
            let name = try expectIdentifier("expected a parameter name")
            parameters.append(Parameter(type: type, name: name, location: location))
        } while match(.punctuation(.comma))
        try expect(.punctuation(.rightParen), "expected ',' or ')' in the parameter list")
        return parameters
    }

    // MARK: - Tokens

    var current: Token { tokens[position] }

    func peek(_ offset: Int) -> Token { tokens[min(position + offset, tokens.count - 1)] }

    mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    func check(_ kind: Token.Kind) -> Bool { current.kind == kind }

    mutating func match(_ kind: Token.Kind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    mutating func expect(_ kind: Token.Kind, _ message: String) throws(Failure) {
        guard match(kind) else { throw failure(message) }
    }

    mutating func expectIdentifier(_ message: String) throws(Failure) -> String {
        guard case .identifier(let name) = current.kind else { throw failure(message) }
        advance()
        return name
    }

    /// A diagnostic at the current token: "expected …, found …".
    func failure(_ expected: String) -> Failure {
        Failure(diagnostic: Diagnostic(at: current.location, "\(expected), found \(current.kind)"))
    }
}
