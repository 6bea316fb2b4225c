import NIOCore
import TesseraCodec
import TesseraWorld

/// One item of an object's contents as a contents reply lists it: the region's reply on Tessera
/// wire (`ContentSummary`) and the client protocol's ObjectContents (`ObjectContents.Item`).
public struct ContentItemSummary: Hashable, Sendable {
    public enum Kind: UInt8, Hashable, Sendable, CaseIterable {
        case script = 1
        case object = 2
    }

    /// Most items an object holds, and the longest error text of an item (bytes).
    public static let maxItems = 16
    public static let maxErrorBytes = 1024

    public var name: String
    public var kind: Kind
    /// Scripts: running (not stopped by the owner, and compiled). Always false for objects.
    public var running: Bool
    /// Scripts: why it does not run (its first compile error, or a run-time error); nil when
    /// there is none.
    public var error: String?

    public init(name: String, kind: Kind, running: Bool = false, error: String? = nil) {
        self.name = name
        self.kind = kind
        self.running = running
        self.error = error
    }

    public static let minWireBytes = 6

    /// Decodes one item; `field` names its fields in errors (`field.name`, `field.running`, …).
    public init(from buffer: inout ByteBuffer, field: String) throws {
        name = try buffer.readText(field + ".name", maxBytes: maxNameBytes)
        kind = try buffer.readEnum(Kind.self, field + ".kind")
        switch try buffer.readLE(UInt8.self, field + ".running") {
        case 0: running = false
        case 1: running = true
        case let other: throw CodecError.invalidValue(field: field + ".running", reason: "expected 0 or 1, got \(other)")
        }
        let error = try buffer.readText(field + ".error", maxBytes: Self.maxErrorBytes)
        self.error = error.isEmpty ? nil : error
    }

    /// Encodes the item; an error text loses any U+0000, which no text field may hold.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeText(name, maxBytes: maxNameBytes)
        buffer.writeLE(kind.rawValue)
        buffer.writeLE(UInt8(running ? 1 : 0))
        buffer.writeText((error ?? "").replacingOccurrences(of: "\u{0}", with: ""), maxBytes: Self.maxErrorBytes)
    }
}

extension ContentItemSummary.Kind {
    public init(_ kind: ContentKind) {
        switch kind {
        case .script: self = .script
        case .object: self = .object
        }
    }
}
