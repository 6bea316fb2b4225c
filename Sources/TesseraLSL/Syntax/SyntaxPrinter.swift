/// Prints a syntax tree back as LSL with every operation parenthesised, so tests (and people)
/// can see how the parser grouped it: `1 + 2 * 3` prints as `(1 + (2 * 3))`.
public enum SyntaxPrinter {
    public static func print(_ expression: Expression) -> String {
        switch expression {
        case .integer(let value, _): String(value)
        case .float(let value, _): String(value)
        case .string(let value, _): quoted(value)
        case .variable(let target): lvalue(target)
        case .vector(let x, let y, let z, _): "<\(list([x, y, z]))>"
        case .rotation(let x, let y, let z, let s, _): "<\(list([x, y, z, s]))>"
        case .list(let elements, _): "[\(list(elements))]"
        case .call(let name, let arguments, _): "\(name)(\(list(arguments)))"
        case .print(let value, _): "print(\(print(value)))"
        case .cast(let type, let value, _): "((\(type.rawValue))\(print(value)))"
        case .unary(let op, let value, _): "(\(op.rawValue)\(print(value)))"
        case .binary(let op, let left, let right, _): "(\(print(left)) \(op.rawValue) \(print(right)))"
        case .assignment(let op, let target, let value, _): "(\(lvalue(target)) \(op.rawValue) \(print(value)))"
        case .preIncrement(let target, let isDecrement): "(\(isDecrement ? "--" : "++")\(lvalue(target)))"
        case .postIncrement(let target, let isDecrement): "(\(lvalue(target))\(isDecrement ? "--" : "++"))"
        case .parenthesized(let inner, _): print(inner)
        }
    }

    /// One line per statement, nested statements indented by four spaces.
    public static func print(_ statement: Statement, indent: String = "") -> String {
        let inner = indent + "    "
        switch statement {
        case .empty: return indent + ";"
        case .block(let statements, _):
            return indent + "{\n" + statements.map { print($0, indent: inner) + "\n" }.joined() + indent + "}"
        case .declaration(let type, let name, let initializer, _):
            return indent + "\(type.rawValue) \(name)" + (initializer.map { " = " + print($0) } ?? "") + ";"
        case .expression(let expression): return indent + print(expression) + ";"
        case .if(let condition, let then, let otherwise, _):
            var text = indent + "if (\(print(condition)))\n" + print(then, indent: inner)
            if let otherwise { text += "\n" + indent + "else\n" + print(otherwise, indent: inner) }
            return text
        case .while(let condition, let body, _):
            return indent + "while (\(print(condition)))\n" + print(body, indent: inner)
        case .doWhile(let body, let condition, _):
            return indent + "do\n" + print(body, indent: inner) + "\n" + indent + "while (\(print(condition)));"
        case .for(let initializers, let condition, let steps, let body, _):
            let head = "for (\(list(initializers)); \(condition.map { print($0) } ?? ""); \(list(steps)))"
            return indent + head + "\n" + print(body, indent: inner)
        case .jump(let label, _): return indent + "jump \(label);"
        case .label(let name, _): return indent + "@\(name);"
        case .return(let value, _): return indent + "return" + (value.map { " " + print($0) } ?? "") + ";"
        case .stateChange(let name, _): return indent + "state \(name);"
        }
    }

    /// The whole script: globals, functions, states with their events.
    public static func print(_ script: Script) -> String {
        var lines: [String] = script.globals.map { global in
            "\(global.type.rawValue) \(global.name)" + (global.initializer.map { " = " + print($0) } ?? "") + ";"
        }
        for function in script.functions {
            let type = function.returnType.map { $0.rawValue + " " } ?? ""
            lines.append(type + function.name + "(\(parameters(function.parameters)))")
            lines.append(print(.block(function.body, function.location)))
        }
        for state in script.states {
            lines.append(state.name == "default" ? "default" : "state \(state.name)")
            lines.append("{")
            for event in state.events {
                lines.append("    \(event.name)(\(parameters(event.parameters)))")
                lines.append(print(.block(event.body, event.location), indent: "    "))
            }
            lines.append("}")
        }
        return lines.joined(separator: "\n")
    }

    private static func list(_ expressions: [Expression]) -> String {
        expressions.map { print($0) }.joined(separator: ", ")
    }

    private static func parameters(_ parameters: [Parameter]) -> String {
        parameters.map { "\($0.type.rawValue) \($0.name)" }.joined(separator: ", ")
    }

    private static func lvalue(_ target: LValue) -> String {
        target.name + (target.member.map { "." + $0 } ?? "")
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for c in text {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}
