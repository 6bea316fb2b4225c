import NIOCore

/// Message numbers to messages: the generated codecs for the selected messages, the names of all
/// the others (from the template table generated beside them).
public enum SLCatalog {
    /// One number for a frequency and number, as the wire spells it: High `n`, Medium
    /// `0xFF00 | n`, Low `0xFFFF0000 | n`, Fixed the template's `0xFFFFFFxx`.
    public static func id(frequency: SLFrequency, number: UInt32) -> UInt32 {
        switch frequency {
        case .high: number
        case .medium: 0xFF00 | (number & 0xFF)
        case .low: 0xFFFF_0000 | (number & 0xFFFF)
        case .fixed: number
        }
    }

    /// The body decoded as its generated type, `.other(name:)` for a template message without
    /// one, an error naming the number for a message the template does not know.
    public static func decode(frequency: SLFrequency, number: UInt32, body: ByteBuffer) throws(SLDecodeError) -> SLDecoded {
        var body = body
        if let decoded = try decodeGenerated(id: id(frequency: frequency, number: number), body: &body) {
            return decoded
        }
        if let entry = entry(frequency: frequency, number: number) {
            return .other(name: entry.name)
        }
        throw SLDecodeError(path: "\(frequency.rawValue) \(number)", reason: "no message of the template has this number")
    }

    /// The template's name for a number, nil when it has none.
    public static func name(frequency: SLFrequency, number: UInt32) -> String? {
        entry(frequency: frequency, number: number)?.name
    }

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var frequency: SLFrequency
        public var number: UInt32
        public var zerocoded: Bool
    }

    public static func entry(frequency: SLFrequency, number: UInt32) -> Entry? {
        entries[id(frequency: frequency, number: number)]
    }

    public static func entry(named name: String) -> Entry? {
        entriesByName[name]
    }

    private static let entries: [UInt32: Entry] = {
        var table: [UInt32: Entry] = [:]
        for line in templateTable.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 4, let frequency = SLFrequency(rawValue: String(parts[0])), let number = UInt32(parts[1]) else { continue }
            table[id(frequency: frequency, number: number)] = Entry(
                name: String(parts[2]), frequency: frequency, number: number, zerocoded: parts[3] == "Z")
        }
        return table
    }()

    private static let entriesByName: [String: Entry] = Dictionary(entries.values.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
}
