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
        data.encodeFrame(into: &out)
    }
}
