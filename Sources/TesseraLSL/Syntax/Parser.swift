/// A recursive-descent parser for LSL: globals and functions, then `default`, then the named
/// states (docs/lsl.md, "Grammar"). A syntax error is reported as a diagnostic naming what was
/// expected and what was found; the parser then skips to the end of the statement (`;`), of the
/// block (`}`) or of the declaration and goes on, so one pass reports many errors.
public struct Parser {
    /// A syntax error at one token.
    public struct Failure: Error {
        public let diagnostic: Diagnostic
    }

    var tokens: [Token]
    var position = 0
    /// Every syntax error found so far, in source order.
    public private(set) var diagnostics: [Diagnostic] = []

    public init(tokens: [Token]) {
        precondition(tokens.last?.kind == .endOfFile, "the token list ends with endOfFile")
        self.tokens = tokens
    }

    /// Lexes and parses `source`; the script is nil when there was any error.
    public static func parse(_ source: String, file: String) -> (script: Script?, diagnostics: [Diagnostic]) {
        let (tokens, lexical) = Lexer.tokenize(source, file: file)
        guard lexical.isEmpty else { return (nil, lexical) }
        var parser = Parser(tokens: tokens)
        let script = parser.parseScript()
        return parser.diagnostics.isEmpty ? (script, []) : (nil, parser.diagnostics)
    }

    /// Records a syntax error; a second error at the same token (a cascade) is left out.
    mutating func record(_ failure: Failure) {
        if diagnostics.last?.location == failure.diagnostic.location { return }
        diagnostics.append(failure.diagnostic)
    }

    // MARK: - Top level

    /// The whole script; errors are in `diagnostics` (the tree is partial when there are any).
    public mutating func parseScript() -> Script {
        var script = Script(globals: [], functions: [], states: [])
        while !check(.keyword(.default)) {
            let start = position
            if current.kind == .endOfFile {
                record(failure("expected the 'default' state"))
                return script
            }
            if check(.keyword(.state)) {
                record(failure("the 'default' state must come before any other state"))
                skipState()
                continue
            }
            do {
                try parseGlobalOrFunction(into: &script)
            } catch {
                record(error)
                synchronizeDeclaration()
            }
            if position == start { advance() }
        }
        let defaultLocation = current.location
        advance()
        script.states.append(StateDeclaration(name: "default", events: parseStateBody(), location: defaultLocation))
        while current.kind != .endOfFile {
            let start = position
            let location = current.location
            if check(.keyword(.default)) {
                record(failure("the 'default' state is defined twice"))
                skipState()
                continue
            }
            do {
                try expect(.keyword(.state), "expected 'state' or end of file")
                if check(.keyword(.default)) {
                    record(failure("the 'default' state is defined twice"))
                    skipState()
                    continue
                }
                let name = try expectIdentifier("expected a state name after 'state'")
                script.states.append(StateDeclaration(name: name, events: parseStateBody(), location: location))
            } catch {
                record(error)
                synchronizeDeclaration()
            }
            if position == start { advance() }
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

    /// The event handlers of a state, from its `{` to its `}`.
    private mutating func parseStateBody() -> [EventHandler] {
        do {
            try expect(.punctuation(.leftBrace), "expected '{' to open the state")
        } catch {
            record(error)
            synchronizeDeclaration()
            return []
        }
        var events: [EventHandler] = []
        while !match(.punctuation(.rightBrace)) {
            let start = position
            if current.kind == .endOfFile || check(.keyword(.state)) || check(.keyword(.default)) {
                record(failure("expected '}' to close the state"))
                return events
            }
            do {
                let location = current.location
                let name = try expectIdentifier("expected an event handler or '}'")
                let parameters = try parseParameters()
                let body = try parseBlockStatements()
                events.append(EventHandler(name: name, parameters: parameters, body: body, location: location))
            } catch {
                record(error)
                synchronizeEvent()
            }
            if position == start { advance() }
        }
        return events
    }

    // MARK: - Recovery

    /// Skips a `{ … }` block with the blocks inside it; the current token is its `{`.
    mutating func skipBlock() {
        var depth = 0
        repeat {
            if check(.punctuation(.leftBrace)) { depth += 1 }
            if check(.punctuation(.rightBrace)) { depth -= 1 }
            advance()
        } while depth > 0 && current.kind != .endOfFile
    }

    /// After an error in a global, a function header or a state header: on to the next `;`
    /// (taken), past the next block, or to `default`, `state` or the end.
    private mutating func synchronizeDeclaration() {
        while current.kind != .endOfFile && !check(.keyword(.default)) && !check(.keyword(.state)) {
            if check(.punctuation(.leftBrace)) { skipBlock(); return }
            let done = check(.punctuation(.semicolon)) || check(.punctuation(.rightBrace))
            advance()
            if done { return }
        }
    }

    /// After an error in an event handler's header: past its body, or to the state's `}`.
    private mutating func synchronizeEvent() {
        while current.kind != .endOfFile && !check(.punctuation(.rightBrace)) && !check(.keyword(.state)) {
            if check(.punctuation(.leftBrace)) { skipBlock(); return }
            advance()
        }
    }

    /// A `state name { … }` or `default { … }` that is out of place.
    private mutating func skipState() {
        advance()
        if case .identifier = current.kind { advance() }
        if check(.punctuation(.leftBrace)) { skipBlock() }
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
