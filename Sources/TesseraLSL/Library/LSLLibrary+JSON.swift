/// JSON: `llJsonGetValue`, `llJsonValueType`, `llJsonSetValue`, `llJson2List`, `llList2Json`.
/// Types come back as the `JSON_*` constants (U+FDD0…U+FDD8); nested objects and arrays as
/// their text, as written in the source.
extension LSLLibrary {
    static let jsonInvalid = jsonConstant(0xFDD0)
    static let jsonObject = jsonConstant(0xFDD1)
    static let jsonArray = jsonConstant(0xFDD2)
    static let jsonNumber = jsonConstant(0xFDD3)
    static let jsonString = jsonConstant(0xFDD4)
    static let jsonNull = jsonConstant(0xFDD5)
    static let jsonTrue = jsonConstant(0xFDD6)
    static let jsonFalse = jsonConstant(0xFDD7)
    static let jsonDelete = jsonConstant(0xFDD8)

    /// The constants are noncharacters, which Swift does not allow in literals.
    private static func jsonConstant(_ code: UInt32) -> String { String(Character(Unicode.Scalar(code)!)) }

    static func registerJSON(_ t: inout LibraryTable) {
        t.add("llJsonGetValue") { a, _ in
            let text = Array(a.string(0).unicodeScalars)
            guard let node = JSONParser.find(text, path: a.list(1)) else { return .string(jsonInvalid) }
            return .string(node.value(in: text))
        }
        t.add("llJsonValueType") { a, _ in
            let text = Array(a.string(0).unicodeScalars)
            guard let node = JSONParser.find(text, path: a.list(1)) else { return .string(jsonInvalid) }
            return .string(node.typeConstant)
        }
        t.add("llJsonSetValue") { a, _ in .string(jsonSetValue(a.string(0), a.list(1), a.string(2))) }
        t.add("llJson2List") { a, _ in .list(json2List(a.string(0))) }
        t.add("llList2Json") { a, _ in .string(list2Json(a.string(0), a.list(1))) }
    }

    /// `"…"` with `\b \t \n \f \r \" \/ \\` escaped.
    static func jsonQuote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\u{08}": out += "\\b"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\u{0C}": out += "\\f"
            case "\r": out += "\\r"
            case "\"": out += "\\\""
            case "/": out += "\\/"
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    static func jsonFloat(_ f: Float) -> String {
        if f.isNaN { return "nan" }
        if f.isInfinite { return f > 0 ? "inf" : "-inf" }
        return LSLValue.cFormatFloat(f)
    }

    /// A list element as JSON text (`llList2Json`, and the value of `llJsonSetValue` with
    /// `parseNumbers`): strings are trimmed; text that already is JSON (a quoted string,
    /// `[…]`, `{…}`, `true`, `false`, `null`, and with `parseNumbers` a number) goes in as it
    /// is; `JSON_TRUE`/`FALSE`/`NULL` become the words; any other text is quoted.
    static func elementJSON(_ value: LSLValue, parseNumbers: Bool) -> String {
        switch value {
        case .integer(let v): return String(v)
        case .float(let f): return jsonFloat(f)
        case .key(let k): return "\"" + k + "\""
        case .vector(let v): return "\"<" + [v.x, v.y, v.z].map(jsonFloat).joined(separator: ", ") + ">\""
        case .rotation(let r): return "\"<" + [r.x, r.y, r.z, r.s].map(jsonFloat).joined(separator: ", ") + ">\""
        case .list: return jsonQuote(value.castString)
        case .string(let raw):
            let s = trimJSON(raw)
            if s.isEmpty { return "\"\"" }
            if s == jsonNull { return "null" }
            if s == jsonTrue { return "true" }
            if s == jsonFalse { return "false" }
            let scalars = Array(s.unicodeScalars)
            let first = scalars[0], last = scalars[scalars.count - 1]
            if (first == "\"" && last == "\"" && scalars.count > 1) || s == "null" || s == "true" || s == "false"
                || (first == "[" && last == "]") || (first == "{" && last == "}")
            {
                return s
            }
            if parseNumbers, JSONParser.numberLength(scalars, 0) == scalars.count { return s }
            if s == jsonInvalid { return "" }
            return jsonQuote(s)
        }
    }

    static func trimJSON(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var head = 0, tail = scalars.count
        func space(_ c: Unicode.Scalar) -> Bool { c == " " || (c.value >= 0x09 && c.value <= 0x0D) }
        while head < tail && space(scalars[head]) { head += 1 }
        while tail > head && space(scalars[tail - 1]) { tail -= 1 }
        return String(scalars: scalars[head..<tail])
    }

