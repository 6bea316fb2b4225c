/// One element of a document read by `XMLTree`: its name, attributes, child elements and the
/// text directly inside it (all text pieces joined; comments dropped).
struct XMLElement: Sendable, Equatable {
    var name: String
    var attributes: [String: String] = [:]
    var children: [XMLElement] = []
    var text = ""
    /// 1 for the root element.
    var depth: Int

    /// True when the element's own text is only XML whitespace.
    var textIsBlank: Bool { text.utf8.allSatisfy(XMLTree.isWhitespace) }
}

/// Why a document could not be read, before any meaning is given to its elements.
public enum XMLReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Refused before reading: the document is larger than the limit.
    case tooBig(bytes: Int, limit: Int)
    /// An element opened deeper than the limit (the root element is depth 1).
    case tooDeep(element: String, depth: Int, limit: Int)
    /// Not well-formed XML, or a construct this reader refuses (DOCTYPE, entities other than the
    /// five predefined ones, an encoding other than UTF-8 or ISO-8859-1); `offset` is the byte
    /// where it was seen.
    case syntax(String, offset: Int)

    public var description: String {
        switch self {
        case .tooBig(let bytes, let limit): "document of \(bytes) bytes is over the limit of \(limit)"
        case .tooDeep(let element, let depth, let limit): "<\(element)> at depth \(depth) is deeper than the limit of \(limit)"
        case .syntax(let reason, let offset): "malformed XML at byte \(offset): \(reason)"
        }
    }
}

/// A small, strict XML reader for the documents the login and the capabilities exchange
/// (LLSD-XML, XML-RPC). It reads UTF-8 (and ISO-8859-1 when declared), refuses DOCTYPE (so no entity can be declared, let
/// alone an external one), knows only the five predefined entities and character references,
/// refuses characters XML 1.0 cannot carry, and checks the size before reading and the depth
/// while reading. It builds the tree with an explicit stack, never by recursion.
enum XMLTree {
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func parse(_ bytes: [UInt8], maxDepth: Int, maxBytes: Int) throws(XMLReadError) -> XMLElement {
        guard bytes.count <= maxBytes else { throw .tooBig(bytes: bytes.count, limit: maxBytes) }
        var reader = Reader(bytes: bytes, maxDepth: maxDepth)
        return try reader.document()
    }

    /// Whether a scalar may appear in an XML 1.0 document.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}

private struct Reader {
    let bytes: [UInt8]
    let maxDepth: Int
    var index = 0
    /// Declared ISO-8859-1 (what older viewers' XML-RPC library writes, whatever it carries):
    /// text that is valid UTF-8 is read as UTF-8, other text as ISO-8859-1.
    var latin1 = false

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func fail(_ reason: String, at offset: Int? = nil) -> XMLReadError {
        .syntax(reason, offset: offset ?? index)
    }

    func starts(with literal: String) -> Bool {
        var position = index
        for byte in literal.utf8 {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
        }
        return true
    }

    mutating func skipWhitespace() {
        while index < bytes.count, XMLTree.isWhitespace(bytes[index]) { index += 1 }
    }

    mutating func document() throws(XMLReadError) -> XMLElement {
        if starts(with: "\u{FEFF}") { index += 3 }
        if starts(with: "<?xml") { try declaration() }
        try misc()
        guard index < bytes.count else { throw fail("no root element") }
        guard bytes[index] == UInt8(ascii: "<") else { throw fail("text before the root element") }
        let root = try elements()
        try misc()
        guard index == bytes.count else { throw fail("content after the root element </\(root.name)>") }
        return root
    }

    /// Whitespace and comments outside the root element.
    mutating func misc() throws(XMLReadError) {
        while true {
            skipWhitespace()
            if starts(with: "<!--") {
                try comment()
            } else if starts(with: "<!DOCTYPE") || starts(with: "<!doctype") {
                throw fail("DOCTYPE is not allowed")
            } else if starts(with: "<?") {
                throw fail("processing instructions are not allowed")
            } else {
                return
            }
        }
    }

