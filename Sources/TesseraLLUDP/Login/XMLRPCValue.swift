import Foundation

/// One XML-RPC value, as the viewer login carries them. `nil` and 64-bit integers are not
/// supported (no viewer sends them to the login).
public indirect enum XMLRPCValue: Sendable, Equatable {
    /// `<int>` or `<i4>`.
    case int(Int32)
    /// `<boolean>`: 0 or 1 (true/false also read).
    case bool(Bool)
    /// `<string>`, or a `<value>` with text and no type element.
    case string(String)
    case double(Double)
    /// `<dateTime.iso8601>`, `YYYYMMDDTHH:MM:SS` taken as UTC: seconds since 1970.
    case dateTime(Double)
    case base64([UInt8])
    case `struct`([String: XMLRPCValue])
    case array([XMLRPCValue])

    public subscript(member: String) -> XMLRPCValue? {
        if case .struct(let members) = self { return members[member] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var intValue: Int32? {
        if case .int(let number) = self { return number }
        return nil
    }

    public var arrayValue: [XMLRPCValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var structValue: [String: XMLRPCValue]? {
        if case .struct(let members) = self { return members }
        return nil
    }

    /// The name of the value's type as it appears in a document (for error messages).
    public var typeName: String {
        switch self {
        case .int: "int"
        case .bool: "boolean"
        case .string: "string"
        case .double: "double"
        case .dateTime: "dateTime.iso8601"
        case .base64: "base64"
        case .struct: "struct"
        case .array: "array"
        }
    }
}

/// Why an XML-RPC document was refused.
public enum XMLRPCError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Too big, too deep or not well-formed XML.
    case document(XMLReadError)
    /// An element where another belongs (`expected` says what did).
    case unexpectedElement(String, inside: String, expected: String)
    /// A required element is missing.
    case missingElement(String, inside: String)
    /// Text where only elements belong.
    case unexpectedContent(element: String)
    /// A scalar whose text is not a value of its type.
    case badValue(element: String, value: String)
    /// A struct that repeats a member name.
    case duplicateMember(String)

    public var description: String {
        switch self {
        case .document(let error): error.description
        case .unexpectedElement(let name, let parent, let expected): "unexpected <\(name)> inside <\(parent)>, expected \(expected)"
        case .missingElement(let name, let parent): "<\(parent)> has no <\(name)>"
        case .unexpectedContent(let element): "unexpected text inside <\(element)>"
        case .badValue(let element, let value): "bad <\(element)> value \"\(value)\""
        case .duplicateMember(let name): "struct member \"\(name)\" repeated"
        }
    }
}

/// Size and depth bounds for reading an XML-RPC document.
public struct XMLRPCLimits: Sendable, Equatable {
    public var maxBytes: Int
    /// Element depth, the root (`<methodCall>`) being 1.
    public var maxDepth: Int

    public init(maxBytes: Int = 64 * 1024, maxDepth: Int = 20) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    /// What a login request needs (a viewer's is about 3 KB, 11 elements deep).
    public static let login = XMLRPCLimits()
}

extension XMLRPCValue {
    // MARK: Encoding

    /// The `<value>` element.
    public var xml: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        out += "<value>"
        switch self {
        case .int(let number): out += "<int>\(number)</int>"
        case .bool(let flag): out += flag ? "<boolean>1</boolean>" : "<boolean>0</boolean>"
        case .string(let text): out += "<string>" + XMLEscape.text(text) + "</string>"
        case .double(let number): out += "<double>" + (number.isFinite ? number.description : "0.0") + "</double>"
        case .dateTime(let seconds): out += "<dateTime.iso8601>" + Self.formatDateTime(seconds) + "</dateTime.iso8601>"
        case .base64(let bytes): out += "<base64>" + Data(bytes).base64EncodedString() + "</base64>"
        case .struct(let members):
            out += "<struct>"
            for name in members.keys.sorted() {
                out += "<member><name>" + XMLEscape.text(name) + "</name>"
                members[name]!.write(to: &out)
                out += "</member>"
            }
            out += "</struct>"
        case .array(let items):
            out += "<array><data>"
            for item in items { item.write(to: &out) }
            out += "</data></array>"
        }
        out += "</value>"
    }

    /// `YYYYMMDDTHH:MM:SS` (whole seconds, UTC).
    static func formatDateTime(_ seconds: Double) -> String {
        let iso = ISO8601Date.format(seconds.isFinite ? seconds.rounded(.down) : 0)
        let bytes = Array(iso.utf8)
        return String(decoding: bytes[0..<4] + bytes[5..<7] + bytes[8..<19], as: UTF8.self)
    }

    /// Reads `YYYYMMDDTHH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, with an optional `Z`, as UTC.
    static func parseDateTime(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: "Z") { bytes.removeLast() }
        if bytes.count == 17, bytes[8] == UInt8(ascii: "T") {
            bytes = Array(bytes[0..<4]) + [UInt8(ascii: "-")] + bytes[4..<6] + [UInt8(ascii: "-")] + bytes[6...]
        }
        guard bytes.count == 19 else { return nil }
        return ISO8601Date.parse(String(decoding: bytes, as: UTF8.self) + "Z")
    }

    // MARK: Decoding

    /// Reads a `<value>` element.
    static func parse(_ value: XMLElement) throws(XMLRPCError) -> XMLRPCValue {
        guard value.children.count <= 1 else {
            throw .unexpectedElement(value.children[1].name, inside: "value", expected: "one type element")
        }
        guard let typed = value.children.first else { return .string(value.text) }
        guard value.textIsBlank else { throw .unexpectedContent(element: "value") }
        if typed.name == "struct" { return try parseStruct(typed) }
        if typed.name == "array" { return try parseArray(typed) }
        guard typed.children.isEmpty else {
            throw .unexpectedElement(typed.children[0].name, inside: typed.name, expected: "text")
        }
        let text = typed.text
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        func bad() -> XMLRPCError { .badValue(element: typed.name, value: LLSDXML.clip(text)) }
        switch typed.name {
        case "int", "i4":
            guard let number = Int32(trimmed) else { throw bad() }
            return .int(number)
        case "boolean":
            switch trimmed {
            case "1", "true": return .bool(true)
            case "0", "false": return .bool(false)
            default: throw bad()
            }
        case "string":
            return .string(text)
        case "double":
            guard let number = Double(trimmed), number.isFinite else { throw bad() }
            return .double(number)
        case "dateTime.iso8601":
            guard let seconds = parseDateTime(trimmed) else { throw bad() }
            return .dateTime(seconds)
        case "base64":
            let compact = String(String.UnicodeScalarView(text.unicodeScalars.filter { !$0.properties.isWhitespace }))
            guard let data = Data(base64Encoded: compact) else { throw bad() }
            return .base64(Array(data))
        default:
            throw .unexpectedElement(typed.name, inside: "value",
                                     expected: "int, i4, boolean, string, double, dateTime.iso8601, base64, struct or array")
        }
    }

    static func parseStruct(_ element: XMLElement) throws(XMLRPCError) -> XMLRPCValue {
        guard element.textIsBlank else { throw .unexpectedContent(element: "struct") }
        var members: [String: XMLRPCValue] = [:]
        for member in element.children {
            guard member.name == "member" else { throw .unexpectedElement(member.name, inside: "struct", expected: "<member>") }
            guard member.textIsBlank else { throw .unexpectedContent(element: "member") }
            guard member.children.count == 2, member.children[0].name == "name", member.children[1].name == "value" else {
                throw .missingElement(member.children.contains { $0.name == "name" } ? "value" : "name", inside: "member")
            }
            let name = member.children[0]
            guard name.children.isEmpty else { throw .unexpectedElement(name.children[0].name, inside: "name", expected: "text") }
            guard members[name.text] == nil else { throw .duplicateMember(LLSDXML.clip(name.text)) }
            members[name.text] = try parse(member.children[1])
        }
        return .struct(members)
    }

    static func parseArray(_ element: XMLElement) throws(XMLRPCError) -> XMLRPCValue {
        guard element.textIsBlank else { throw .unexpectedContent(element: "array") }
        guard element.children.count == 1, element.children[0].name == "data" else {
            if let other = element.children.first(where: { $0.name != "data" }) {
                throw .unexpectedElement(other.name, inside: "array", expected: "<data>")
            }
            throw .missingElement("data", inside: "array")
        }
        let data = element.children[0]
        guard data.textIsBlank else { throw .unexpectedContent(element: "data") }
        var items: [XMLRPCValue] = []
        for value in data.children {
            guard value.name == "value" else { throw .unexpectedElement(value.name, inside: "data", expected: "<value>") }
            items.append(try parse(value))
        }
        return .array(items)
    }
}
