import Foundation

/// Why an LLSD-XML document was refused.
public enum LLSDXMLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Too big, too deep or not well-formed XML.
    case document(XMLReadError)
    /// The root element is not `<llsd>`.
    case notLLSD(root: String)
    /// An element where it has no place (`inside` names the parent).
    case unexpectedElement(String, inside: String)
    /// Text where only elements belong, or child elements inside a scalar.
    case unexpectedContent(element: String)
    /// A scalar whose text is not a value of its type.
    case badValue(element: String, value: String)
    /// A `<map>` whose keys and values do not alternate, or that repeats a key.
    case badMap(String)

    public var description: String {
        switch self {
        case .document(let error): error.description
        case .notLLSD(let root): "root element is <\(root)>, expected <llsd>"
        case .unexpectedElement(let name, let parent): "unexpected <\(name)> inside <\(parent)>"
        case .unexpectedContent(let element): "unexpected content inside <\(element)>"
        case .badValue(let element, let value): "bad <\(element)> value \"\(value)\""
        case .badMap(let reason): "bad <map>: \(reason)"
        }
    }
}

/// LLSD in its XML serialisation (`application/llsd+xml`), as capabilities and the event queue
/// carry it. Specified in docs/sl-protocol.md ("LLSD-XML").
public enum LLSDXML {
    public static let defaultMaxDepth = 32
    public static let defaultMaxBytes = 1 << 20

    // MARK: Encoding

    /// The document for one value: `<?xml version="1.0" encoding="UTF-8"?><llsd>…</llsd>`, no
    /// whitespace between elements, map keys sorted. Text is escaped by `XMLEscape.text`
    /// (characters XML cannot carry become U+FFFD).
    public static func encode(_ value: LLSD) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><llsd>"
        write(value, to: &out)
        out += "</llsd>"
        return out
    }

    /// The element for one value, without the document around it.
    public static func element(_ value: LLSD) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    static func write(_ value: LLSD, to out: inout String) {
        switch value {
        case .undefined: out += "<undef/>"
        case .boolean(let flag): out += flag ? "<boolean>true</boolean>" : "<boolean>false</boolean>"
        case .integer(let number): out += "<integer>\(number)</integer>"
        case .real(let number): out += "<real>\(number.description)</real>"
        case .string(let text): out += "<string>" + XMLEscape.text(text) + "</string>"
        case .uuid(let id): out += "<uuid>" + id.uuidString.lowercased() + "</uuid>"
        case .date(let seconds): out += "<date>" + ISO8601Date.format(seconds) + "</date>"
        case .uri(let text): out += "<uri>" + XMLEscape.text(text) + "</uri>"
        case .binary(let bytes): out += "<binary encoding=\"base64\">" + Data(bytes).base64EncodedString() + "</binary>"
        case .array(let items):
            out += "<array>"
            for item in items { write(item, to: &out) }
            out += "</array>"
        case .map(let map):
            out += "<map>"
            for key in map.keys.sorted() {
                out += "<key>" + XMLEscape.text(key) + "</key>"
                write(map[key]!, to: &out)
            }
            out += "</map>"
        }
    }

    // MARK: Decoding

    /// Reads one document. `maxBytes` is checked before reading; `maxDepth` counts elements, the
    /// `<llsd>` root being depth 1 (so a map inside an array inside the root is depth 3).
    public static func decode(
        _ bytes: [UInt8], maxDepth: Int = defaultMaxDepth, maxBytes: Int = defaultMaxBytes
    ) throws(LLSDXMLError) -> LLSD {
        let root: XMLElement
        do {
            root = try XMLTree.parse(bytes, maxDepth: maxDepth, maxBytes: maxBytes)
        } catch {
            throw .document(error)
        }
        guard root.name == "llsd" else { throw .notLLSD(root: root.name) }
        guard root.textIsBlank else { throw .unexpectedContent(element: "llsd") }
        switch root.children.count {
        case 0: return .undefined
        case 1: return try value(root.children[0], parent: "llsd")
        default: throw .unexpectedElement(root.children[1].name, inside: "llsd")
        }
    }

    static func value(_ element: XMLElement, parent: String) throws(LLSDXMLError) -> LLSD {
        switch element.name {
        case "array":
            guard element.textIsBlank else { throw .unexpectedContent(element: "array") }
            var items: [LLSD] = []
            items.reserveCapacity(element.children.count)
            for child in element.children { items.append(try value(child, parent: "array")) }
            return .array(items)
        case "map":
            return try map(element)
        default:
            guard element.children.isEmpty else { throw .unexpectedElement(element.children[0].name, inside: element.name) }
            return try scalar(element, parent: parent)
        }
    }

    static func map(_ element: XMLElement) throws(LLSDXMLError) -> LLSD {
        guard element.textIsBlank else { throw .unexpectedContent(element: "map") }
        var map: [String: LLSD] = [:]
        var pendingKey: String?
        for child in element.children {
            if let key = pendingKey {
                guard child.name != "key" else { throw .badMap("key \"\(clip(key))\" has no value") }
                map[key] = try value(child, parent: "map")
                pendingKey = nil
            } else {
                guard child.name == "key" else { throw .badMap("<\(child.name)> where a <key> belongs") }
                guard child.children.isEmpty else { throw .unexpectedElement(child.children[0].name, inside: "key") }
                guard map[child.text] == nil else { throw .badMap("key \"\(clip(child.text))\" repeated") }
                pendingKey = child.text
            }
        }
        if let key = pendingKey { throw .badMap("key \"\(clip(key))\" has no value") }
        return .map(map)
    }

    static func scalar(_ element: XMLElement, parent: String) throws(LLSDXMLError) -> LLSD {
        let text = element.text
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        func bad() -> LLSDXMLError { .badValue(element: element.name, value: clip(text)) }
        switch element.name {
        case "undef":
            guard element.textIsBlank else { throw bad() }
            return .undefined
        case "boolean":
            switch trimmed {
            case "1", "true": return .boolean(true)
            case "0", "false", "": return .boolean(false)
            default: throw bad()
            }
        case "integer":
            if trimmed.isEmpty { return .integer(0) }
            guard let number = Int32(trimmed) else { throw bad() }
            return .integer(number)
        case "real":
            if trimmed.isEmpty { return .real(0) }
            guard let number = Double(trimmed) else { throw bad() }
            return .real(number)
        case "string":
            return .string(text)
        case "uuid":
            if trimmed.isEmpty { return .uuid(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))) }
            guard trimmed.utf8.count == 36, let id = UUID(uuidString: trimmed) else { throw bad() }
            return .uuid(id)
        case "date":
            if trimmed.isEmpty { return .date(0) }
            guard let seconds = ISO8601Date.parse(trimmed) else { throw bad() }
            return .date(seconds)
        case "uri":
            return .uri(text)
        case "binary":
            let encoding = element.attributes["encoding"] ?? "base64"
            guard encoding == "base64" else { throw .badValue(element: "binary", value: "encoding=\(clip(encoding))") }
            let compact = String(String.UnicodeScalarView(text.unicodeScalars.filter { !$0.properties.isWhitespace }))
            guard let data = Data(base64Encoded: compact) else { throw bad() }
            return .binary(Array(data))
        default:
            throw .unexpectedElement(element.name, inside: parent)
        }
    }

    /// At most 40 characters of a client's text, for error messages.
    static func clip(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(40)) + "…"
    }
}