    static func list2Json(_ type: String, _ values: [LSLValue]) -> String {
        if type == jsonObject {
            guard values.count % 2 == 0 else { return jsonInvalid }
            var parts: [String] = []
            for i in Swift.stride(from: 0, to: values.count, by: 2) {
                let key: String
                switch values[i] {
                case .string(let s), .key(let s): key = s
                default: key = values[i].listElementString
                }
                parts.append(jsonQuote(key) + ":" + elementJSON(values[i + 1], parseNumbers: false))
            }
            return "{" + parts.joined(separator: ",") + "}"
        }
        if type == jsonArray {
            return "[" + values.map { elementJSON($0, parseNumbers: false) }.joined(separator: ",") + "]"
        }
        return jsonInvalid
    }

    /// One JSON value as a list element: strings unquoted, whole numbers integers (saturated
    /// to 32 bits), other numbers floats, `true`/`false`/`null` the constants, objects and
    /// arrays their text.
    static func jsonElement(_ node: JSONNode, _ text: Scalars) -> LSLValue {
        switch node.kind {
        case .number:
            let raw = node.raw(text)
            if raw.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "-" }) {
                let negative = raw.hasPrefix("-")
                let digits = raw.drop { $0 == "-" }
                if digits.count > 10 { return .integer(negative ? .min : .max) }
                let v = Int64(digits) ?? 0
                let signed = negative ? -v : v
                return .integer(Int32(clamping: signed))
            }
            return .float(LSLValue.stringToFloat(raw))
        default:
            return .string(node.value(in: text))
        }
    }

    static func json2List(_ source: String) -> [LSLValue] {
        let trimmed = trimJSON(source)
        if trimmed.isEmpty { return [] }
        let text = Array(trimmed.unicodeScalars)
        guard let root = JSONParser.parseDocument(text) else {
            // A malformed object or array is JSON_INVALID; other text comes back as it is.
            return text[0] == "[" || text[0] == "{" ? [.string(jsonInvalid)] : [.string(trimmed)]
        }
        switch root.kind {
        case .object:
            return root.children.flatMap { [LSLValue.string($0.key ?? ""), jsonElement($0.node, text)] }
        case .array:
            return root.children.map { jsonElement($0.node, text) }
        default:
            return [jsonElement(root, text)]
        }
    }

    /// A JSON tree being edited by `llJsonSetValue`: scalars keep their source text.
    indirect enum JSONTree {
        case object([(String, JSONTree)])
        case array([JSONTree])
        case raw(String)

        init(_ node: JSONNode, _ text: Scalars) {
            switch node.kind {
            case .object: self = .object(node.children.map { ($0.key ?? "", JSONTree($0.node, text)) })
            case .array: self = .array(node.children.map { JSONTree($0.node, text) })
            default: self = .raw(node.raw(text))
            }
        }

        var text: String {
            switch self {
            case .object(let members): "{" + members.map { LSLLibrary.jsonQuote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
            case .array(let elements): "[" + elements.map(\.text).joined(separator: ",") + "]"
            case .raw(let s): s
            }
        }
    }

    private struct JSONSetFailure: Error {}

    /// `llJsonSetValue`: the value set (or with `JSON_DELETE` removed) at the path, the levels
    /// that do not exist created; an array index may be an existing one, the length, or
    /// `JSON_APPEND` (-1) — on a level that is no array, 0 and `JSON_APPEND` replace it with a
    /// new array; any other index, or a malformed document, gives `JSON_INVALID`.
    static func jsonSetValue(_ json: String, _ path: [LSLValue], _ value: String) -> String {
        if path.isEmpty {
            return value == jsonDelete ? value : elementJSON(.string(value), parseNumbers: true)
        }
        let trimmed = trimJSON(json)
        var tree: JSONTree? = nil
        if !trimmed.isEmpty {
            let text = Array(trimmed.unicodeScalars)
            if let root = JSONParser.parseDocument(text) { tree = JSONTree(root, text) }
        }
        let delete = value == jsonDelete
        let newValue = JSONTree.raw(delete ? "" : elementJSON(.string(value), parseNumbers: true))
        do {
            let result = try set(tree, path[...], newValue, delete: delete)
            return result?.text ?? ""
        } catch {
            return jsonInvalid
        }
    }

    private static func set(_ tree: JSONTree?, _ path: ArraySlice<LSLValue>, _ value: JSONTree, delete: Bool) throws(JSONSetFailure) -> JSONTree? {
        guard let step = path.first else { return delete ? nil : value }
        let rest = path.dropFirst()
        switch step {
        case .integer(let index):
            var elements: [JSONTree]
            if case .array(let existing)? = tree {
                elements = existing
            } else {
                // Not an array (or nothing): index 0 or JSON_APPEND puts a new array there.
                if delete { return tree }
                elements = []
            }
            let i = index == -1 ? elements.count : Int(index)
            guard i >= 0, i <= elements.count else { throw JSONSetFailure() }
            if i == elements.count {
                if delete { return tree }
                if let made = try set(nil, rest, value, delete: delete) { elements.append(made) }
            } else if let changed = try set(elements[i], rest, value, delete: delete) {
                elements[i] = changed
            } else {
                elements.remove(at: i)
            }
            return .array(elements)
        case .string(let key), .key(let key):
            var members: [(String, JSONTree)]
            if case .object(let existing)? = tree {
                members = existing
            } else {
                if delete { return tree }
                members = []
            }
            if let at = members.lastIndex(where: { LSLValue.sameText($0.0, key) }) {
                if let changed = try set(members[at].1, rest, value, delete: delete) {
                    members[at].1 = changed
                } else {
                    members.remove(at: at)
                }
            } else {
                if delete { return tree }
                if let made = try set(nil, rest, value, delete: delete) { members.append((key, made)) }
            }
            return .object(members)
        default:
            throw JSONSetFailure()
        }
    }
}

