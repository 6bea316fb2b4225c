import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// 0x8D (protocol 6) — the answer to ObjectContentsRequest: the object's items.
public struct ObjectContents: Hashable, Sendable {
    public typealias Item = ContentItemSummary

    /// Most items an object holds, and the longest error text of an item (bytes).
    public static let maxItems = Item.maxItems
    public static let maxErrorBytes = Item.maxErrorBytes

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
        let count = try buffer.readCount("objectContents.items", minElementBytes: Item.minWireBytes)
        guard count <= Self.maxItems else {
            throw CodecError.invalidValue(field: "objectContents.items", reason: "\(count) items, at most \(Self.maxItems) allowed")
        }
        items = try (0..<count).map { _ in try Item(from: &buffer, field: "objectContents.item") }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(localID)
        let kept = items.prefix(Self.maxItems)
        buffer.writeCount(kept.count)
        for item in kept { item.encode(into: &buffer) }
    }
}
