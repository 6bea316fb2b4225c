/// The rules of SL's compiler that are about the shape of a script rather than its names or types
/// (docs/lsl.md, "Checker"):
/// - a name is declared once in its scope: globals and user functions share the script's scope
///   with the built-in functions; parameters share the scope of their function's or event's body;
///   a local may shadow a global or a local of an enclosing block. A built-in constant or an
///   event's name names no variable, parameter or function (SL's lexer reserves them);
/// - one handler per event in a state, one state per name, one label per name in a body;
/// - a global's initializer is a constant: a literal, a negated number literal, a built-in
///   constant, a global above it, or a vector, rotation or list literal of those;
/// - a declaration alone as the body of `if`, `else`, `while`, `do` or `for` needs braces;
/// - a user function changes state only inside an `if` or `else` (what SL's compiler accepts);
/// - an event handler's parameters have the types and count of the event's definition;
/// - a function that returns a value returns on every path.
public struct StructureChecker {
    private var diagnostics: [Diagnostic] = []

    public static func check(_ script: Script) -> [Diagnostic] {
        var checker = StructureChecker()
        checker.run(script)
        return checker.diagnostics
    }

    private mutating func report(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(at: location, message))
    }

    private mutating func run(_ script: Script) {
        checkScriptScope(script)
        checkGlobalInitializers(script)
        for function in script.functions {
            checkBody(function.body, parameters: function.parameters, inFunction: true)
            if let type = function.returnType, !returnsOnEveryPath(function.body) {
                report(function.location, "not all code paths of '\(function.name)' return a value (it returns \(type.rawValue))")
            }
        }
        var states: [String: SourceLocation] = [:]
        for state in script.states {
            if let first = states[state.name] {
                report(state.location, "state '\(state.name)' is already defined at line \(first.line)")
            } else {
                states[state.name] = state.location
            }
            var handlers: [String: SourceLocation] = [:]
            for event in state.events {
                if let first = handlers[event.name] {
                    report(event.location, "'\(event.name)' is already handled in state '\(state.name)' at line \(first.line)")
                } else {
                    handlers[event.name] = event.location
                }
                checkEventSignature(event)
                checkBody(event.body, parameters: event.parameters, inFunction: false)
            }
        }
    }

    // MARK: - Declarations

    /// Why `name` may not be declared at all, or nil.
    private func reservedReason(_ name: String) -> String? {
        if LSLDefinitions.constants[name] != nil { return "'\(name)' is a built-in constant and cannot be declared" }
        if LSLDefinitions.events[name] != nil { return "'\(name)' is the name of an event and cannot be declared" }
        return nil
    }

    private mutating func checkScriptScope(_ script: Script) {
        var declared: [String: SourceLocation] = [:]
        // Source order, globals and functions interleaved as written.
        let entries = (script.globals.map { ($0.name, $0.location) } + script.functions.map { ($0.name, $0.location) })
            .sorted { ($0.1.line, $0.1.column) < ($1.1.line, $1.1.column) }
        for (name, location) in entries {
            if let reason = reservedReason(name) {
                report(location, reason)
            } else if LSLDefinitions.functions[name] != nil {
                report(location, "'\(name)' is a built-in function and cannot be declared again")
            } else if let first = declared[name] {
                report(location, "'\(name)' is already declared at line \(first.line)")
            } else {
                declared[name] = location
            }
        }
    }

    private mutating func checkGlobalInitializers(_ script: Script) {
        for global in script.globals {
            guard let initializer = global.initializer else { continue }
            if let bad = nonConstant(initializer, allowList: true) {
                report(bad.location, "the initial value of global '\(global.name)' must be a constant: a literal, a built-in constant, a global or a vector, rotation or list of those")
            }
        }
    }

    /// The first part of a global's initializer that SL's compiler does not accept, or nil.
    private func nonConstant(_ expression: Expression, allowList: Bool) -> Expression? {
        switch expression {
        case .integer, .float, .string:
            return nil
        case .variable(let target):
            return target.member == nil ? nil : expression
        case .unary(.negate, .integer, _), .unary(.negate, .float, _):
            return nil
        case .vector(let x, let y, let z, _):
            return [x, y, z].lazy.compactMap { nonConstant($0, allowList: false) }.first
        case .rotation(let x, let y, let z, let s, _):
            return [x, y, z, s].lazy.compactMap { nonConstant($0, allowList: false) }.first
        case .list(let elements, _) where allowList:
            return elements.lazy.compactMap { nonConstant($0, allowList: false) }.first
        default:
            return expression
        }
    }

    private mutating func checkEventSignature(_ event: EventHandler) {
        guard let definition = LSLDefinitions.events[event.name] else { return }
        let expected = definition.parameters.map(\.type)
        guard event.parameters.map(\.type) != expected else { return }
        let wanted = definition.parameters.map { "\($0.type.rawValue) \($0.name)" }.joined(separator: ", ")
        report(event.location, "'\(event.name)' takes (\(wanted))")
    }

    // MARK: - Bodies

    /// Scopes of the body being checked, innermost last: each name with where it was declared.
    private var scopes: [[String: SourceLocation]] = []
    private var labels: [String: SourceLocation] = [:]
    private var inFunction = false

    private mutating func checkBody(_ statements: [Statement], parameters: [Parameter], inFunction: Bool) {
        self.inFunction = inFunction
        scopes = [[:]]
        labels = [:]
        for parameter in parameters { declare(parameter.name, at: parameter.location) }
        for statement in statements { check(statement, insideIf: false) }
    }

    private mutating func declare(_ name: String, at location: SourceLocation) {
        if let reason = reservedReason(name) {
            report(location, reason)
        } else if let first = scopes[scopes.count - 1][name] {
            report(location, "'\(name)' is already declared in this scope at line \(first.line)")
        } else {
            scopes[scopes.count - 1][name] = location
        }
    }

    /// A statement that is the whole body of a control statement: a declaration there is an error.
    private mutating func checkControlBody(_ statement: Statement, of word: String, insideIf: Bool) {
        if case .declaration(_, let name, _, let location) = statement {
            report(location, "the declaration of '\(name)' needs its own scope: put the body of '\(word)' in { }")
            return
        }
        check(statement, insideIf: insideIf)
    }

    private mutating func check(_ statement: Statement, insideIf: Bool) {
        switch statement {
        case .empty, .expression, .jump, .return:
            break
        case .block(let statements, _):
            scopes.append([:])
            for inner in statements { check(inner, insideIf: insideIf) }
            scopes.removeLast()
        case .declaration(_, let name, _, let location):
            declare(name, at: location)
        case .if(_, let then, let otherwise, _):
            checkControlBody(then, of: "if", insideIf: true)
            if let otherwise { checkControlBody(otherwise, of: "else", insideIf: true) }
        case .while(_, let body, _):
            checkControlBody(body, of: "while", insideIf: insideIf)
        case .doWhile(let body, _, _):
            checkControlBody(body, of: "do", insideIf: insideIf)
        case .for(_, _, _, let body, _):
            checkControlBody(body, of: "for", insideIf: insideIf)
        case .label(let name, let location):
            if let first = labels[name] {
                report(location, "label '\(name)' is already defined at line \(first.line)")
            } else {
                labels[name] = location
            }
        case .stateChange(let name, let location):
            if inFunction && !insideIf {
                report(location, "a user function cannot change state ('state \(name)'), except inside an 'if' or 'else'")
            }
        }
    }

    // MARK: - Returns

    /// Whether running `statements` always ends in a `return` (SL's check is structural:
    /// loops other than `do … while` may run zero times, `jump` and `state` do not count).
    private func returnsOnEveryPath(_ statements: [Statement]) -> Bool {
        statements.contains { returnsOnEveryPath($0) }
    }

    private func returnsOnEveryPath(_ statement: Statement) -> Bool {
        switch statement {
        case .return: true
        case .block(let statements, _): returnsOnEveryPath(statements)
        case .if(_, let then, let otherwise?, _): returnsOnEveryPath(then) && returnsOnEveryPath(otherwise)
        case .doWhile(let body, _, _): returnsOnEveryPath(body)
        default: false
        }
    }
}
