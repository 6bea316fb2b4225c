/// Checks the types of a script whose names all resolve (run `NameResolver` first): operands of
/// operators, casts, assignments, declarations, arguments, returns, and no list inside a list.
public struct TypeChecker {
    private let globals: [String: LSLType]
    private let functions: [String: FunctionDeclaration]
    private var scopes: [[String: LSLType]] = []
    /// The return type of the body being checked: nil for void functions and events.
    private var returnType: LSLType?
    private var diagnostics: [Diagnostic] = []

    public static func check(_ script: Script) -> [Diagnostic] {
        var checker = TypeChecker(script)
        checker.run(script)
        return checker.diagnostics
    }

    private init(_ script: Script) {
        globals = Dictionary(script.globals.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        functions = Dictionary(script.functions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private mutating func run(_ script: Script) {
        for global in script.globals {
            scopes = [globals]
            if let initializer = global.initializer { store(initializer, into: global.type, what: "'\(global.name)'") }
        }
        for function in script.functions {
            body(function.body, parameters: function.parameters, returning: function.returnType)
        }
        for event in script.states.flatMap(\.events) {
            body(event.body, parameters: event.parameters, returning: nil)
        }
    }

    private mutating func body(_ statements: [Statement], parameters: [Parameter], returning type: LSLType?) {
        scopes = [globals, Dictionary(parameters.map { ($0.name, $0.type) }, uniquingKeysWith: { _, last in last })]
        returnType = type
        statements.forEach { check($0) }
    }

    // MARK: - Statements

    private mutating func check(_ statement: Statement) {
        switch statement {
        case .empty, .label, .jump, .stateChange: break
        case .block(let statements, _):
            scopes.append([:])
            statements.forEach { check($0) }
            scopes.removeLast()
        case .declaration(let type, let name, let initializer, _):
            if let initializer { store(initializer, into: type, what: "'\(name)'") }
            scopes[scopes.count - 1][name] = type
        case .expression(let expression): _ = type(of: expression)
        case .if(let condition, let then, let otherwise, _):
            _ = type(of: condition)
            check(then)
            if let otherwise { check(otherwise) }
        case .while(let condition, let body, _), .doWhile(let body, let condition, _):
            _ = type(of: condition)
            check(body)
        case .for(let initializers, let condition, let steps, let body, _):
            (initializers + steps + (condition.map { [$0] } ?? [])).forEach { _ = type(of: $0) }
            check(body)
        case .return(let value, let location):
            switch (value, returnType) {
            case (nil, nil): break
            case (let value?, let expected?): store(value, into: expected, what: "the returned value")
            case (let value?, nil):
                diagnostics.append(Diagnostic(at: value.location, "a value is returned where none is expected"))
            case (nil, let expected?):
                diagnostics.append(Diagnostic(at: location, "'return' needs a value of type \(expected.rawValue)"))
            }
        }
    }

    /// Checks that `value` can be stored where `type` is expected.
    private mutating func store(_ value: Expression, into type: LSLType, what: String) {
        guard let actual = self.type(of: value) else {
            if case .call(let name, _, let location) = value, returnsNothing(name) {
                diagnostics.append(Diagnostic(at: location, "'\(name)' returns no value"))
            } else if case .print(_, let location) = value {
                diagnostics.append(Diagnostic(at: location, "'print' returns no value"))
            }
            return
        }
        if !TypeRules.isAssignable(actual, to: type) {
            diagnostics.append(Diagnostic(at: value.location, "cannot use \(actual.withArticle) as \(what), which is \(type.rawValue)"))
        }
    }

    // MARK: - Expressions

    /// The type of an expression, nil for a void call or after an error already reported.
    private mutating func type(of expression: Expression) -> LSLType? {
        switch expression {
        case .integer: return .integer
        case .float: return .float
        case .string: return .string
        case .variable(let target): return type(of: target)
        case .vector(let x, let y, let z, _):
            [x, y, z].forEach { store($0, into: .float, what: "a vector component") }
            return .vector
        case .rotation(let x, let y, let z, let s, _):
            [x, y, z, s].forEach { store($0, into: .float, what: "a rotation component") }
            return .rotation
        case .list(let elements, _):
            for element in elements where type(of: element) == .list {
                diagnostics.append(Diagnostic(at: element.location, "a list cannot contain a list"))
            }
            return .list
        case .call(let name, let arguments, let location):
            return call(name, arguments, at: location)
        case .print(let value, _):
            _ = type(of: value)
            return nil
        case .parenthesized(let inner, _): return type(of: inner)
        case .cast(let to, let value, let location):
            guard let from = type(of: value) else { return to }
            if !TypeRules.canCast(from, to: to) {
                diagnostics.append(Diagnostic(at: location, "cannot cast \(from.withArticle) to \(to.rawValue)"))
            }
            return to
        case .unary(let op, let value, let location):
            guard let operand = type(of: value) else { return nil }
            guard let result = TypeRules.unary(op, operand) else {
                diagnostics.append(Diagnostic(at: location, "'\(op.rawValue)' cannot apply to \(operand.withArticle)"))
                return nil
            }
            return result
        case .binary(let op, let left, let right, let location):
            guard let l = type(of: left), let r = type(of: right) else { return nil }
            return binary(op.rawValue, TypeRules.binary(op, l, r), l, r, at: location)
        case .preIncrement(let target, let isDecrement), .postIncrement(let target, let isDecrement):
            guard let t = type(of: target) else { return nil }
            if t != .integer && t != .float {
                diagnostics.append(Diagnostic(at: target.location, "'\(isDecrement ? "--" : "++")' cannot apply to \(t.withArticle)"))
            }
            return t
        case .assignment(let op, let target, let value, let location):
            return assignment(op, target, value, at: location)
        }
    }

    private mutating func binary(_ spelling: String, _ result: LSLType?, _ l: LSLType, _ r: LSLType, at location: SourceLocation) -> LSLType? {
        if result == nil {
            diagnostics.append(Diagnostic(at: location, "'\(spelling)' cannot apply to \(l.withArticle) and \(r.withArticle)"))
        }
        return result
    }

    private mutating func assignment(_ op: AssignmentOperator, _ target: LValue, _ value: Expression, at location: SourceLocation) -> LSLType? {
        guard let t = type(of: target) else { _ = type(of: value); return nil }
        guard op != .assign else {
            store(value, into: t, what: "'\(target.name)'")
            return t
        }
        guard let v = type(of: value) else { return t }
        let binaryOperator = BinaryOperator(rawValue: String(op.rawValue.dropLast()))!
        // SL accepts `integer *= float` (the product is truncated back to an integer).
        if op == .multiply && t == .integer && v == .float { return t }
        let result = binary(op.rawValue, TypeRules.binary(binaryOperator, t, v), t, v, at: location)
        if let result, !TypeRules.isAssignable(result, to: t) {
            diagnostics.append(Diagnostic(at: location, "cannot store the \(result.rawValue) result of '\(op.rawValue)' in '\(target.name)', which is \(t.rawValue)"))
        }
        return t
    }

    private func returnsNothing(_ name: String) -> Bool {
        if let function = functions[name] { return function.returnType == nil }
        return LSLDefinitions.functions[name].map { $0.returnType == nil } ?? false
    }

    private mutating func call(_ name: String, _ arguments: [Expression], at location: SourceLocation) -> LSLType? {
        let parameters: [LSLType]
        let returns: LSLType?
        if let function = functions[name] {
            parameters = function.parameters.map(\.type)
            returns = function.returnType
        } else if let builtin = LSLDefinitions.functions[name] {
            parameters = builtin.parameters.map(\.type)
            returns = builtin.returnType
        } else {
            arguments.forEach { _ = type(of: $0) }
            return nil
        }
        guard arguments.count == parameters.count else {
            diagnostics.append(Diagnostic(at: location, "'\(name)' takes \(parameters.count) argument\(parameters.count == 1 ? "" : "s"), given \(arguments.count)"))
            arguments.forEach { _ = type(of: $0) }
            return returns
        }
        for (index, (argument, parameter)) in zip(arguments, parameters).enumerated() {
            store(argument, into: parameter, what: "argument \(index + 1) of '\(name)'")
        }
        return returns
    }

    private mutating func type(of target: LValue) -> LSLType? {
        let base = scopes.reversed().lazy.compactMap { $0[target.name] }.first ?? LSLDefinitions.constants[target.name]?.type
        guard let member = target.member, let base else { return base }
        // `.s` belongs to rotations; `.x .y .z` to vectors and rotations.
        if base == .rotation || (base == .vector && member != "s") { return .float }
        diagnostics.append(Diagnostic(at: target.location, "'\(target.name)' is \(base.withArticle) and has no member '.\(member)'"))
        return nil
    }
}

extension LSLType {
    /// "an integer", "a float": how messages name a value of the type.
    var withArticle: String { (self == .integer ? "an " : "a ") + rawValue }
}
