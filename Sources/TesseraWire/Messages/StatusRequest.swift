import NIOCore
import TesseraCodec

/// Tool → region node: describe your regions (`tessera status`).
public struct StatusRequest: WireMessageBody {
    public static let messageType = WireMessageType.statusRequest

    public init() {}

    public init(from buffer: inout ByteBuffer) throws {}

    public func encode(into buffer: inout ByteBuffer) {}
}
