import NIOCore
import TesseraCodec
import TesseraGridProtocol

/// Region node or client manager → grid services: one call, answered by a `GridReply` with
/// the same request id. Calls on one connection may be answered out of order.
public struct GridRequest: WireMessageBody {
    public static let messageType = WireMessageType.gridRequest

    public var requestID: UInt32
    public var call: GridCall

    public init(requestID: UInt32, call: GridCall) {
        self.requestID = requestID
        self.call = call
    }

    public init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "gridRequest.requestID")
        call = try GridCall(from: &buffer)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        call.encode(into: &buffer)
    }
}
