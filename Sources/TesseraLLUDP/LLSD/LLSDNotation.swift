import Foundation

/// LLSD in its notation serialisation — the compact text the login reply uses inside some string
/// fields (`look_at`, `home`): `[r0.0,r1.0,r0.0]`, `{'position':[r128.0,r128.0,r21.0]}`.
public enum LLSDNotation {
    public static func encode(_ value: LLSD) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    static func write(_ value: LLSD, to out: inout String) {
        switch value {
        case .undefined: out += "!"
        case .boolean(let flag): out += flag ? "true" : "false"
        case .integer(let number): out += "i\(number)"
        case .real(let number): out += "r" + number.description
        case .string(let text): out += quoted(text, "'")
        case .uuid(let id): out += "u" + id.uuidString.lowercased()
        case .date(let seconds): out += "d\"" + ISO8601Date.format(seconds) + "\""
        case .uri(let text): out += "l" + quoted(text, "\"")
        case .binary(let bytes): out += "b64\"" + Data(bytes).base64EncodedString() + "\""
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .map(let map):
            out += "{"
            for (index, key) in map.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                out += quoted(key, "'") + ":"
                write(map[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// Text between `quote`s, the quote and the backslash escaped with a backslash.
    static func quoted(_ text: String, _ quote: Character) -> String {
        var out = String(quote)
        for character in text {
            if character == quote || character == "\\" { out.append("\\") }
            out.append(character)
        }
        out.append(quote)
        return out
    }
}
