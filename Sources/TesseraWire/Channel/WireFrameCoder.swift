import Metrics
import NIOCore
import TesseraCodec

/// Splits a TCP byte stream into Tessera wire messages: u32 little-endian length, then that
/// many payload bytes. A length above `maxFrameBytes` is an error before any byte is buffered.
public struct WireMessageDecoder: ByteToMessageDecoder {
    public typealias InboundOut = WireMessage

    public static let defaultMaxFrameBytes = 8 << 20

    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int = WireMessageDecoder.defaultMaxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
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
