import NIOCore
import TesseraCodec
import TesseraGridProtocol

/// 0x08 — an inventory or asset call; answered by exactly one InventoryReply with the same
/// request id.
public struct InventoryRequest: Hashable, Sendable {
    public var requestID: UInt32
    public var call: InventoryCall

    public init(requestID: UInt32, call: InventoryCall) {
        self.requestID = requestID
        self.call = call
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "inventoryRequest.requestID")
        call = try InventoryCall(from: &buffer)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        call.encode(into: &buffer)
    }
}
