import NIOCore
import TesseraCodec

/// 0x89 — the answer to Ping, echoing its fields.
public struct Pong: Hashable, Sendable {
    public var nonce: UInt32
    public var clientTimeMillis: UInt64

    public init(nonce: UInt32, clientTimeMillis: UInt64) {
        self.nonce = nonce
        self.clientTimeMillis = clientTimeMillis
    }

    init(from buffer: inout ByteBuffer) throws {
        nonce = try buffer.readLE(UInt32.self, "pong.nonce")
        clientTimeMillis = try buffer.readLE(UInt64.self, "pong.clientTimeMillis")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(nonce)
        buffer.writeLE(clientTimeMillis)
    }
}