    mutating func declaration() throws(XMLReadError) {
        let start = index
        index += 5
        guard let end = find("?>") else { throw fail("unclosed <?xml declaration", at: start) }
        let inside = String(decoding: bytes[index..<end], as: UTF8.self)
        index = end + 2
        let attributes = try Reader.declarationAttributes(inside, offset: start)
        guard let encoding = attributes["encoding"]?.lowercased() else { return }
        if ["iso-8859-1", "latin1", "latin-1"].contains(encoding) {
            latin1 = true
        } else if !["utf-8", "utf8", "us-ascii", "ascii"].contains(encoding) {
            throw fail("encoding \(Self.quoted(encoding)) is not supported (UTF-8 or ISO-8859-1 only)", at: start)
        }
    }

    static func declarationAttributes(_ text: String, offset: Int) throws(XMLReadError) -> [String: String] {
        var reader = Reader(bytes: Array(text.utf8), maxDepth: 0)
        var result: [String: String] = [:]
        while true {
            reader.skipWhitespace()
            guard reader.index < reader.bytes.count else { return result }
            do {
                let (name, value) = try reader.attribute()
                result[name] = value
            } catch {
                throw .syntax("bad <?xml declaration", offset: offset)
            }
        }
    }

    func find(_ literal: String) -> Int? {
        let pattern = Array(literal.utf8)
        var position = index
        while position + pattern.count <= bytes.count {
            if bytes[position] == pattern[0], Array(bytes[position..<position + pattern.count]) == pattern { return position }
            position += 1
        }
        return nil
    }

    mutating func comment() throws(XMLReadError) {
        let start = index
        index += 4
        guard let end = find("-->") else { throw fail("unclosed comment", at: start) }
        index = end + 3
    }

    /// Reads the root element and everything inside it.
    mutating func elements() throws(XMLReadError) -> XMLElement {
        var stack: [XMLElement] = []
        while true {
            guard index < bytes.count else {
                throw fail("unclosed <\(stack.last?.name ?? "?")> at end of document")
            }
            if bytes[index] != UInt8(ascii: "<") {
                guard !stack.isEmpty else { throw fail("text outside the root element") }
                let text = try self.text()
                stack[stack.count - 1].text += text
            } else if starts(with: "</") {
                let start = index
                index += 2
                let name = try self.name()
                skipWhitespace()
                try expect(">")
                guard let element = stack.popLast() else { throw fail("closing </\(name)> without an opening tag", at: start) }
                guard element.name == name else {
                    throw fail("closing </\(name)> does not match <\(element.name)>", at: start)
                }
                if stack.isEmpty { return element }
                stack[stack.count - 1].children.append(element)
            } else if starts(with: "<!--") {
                try comment()
            } else if starts(with: "<![CDATA[") {
                guard !stack.isEmpty else { throw fail("CDATA outside the root element") }
                let start = index
                index += 9
                guard let end = find("]]>") else { throw fail("unclosed CDATA section", at: start) }
                let text = try decodeUTF8(start + 9, end)
                index = end + 3
                stack[stack.count - 1].text += Self.normalizedLineEnds(text)
            } else if starts(with: "<!") {
                throw fail("DOCTYPE and declarations are not allowed")
            } else if starts(with: "<?") {
                throw fail("processing instructions are not allowed")
            } else {
                let (element, closed) = try startTag(depth: stack.count + 1)
                if !closed {
                    stack.append(element)
                } else if stack.isEmpty {
                    return element
                } else {
                    stack[stack.count - 1].children.append(element)
                }
            }
        }
    }

