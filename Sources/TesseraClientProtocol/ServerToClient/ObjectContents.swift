import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x8D (protocol 6) — the answer to ObjectContentsRequest: the object's items.
public struct ObjectContents: Hashable, Sendable {
    public struct Item: Hashable, Sendable {
        public enum Kind: UInt8, Hashable, Sendable, CaseIterable {
            case script = 1
            case object = 2
        }

        public var name: String
        public var kind: Kind
        /// Scripts: running (compiled and not stopped). Always false for objects.
        public var running: Bool
        /// Scripts: why it does not run (a compile or run-time error); nil when none.
        public var error: String?

        public init(name: String, kind: Kind, running: Bool = false, error: String? = nil) {
            self.name = name
            self.kind = kind
            self.running = running
            self.error = error
        }
    }

    /// Most items an object holds, and the longest error text of an item (bytes).
    public static let maxItems = 16
    public static let maxErrorBytes = 1024

    public var requestID: UInt32
    public var localID: LocalID
    public var items: [Item]

    public init(requestID: UInt32, localID: LocalID, items: [Item]) {
        self.requestID = requestID
        self.localID = localID
        self.items = items
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "objectContents.requestID")
        localID = try buffer.readLE(UInt32.self, "objectContents.localID")
        let count = try buffer.readCount("objectContents.items", minElementBytes: 6)
        guard count <= Self.maxItems else {
            throw CodecError.invalidValue(field: "objectContents.items", reason: "\(count) items, at most \(Self.maxItems) allowed")
        }
        items = try (0..<count).map { _ in
            let name = try buffer.readText("objectContents.item.name", maxBytes: maxNameBytes)
            let kind = try buffer.readEnum(Item.Kind.self, "objectContents.item.kind")
            let running: Bool
            switch try buffer.readLE(UInt8.self, "objectContents.item.running") {
            case 0: running = false
            case 1: running = true
            case let other: throw CodecError.invalidValue(field: "objectContents.item.running", reason: "expected 0 or 1, got \(other)")
            }
            let error = try buffer.readText("objectContents.item.error", maxBytes: Self.maxErrorBytes)
            return Item(name: name, kind: kind, running: running, error: error.isEmpty ? nil : error)
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(localID)
        let kept = items.prefix(Self.maxItems)
        buffer.writeCount(kept.count)
        for item in kept {
            buffer.writeText(item.name, maxBytes: maxNameBytes)
            buffer.writeLE(item.kind.rawValue)
            buffer.writeLE(UInt8(item.running ? 1 : 0))
            buffer.writeText(item.error ?? "", maxBytes: Self.maxErrorBytes)
        }
    }
}