/// A parsed JSON value: where it is in the source text, and its members.
struct JSONNode {
    enum Kind { case object, array, string, number, trueValue, falseValue, null }
    var kind: Kind
    var range: Range<Int>
    var children: [(key: String?, node: JSONNode)] = []

    func raw(_ text: Scalars) -> String { String(scalars: text[range]) }

    /// What `llJsonGetValue` gives: strings unquoted, `true`/`false`/`null` as constants,
    /// numbers, objects and arrays as their text.
    func value(in text: Scalars) -> String {
        switch kind {
        case .string: JSONParser.unquote(text[range])
        case .trueValue: LSLLibrary.jsonTrue
        case .falseValue: LSLLibrary.jsonFalse
        case .null: LSLLibrary.jsonNull
        default: raw(text)
        }
    }

    var typeConstant: String {
        switch kind {
        case .object: LSLLibrary.jsonObject
        case .array: LSLLibrary.jsonArray
        case .string: LSLLibrary.jsonString
        case .number: LSLLibrary.jsonNumber
        case .trueValue: LSLLibrary.jsonTrue
        case .falseValue: LSLLibrary.jsonFalse
        case .null: LSLLibrary.jsonNull
        }
    }
}

/// A JSON reader over code points, lenient where SL is (numbers like `01`, `.5`, `1.`).
struct JSONParser {
    let text: Scalars
    var i = 0

    static func parseDocument(_ text: Scalars) -> JSONNode? {
        var parser = JSONParser(text: text)
        guard let node = parser.value() else { return nil }
        parser.skipSpace()
        return parser.i == text.count ? node : nil
    }

    /// The value at `path` (integers index arrays, strings name object members; a string of
    /// digits also indexes an array); nil when it is not there or the text is not JSON.
    static func find(_ text: Scalars, path: [LSLValue]) -> JSONNode? {
        guard var node = parseDocument(text) else { return nil }
        for step in path {
            switch (node.kind, step) {
            case (.array, .integer(let i)):
                guard i >= 0, Int(i) < node.children.count else { return nil }
                node = node.children[Int(i)].node
            case (.array, .string(let s)), (.array, .key(let s)):
                guard let i = Int(s.prefix { $0.isASCII && $0.isNumber }.prefix(9)), i < node.children.count else { return nil }
                node = node.children[i].node
            case (.object, .string(let key)), (.object, .key(let key)):
                guard let member = node.children.last(where: { LSLValue.sameText($0.key ?? "", key) }) else { return nil }
                node = member.node
            default:
                return nil
            }
        }
        return node
    }

    /// The length of a number at `start` in SL's loose syntax: an optional `-`, digits with
    /// at most one `.`, and an optional exponent; 0 when there is none.
    static func numberLength(_ text: Scalars, _ start: Int) -> Int {
        var j = start
        if j < text.count && text[j] == "-" { j += 1 }
        var digits = 0
        var sawDot = false
        while j < text.count {
            let c = text[j]
            if ("0"..."9").contains(c) {
                digits += 1
            } else if c == "." && !sawDot {
                sawDot = true
            } else {
                break
            }
            j += 1
        }
        guard digits > 0 else { return 0 }
        if j < text.count && (text[j] == "e" || text[j] == "E") {
            var k = j + 1
            if k < text.count && (text[k] == "+" || text[k] == "-") { k += 1 }
            let expStart = k
            while k < text.count && ("0"..."9").contains(text[k]) { k += 1 }
            if k > expStart { j = k }
        }
        return j - start
    }

