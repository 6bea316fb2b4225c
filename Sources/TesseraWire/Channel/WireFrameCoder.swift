import Metrics
import NIOCore
import TesseraCodec

/// The frame limit of one accepted channel, shared by its decoder and its handshake handler
/// (both on the channel's loop): `beforeHandshake` bytes until the peer's `Hello` is accepted,
/// then the role's own limit. An unauthenticated peer can make us buffer no more than that.
public final class WireFrameLimit {
    /// `Hello` is at most 1 300 bytes (magic, version, role, a 255-byte name, a 1 024-byte secret).
    public static let beforeHandshake = 4096

    public private(set) var bytes: Int
    public let afterHandshake: Int

    public init(afterHandshake: Int) {
        self.afterHandshake = afterHandshake
        bytes = min(Self.beforeHandshake, afterHandshake)
    }

    /// The peer is authenticated: frames up to the role's limit.
    public func raise() {
        bytes = afterHandshake
    }
}

/// Splits a TCP byte stream into Tessera wire messages: u32 little-endian length, then that
/// many payload bytes. A length above the limit is an error before any byte is buffered.
public struct WireMessageDecoder: ByteToMessageDecoder {
    public typealias InboundOut = WireMessage

    public static let defaultMaxFrameBytes = 8 << 20

    private let limit: WireFrameLimit?
    private let fixedLimit: Int

    /// The limit frames are held to now.
    public var maxFrameBytes: Int { limit?.bytes ?? fixedLimit }

    public init(maxFrameBytes: Int = WireMessageDecoder.defaultMaxFrameBytes) {
        fixedLimit = maxFrameBytes
        limit = nil
    }

    /// A decoder whose limit `limit` sets (small before the handshake on the accepting side).
    public init(limit: WireFrameLimit) {
        fixedLimit = limit.afterHandshake
        self.limit = limit
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard var payload = try Self.nextPayload(from: &buffer, maxFrameBytes: maxFrameBytes) else {
            return .needMoreData
        }
        WireMetrics.received(frameBytes: 4 + payload.readableBytes)
        context.fireChannelRead(wrapInboundOut(try WireMessage.decode(payload: &payload)))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// The pure framing step, shared with tests and fuzzing: the next complete payload, or nil
    /// when more bytes are needed.
    public static func nextPayload(from buffer: inout ByteBuffer, maxFrameBytes: Int) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt32.self) else {
            return nil
        }
        guard length <= maxFrameBytes else {
            throw CodecError.frameTooLarge(length: Int(length), limit: maxFrameBytes)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }
}

public struct WireMessageEncoder: MessageToByteEncoder {
    public typealias OutboundIn = WireMessage

    public init() {}

    public func encode(data: WireMessage, out: inout ByteBuffer) throws {
        let start = out.writerIndex
        data.encodeFrame(into: &out)
        WireMetrics.sent(frameBytes: out.writerIndex - start)
    }
}

/// Messages and bytes over every Tessera wire link of the process (docs/metrics.md), made on
/// first use. Process-wide, without a peer-role label: the coders sit below the handshake and
/// do not know who is at the other end.
enum WireMetrics {
    private static let messagesReceived = Counter(label: "tessera_wire_messages_received_total")
    private static let bytesReceived = Counter(label: "tessera_wire_received_bytes_total")
    private static let messagesSent = Counter(label: "tessera_wire_messages_sent_total")
    private static let bytesSent = Counter(label: "tessera_wire_sent_bytes_total")

    static func received(frameBytes: Int) {
        messagesReceived.increment()
        bytesReceived.increment(by: frameBytes)
    }

    static func sent(frameBytes: Int) {
        messagesSent.increment()
        bytesSent.increment(by: frameBytes)
    }
}
