import NIOCore
import TesseraCodec

/// 0x06 — answered by Pong with the same fields, in the next update frame.
public struct Ping: Hashable, Sendable {
    public var nonce: UInt32
    public var clientTimeMillis: UInt64

    public init(nonce: UInt32, clientTimeMillis: UInt64) {
        self.nonce = nonce
        self.clientTimeMillis = clientTimeMillis
    }

    init(from buffer: inout ByteBuffer) throws {
        nonce = try buffer.readLE(UInt32.self, "ping.nonce")
        clientTimeMillis = try buffer.readLE(UInt64.self, "ping.clientTimeMillis")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(nonce)
        buffer.writeLE(clientTimeMillis)
    }
}