    static func unquote(_ quoted: ArraySlice<Unicode.Scalar>) -> String {
        var out = String.UnicodeScalarView()
        var k = quoted.startIndex + 1
        let end = quoted.endIndex - 1
        while k < end {
            let c = quoted[k]
            if c != "\\" || k + 1 >= end {
                out.append(c)
                k += 1
                continue
            }
            let e = quoted[k + 1]
            k += 2
            switch e {
            case "b": out.append("\u{08}")
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "f": out.append("\u{0C}")
            case "r": out.append("\r")
            case "u":
                if let (scalar, used) = unicodeEscape(quoted, k, end) {
                    out.append(scalar)
                    k += used
                } else {
                    out.append("u")
                }
            default: out.append(e)
            }
        }
        return String(out)
    }

    /// `\uXXXX` (and a following `\uXXXX` low surrogate): the character and how many code
    /// points after the `u` it used.
    private static func unicodeEscape(_ q: ArraySlice<Unicode.Scalar>, _ at: Int, _ end: Int) -> (Unicode.Scalar, Int)? {
        func hex4(_ p: Int) -> UInt32? {
            guard p + 4 <= end else { return nil }
            var v: UInt32 = 0
            for c in q[p..<p + 4] {
                guard c.isASCII, let d = LSLValue.hexDigit(UInt8(c.value)) else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        guard let high = hex4(at) else { return nil }
        if (0xD800...0xDBFF).contains(high), at + 10 <= end, q[at + 4] == "\\", q[at + 5] == "u",
            let low = hex4(at + 6), (0xDC00...0xDFFF).contains(low),
            let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        {
            return (scalar, 10)
        }
        return (Unicode.Scalar(high) ?? "\u{FFFD}", 4)
    }

    mutating func skipSpace() {
        while i < text.count, text[i] == " " || (text[i].value >= 0x09 && text[i].value <= 0x0D) { i += 1 }
    }

    mutating func value() -> JSONNode? {
        skipSpace()
        guard i < text.count else { return nil }
        let start = i
        switch text[i] {
        case "{":
            i += 1
            var node = JSONNode(kind: .object, range: start..<start)
            skipSpace()
            if i < text.count && text[i] == "}" {
                i += 1
                node.range = start..<i
                return node
            }
            while true {
                skipSpace()
                guard i < text.count, text[i] == "\"", let keyNode = string() else { return nil }
                skipSpace()
                guard i < text.count, text[i] == ":" else { return nil }
                i += 1
                guard let member = value() else { return nil }
                node.children.append((JSONParser.unquote(text[keyNode.range]), member))
                skipSpace()
                guard i < text.count else { return nil }
                if text[i] == "," { i += 1; continue }
                guard text[i] == "}" else { return nil }
                i += 1
                node.range = start..<i
                return node
            }
        case "[":
            i += 1
            var node = JSONNode(kind: .array, range: start..<start)
            skipSpace()
            if i < text.count && text[i] == "]" {
                i += 1
                node.range = start..<i
                return node
            }
            while true {
                guard let element = value() else { return nil }
                node.children.append((nil, element))
                skipSpace()
                guard i < text.count else { return nil }
                if text[i] == "," { i += 1; continue }
                guard text[i] == "]" else { return nil }
                i += 1
                node.range = start..<i
                return node
            }
        case "\"":
            return string()
        default:
            for (word, kind) in [("true", JSONNode.Kind.trueValue), ("false", .falseValue), ("null", .null)] {
                let w = Array(word.unicodeScalars)
                if i + w.count <= text.count && Array(text[i..<i + w.count]) == w {
                    i += w.count
                    return JSONNode(kind: kind, range: start..<i)
                }
            }
            let length = JSONParser.numberLength(text, i)
            guard length > 0 else { return nil }
            i += length
            return JSONNode(kind: .number, range: start..<i)
        }
    }

    mutating func string() -> JSONNode? {
        let start = i
        i += 1
        while i < text.count {
            if text[i] == "\\" {
                i += 2
                continue
            }
            if text[i] == "\"" {
                i += 1
                return JSONNode(kind: .string, range: start..<i)
            }
            i += 1
        }
        return nil
    }
}
