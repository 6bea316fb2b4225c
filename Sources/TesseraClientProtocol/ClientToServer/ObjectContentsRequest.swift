import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x0F (protocol 6) — list an object's contents. Answered by ObjectContents or Error with the
/// same request id.
public struct ObjectContentsRequest: Hashable, Sendable {
    public var requestID: UInt32
    public var localID: LocalID

    public init(requestID: UInt32, localID: LocalID) {
        self.requestID = requestID
        self.localID = localID
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "contentsRequest.requestID")
        localID = try buffer.readLE(UInt32.self, "contentsRequest.localID")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(localID)
    }
}
