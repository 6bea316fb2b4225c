import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x05 — delete an object by its local id.
public struct DeleteObject: Hashable, Sendable {
    public var requestID: UInt32
    public var localID: LocalID

    public init(requestID: UInt32, localID: LocalID) {
        self.requestID = requestID
        self.localID = localID
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "deleteObject.requestID")
        localID = try buffer.readLE(UInt32.self, "deleteObject.localID")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(localID)
    }
}
