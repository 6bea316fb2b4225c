/// What `message.xml` says about transport: the messages whose `flavor` is `llsd` travel only
/// over the capability event queue, never over UDP (EnableSimulator, TeleportFinish, ...).
public struct SLMessageXML: Sendable, Equatable {
    /// Each message named under `messages` with its `flavor` ("template" or "llsd").
    public var flavors: [String: String]

    public init(flavors: [String: String]) {
        self.flavors = flavors
    }

    /// Messages that go only over the event queue.
    public var eventQueueOnly: Set<String> {
        Set(flavors.filter { $0.value == "llsd" }.keys)
    }

    /// Reads the file: `<llsd><map>…<key>messages</key><map><key>Name</key><map><key>flavor</key>
    /// <string>llsd</string>…`. Only the structure this needs is understood; anything else in
    /// the file is skipped, and a malformed file is an error naming what was wrong.
    public static func parse(_ text: String) throws(SLMessageXMLError) -> SLMessageXML {
        var reader = SmallXMLReader(bytes: Array(text.utf8))
        let root = try reader.document()
        guard root.name == "llsd", let top = root.children.first(where: { $0.name == "map" }) else {
            throw SLMessageXMLError(reason: "the document is not <llsd><map>")
        }
        guard let messages = try mapEntries(top)["messages"], messages.name == "map" else {
            throw SLMessageXMLError(reason: "no <key>messages</key> map")
        }
        var flavors: [String: String] = [:]
        for (name, entry) in try mapEntries(messages) where entry.name == "map" {
            if let flavor = try mapEntries(entry)["flavor"], flavor.name == "string" {
                flavors[name] = flavor.text.trimmingASCIIWhitespace
            }
        }
        return SLMessageXML(flavors: flavors)
    }

    /// A map's `<key>` elements paired with the element after each (a later duplicate wins).
    private static func mapEntries(_ map: SmallXMLElement) throws(SLMessageXMLError) -> [String: SmallXMLElement] {
        var entries: [String: SmallXMLElement] = [:]
        var index = 0
        while index < map.children.count {
            let key = map.children[index]
            guard key.name == "key" else {
                throw SLMessageXMLError(reason: "<\(key.name)> in a map where <key> was expected")
            }
            guard index + 1 < map.children.count else {
                throw SLMessageXMLError(reason: "the key \(key.text) has no value")
            }
            entries[key.text.trimmingASCIIWhitespace] = map.children[index + 1]
            index += 2
        }
        return entries
    }
}

public struct SLMessageXMLError: Error, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { "message.xml: \(reason)" }
}

struct SmallXMLElement {
    var name: String
    var children: [SmallXMLElement] = []
    var text = ""
}

/// Elements, text, comments and the `<?xml?>` declaration; no attributes are kept, no entities
/// are expanded (message.xml has none), and nesting is bounded.
struct SmallXMLReader {
    let bytes: [UInt8]
    var position = 0
    static let maxDepth = 32

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func document() throws(SLMessageXMLError) -> SmallXMLElement {
        try skipMisc()
        if starts(with: "<?") { try skip(past: "?>") }
        try skipMisc()
        let root = try element(depth: 0)
        try skipMisc()
        guard position == bytes.count else {
            throw SLMessageXMLError(reason: "content after the root element at byte \(position)")
        }
        return root
    }

    private mutating func element(depth: Int) throws(SLMessageXMLError) -> SmallXMLElement {
        guard depth < Self.maxDepth else { throw SLMessageXMLError(reason: "elements nested deeper than \(Self.maxDepth)") }
        guard starts(with: "<") else { throw SLMessageXMLError(reason: "an element was expected at byte \(position)") }
        position += 1
        let name = readName()
        guard !name.isEmpty else { throw SLMessageXMLError(reason: "an element without a name at byte \(position)") }
        // Attributes are not needed: skip to the end of the tag.
        while position < bytes.count, bytes[position] != UInt8(ascii: ">") { position += 1 }
        guard position < bytes.count else { throw SLMessageXMLError(reason: "the file ends inside <\(name)>") }
        var node = SmallXMLElement(name: name)
        if bytes[position - 1] == UInt8(ascii: "/") {
            position += 1
            return node
        }
        position += 1
        var text: [UInt8] = []
        while true {
            guard position < bytes.count else { throw SLMessageXMLError(reason: "the file ends inside <\(name)>") }
            if starts(with: "<!--") {
                try skip(past: "-->")
            } else if starts(with: "</") {
                position += 2
                let closing = readName()
                guard closing == name else {
                    throw SLMessageXMLError(reason: "</\(closing)> closes <\(name)>")
                }
                skipWhitespace()
                guard starts(with: ">") else { throw SLMessageXMLError(reason: "a malformed </\(name)>") }
                position += 1
                node.text = String(decoding: text, as: UTF8.self)
                return node
            } else if starts(with: "<") {
                node.children.append(try element(depth: depth + 1))
            } else {
                text.append(bytes[position])
                position += 1
            }
        }
    }

    private mutating func readName() -> String {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            let isNameByte = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
            guard isNameByte else { break }
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func skipMisc() throws(SLMessageXMLError) {
        while true {
            skipWhitespace()
            guard starts(with: "<!--") else { return }
            try skip(past: "-->")
        }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func skip(past terminator: String) throws(SLMessageXMLError) {
        let pattern = Array(terminator.utf8)
        while position + pattern.count <= bytes.count {
            if bytes[position..<(position + pattern.count)].elementsEqual(pattern) {
                position += pattern.count
                return
            }
            position += 1
        }
        throw SLMessageXMLError(reason: "the file ends before \(terminator)")
    }

    private func starts(with prefix: String) -> Bool {
        let pattern = Array(prefix.utf8)
        return position + pattern.count <= bytes.count && bytes[position..<(position + pattern.count)].elementsEqual(pattern)
    }
}

extension String {
    var trimmingASCIIWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