    /// Reads `<name attr="v" ...>` or `<name .../>`; `closed` is true for the latter.
    mutating func startTag(depth: Int) throws(XMLReadError) -> (XMLElement, closed: Bool) {
        index += 1
        let name = try self.name()
        guard depth <= maxDepth else { throw .tooDeep(element: name, depth: depth, limit: maxDepth) }
        var element = XMLElement(name: name, depth: depth)
        while true {
            let hadSpace = index < bytes.count && XMLTree.isWhitespace(bytes[index])
            skipWhitespace()
            guard index < bytes.count else { throw fail("unclosed tag <\(name)") }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                return (element, false)
            }
            if starts(with: "/>") {
                index += 2
                return (element, true)
            }
            guard hadSpace else { throw fail("expected a space, > or /> in <\(name)>") }
            let offset = index
            let (attribute, value) = try self.attribute()
            guard element.attributes.updateValue(value, forKey: attribute) == nil else {
                throw fail("attribute \(attribute) repeated in <\(name)>", at: offset)
            }
        }
    }

    mutating func attribute() throws(XMLReadError) -> (String, String) {
        let name = try self.name()
        skipWhitespace()
        try expect("=")
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            throw fail("attribute \(name) has no quoted value")
        }
        let quote = bytes[index]
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != quote {
            if bytes[index] == UInt8(ascii: "<") { throw fail("< in the value of attribute \(name)") }
            index += 1
        }
        guard index < bytes.count else { throw fail("unclosed value of attribute \(name)", at: start) }
        let value = try resolve(start, index)
        index += 1
        return (name, value)
    }

    mutating func expect(_ character: Character) throws(XMLReadError) {
        guard index < bytes.count, bytes[index] == character.asciiValue else { throw fail("expected \(character)") }
        index += 1
    }

    static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"), UInt8(ascii: ":"), 0x80...0xFF: true
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."): !first
        default: false
        }
    }

    mutating func name() throws(XMLReadError) -> String {
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index], first: index == start) { index += 1 }
        guard index > start else { throw fail("expected a name") }
        return try decodeUTF8(start, index)
    }

    /// Character data up to the next `<`, with references resolved and line ends normalised.
    mutating func text() throws(XMLReadError) -> String {
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
        return try resolve(start, index)
    }

    func decodeUTF8(_ start: Int, _ end: Int) throws(XMLReadError) -> String {
        guard let text = String(validating: bytes[start..<end], as: UTF8.self)
            ?? (latin1 ? String(String.UnicodeScalarView(bytes[start..<end].map { Unicode.Scalar($0) })) : nil)
        else { throw fail("invalid UTF-8", at: start) }
        for scalar in text.unicodeScalars where !XMLTree.isAllowed(scalar) {
            throw fail("character U+\(String(scalar.value, radix: 16, uppercase: true)) is not allowed in XML", at: start)
        }
        return text
    }

    static func normalizedLineEnds(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// Decodes bytes start..<end, resolving `&...;` references.
    func resolve(_ start: Int, _ end: Int) throws(XMLReadError) -> String {
        var result = ""
        var runStart = start
        var position = start
        while position < end {
            guard bytes[position] == UInt8(ascii: "&") else {
                position += 1
                continue
            }
            result += Self.normalizedLineEnds(try decodeUTF8(runStart, position))
            var close = position + 1
            while close < end, close - position <= 12, bytes[close] != UInt8(ascii: ";") { close += 1 }
            guard close < end, bytes[close] == UInt8(ascii: ";") else { throw fail("unterminated reference after &", at: position) }
            let reference = String(decoding: bytes[(position + 1)..<close], as: UTF8.self)
            guard let scalar = Self.referenced(reference), XMLTree.isAllowed(scalar) else {
                throw fail("unknown or forbidden reference &\(reference);", at: position)
            }
            result.unicodeScalars.append(scalar)
            position = close + 1
            runStart = position
        }
        result += Self.normalizedLineEnds(try decodeUTF8(runStart, end))
        return result
    }

    static func referenced(_ name: String) -> Unicode.Scalar? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let value: UInt32?
            if digits.hasPrefix("x") {
                value = digits.count > 1 ? UInt32(digits.dropFirst(), radix: 16) : nil
            } else {
                value = digits.isEmpty ? nil : UInt32(digits, radix: 10)
            }
            return value.flatMap(Unicode.Scalar.init)
        }
    }

    static func quoted(_ text: String) -> String {
        "\"" + String(text.prefix(40)) + "\""
    }
}
