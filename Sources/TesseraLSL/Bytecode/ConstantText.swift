/// The values of built-in constants, from the text the definitions give them.
enum ConstantText {
    static func value(of constant: LSLConstant) -> LSLValue {
        switch constant.type {
        case .integer:
            let text = constant.value.trimmingCharacters(in: " ")
            if text.hasPrefix("0x") || text.hasPrefix("0X") {
                return .integer(Int32(truncatingIfNeeded: UInt32(text.dropFirst(2), radix: 16) ?? 0))
            }
            return .integer(Int32(truncatingIfNeeded: Int64(text) ?? 0))
        case .float:
            return .float(Float(constant.value.trimmingCharacters(in: " ")) ?? 0)
        case .string:
            return .string(unescape(constant.value))
        case .key:
            return .key(unescape(constant.value))
        case .vector:
            let n = numbers(constant.value)
            return n.count == 3 ? .vector(LSLVector(n[0], n[1], n[2])) : .vector(.zero)
        case .rotation:
            let n = numbers(constant.value)
            return n.count == 4 ? .rotation(LSLRotation(n[0], n[1], n[2], n[3])) : .rotation(.identity)
        case .list:
            return .list([])
        }
    }

    private static func numbers(_ text: String) -> [Float] {
        text.split(whereSeparator: { "<>, ".contains($0) }).compactMap { Float($0) }
    }

    /// `\n`, `\t`, `\\`, `\"`, `\xHH` and `\u{HHHH}` as the definitions write them.
    static func unescape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "\\", let next = scalars.popFirst() else {
                out.append(scalar)
                continue
            }
            switch next {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "x":
                let hex = String(String.UnicodeScalarView(scalars.prefix(2)))
                scalars = scalars.dropFirst(2)
                if let value = UInt32(hex, radix: 16), let s = Unicode.Scalar(value) { out.append(s) }
            case "u":
                guard scalars.first == "{", let close = scalars.firstIndex(of: "}") else { out.append(next); continue }
                let hex = String(String.UnicodeScalarView(scalars[scalars.index(after: scalars.startIndex)..<close]))
                scalars = scalars[scalars.index(after: close)...]
                if let value = UInt32(hex, radix: 16), let s = Unicode.Scalar(value) { out.append(s) }
            default: out.append(next)
            }
        }
        return String(out)
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        String(drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
}
