/// Checks that every name a script uses exists: variables and constants (locals in scope, the
/// script's globals, the built-in constants), functions (the script's own and the built-ins),
/// event handlers, states and jump labels. An unknown name is an error naming it.
public struct NameResolver {
    private let globals: [String: SourceLocation]
    private let functions: Set<String>
    private let states: Set<String>
    private var scopes: [Set<String>] = []
    private var labels: Set<String> = []
    private var diagnostics: [Diagnostic] = []

    public static func resolve(_ script: Script) -> [Diagnostic] {
        var resolver = NameResolver(script)
        resolver.run(script)
        return resolver.diagnostics
    }

    private init(_ script: Script) {
        globals = Dictionary(script.globals.map { ($0.name, $0.location) }, uniquingKeysWith: { first, _ in first })
        functions = Set(script.functions.map(\.name))
        states = Set(script.states.map(\.name))
    }

    private mutating func run(_ script: Script) {
        // A global's initializer sees the globals above it only.
        var declared: Set<String> = []
        for global in script.globals {
            scopes = [declared]
            if let initializer = global.initializer { resolve(initializer) }
            declared.insert(global.name)
        }
        for function in script.functions {
            body(function.body, parameters: function.parameters)
        }
        for state in script.states {
            for event in state.events {
                if LSLDefinitions.events[event.name] == nil {
                    diagnostics.append(Diagnostic(at: event.location, "unknown event '\(event.name)'"))
                }
                body(event.body, parameters: event.parameters)
            }
        }
    }

    private mutating func body(_ statements: [Statement], parameters: [Parameter]) {
        scopes = [Set(globals.keys), Set(parameters.map(\.name))]
        labels = []
        statements.forEach { collectLabels($0) }
        statements.forEach { resolve($0) }
    }

    /// Labels are visible in the whole function or event, before and after their `@`.
    private mutating func collectLabels(_ statement: Statement) {
        switch statement {
        case .label(let name, _): labels.insert(name)
        case .block(let statements, _): statements.forEach { collectLabels($0) }
        case .if(_, let then, let otherwise, _):
            collectLabels(then)
            if let otherwise { collectLabels(otherwise) }
        case .while(_, let body, _), .doWhile(let body, _, _), .for(_, _, _, let body, _): collectLabels(body)
        default: break
        }
    }

    private mutating func resolve(_ statement: Statement) {
        switch statement {
        case .empty, .label: break
        case .block(let statements, _):
            scopes.append([])
            statements.forEach { resolve($0) }
            scopes.removeLast()
        case .declaration(_, let name, let initializer, _):
            if let initializer { resolve(initializer) }
            scopes[scopes.count - 1].insert(name)
        case .expression(let expression): resolve(expression)
        case .if(let condition, let then, let otherwise, _):
            resolve(condition)
            resolve(then)
            if let otherwise { resolve(otherwise) }
        case .while(let condition, let body, _):
            resolve(condition)
            resolve(body)
        case .doWhile(let body, let condition, _):
            resolve(body)
            resolve(condition)
        case .for(let initializers, let condition, let steps, let body, _):
            initializers.forEach { resolve($0) }
            if let condition { resolve(condition) }
            steps.forEach { resolve($0) }
            resolve(body)
        case .jump(let label, let location):
            if !labels.contains(label) { diagnostics.append(Diagnostic(at: location, "unknown label '\(label)'")) }
        case .return(let value, _):
            if let value { resolve(value) }
        case .stateChange(let name, let location):
            if !states.contains(name) { diagnostics.append(Diagnostic(at: location, "unknown state '\(name)'")) }
        }
    }

    private mutating func resolve(_ expression: Expression) {
        switch expression {
        case .integer, .float, .string: break
        case .variable(let target), .preIncrement(let target, _), .postIncrement(let target, _):
            resolve(target)
        case .vector(let x, let y, let z, _): [x, y, z].forEach { resolve($0) }
        case .rotation(let x, let y, let z, let s, _): [x, y, z, s].forEach { resolve($0) }
        case .list(let elements, _): elements.forEach { resolve($0) }
        case .call(let name, let arguments, let location):
            if !functions.contains(name), LSLDefinitions.functions[name] == nil {
                diagnostics.append(Diagnostic(at: location, "unknown function '\(name)'"))
            }
            arguments.forEach { resolve($0) }
        case .print(let value, _), .cast(_, let value, _), .unary(_, let value, _), .parenthesized(let value, _):
            resolve(value)
        case .binary(_, let left, let right, _):
            resolve(left)
            resolve(right)
        case .assignment(_, let target, let value, _):
            resolve(target)
            resolve(value)
        }
    }

    private mutating func resolve(_ target: LValue) {
        if scopes.contains(where: { $0.contains(target.name) }) { return }
        if LSLDefinitions.constants[target.name] != nil { return }
        diagnostics.append(Diagnostic(at: target.location, "unknown variable or constant '\(target.name)'"))
    }
}
