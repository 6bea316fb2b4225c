import TesseraWorld
import NIOCore
import NIOEmbedded
import Testing
import TesseraCodec
import TesseraWire

/// `WireMessageDecoder` inside a real NIO pipeline, fed by an `EmbeddedChannel`.
@Suite struct WireDecoderChannelTests {
    private func makeChannel(maxFrameBytes: Int = WireMessageDecoder.defaultMaxFrameBytes) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WireMessageDecoder(maxFrameBytes: maxFrameBytes)))
        return channel
    }

    private func readAll(_ channel: EmbeddedChannel) throws -> [WireMessage] {
        var messages: [WireMessage] = []
        while let message = try channel.readInbound(as: WireMessage.self) { messages.append(message) }
        return messages
    }

    @Test func decodesWholeFramesWrittenAtOnce() throws {
        let channel = try makeChannel()
        var stream = ByteBuffer()
        for message in WireSamples.all { message.encodeFrame(into: &stream) }
        try channel.writeInbound(stream)
        #expect(try readAll(channel) == WireSamples.all)
        #expect(try channel.finish().isClean)
    }

    @Test func decodesFramesSplitAtArbitraryPoints() throws {
        var rng = SplitMix64(seed: 2024)
        var stream = ByteBuffer()
        for message in WireSamples.all { message.encodeFrame(into: &stream) }
        let bytes = Array(stream.readableBytesView)
        for _ in 0..<20 {
            let channel = try makeChannel()
            var received: [WireMessage] = []
            var offset = 0
            while offset < bytes.count {
                let chunk = Int.random(in: 1...max(1, min(97, bytes.count - offset)), using: &rng)
                try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<(offset + chunk)]))
                received += try readAll(channel)
                offset += chunk
            }
            #expect(received == WireSamples.all)
            #expect(try channel.finish().isClean)
        }
    }

    @Test func decodesOneByteAtATime() throws {
        let channel = try makeChannel()
        let message = WireSamples.regionFrames[0]
        let bytes = Array(message.frameBytes.readableBytesView)
        for (index, byte) in bytes.enumerated() {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            let received = try readAll(channel)
            if index < bytes.count - 1 {
                #expect(received.isEmpty, "nothing before the last byte (byte \(index))")
            } else {
                #expect(received == [message])
            }
        }
        #expect(try channel.finish().isClean)
    }

    @Test func garbageThrowsCodecError() throws {
        let channel = try makeChannel()
        var garbage = ByteBuffer()
        garbage.writeInteger(UInt32(3), endianness: .little)
        garbage.writeBytes([0xEE, 0x01, 0x02])
        #expect(throws: CodecError.unknownMessageType(0xEE)) { try channel.writeInbound(garbage) }
        _ = try? channel.finish()
    }

    @Test func validThenGarbageDeliversTheValidMessageFirst() throws {
        let channel = try makeChannel()
        var stream = WireSamples.agentJoins[0].frameBytes
        stream.writeBytes([2, 0, 0, 0, 0x12, 0xFF])  // an AgentLeave of one body byte: truncated
        #expect(throws: CodecError.self) { try channel.writeInbound(stream) }
        #expect(try channel.readInbound(as: WireMessage.self) == WireSamples.agentJoins[0])
        _ = try? channel.finish()
    }

    @Test func oversizedLengthThrowsBeforeTheBodyArrives() throws {
        let channel = try makeChannel(maxFrameBytes: 64)
        var header = ByteBuffer()
        header.writeInteger(UInt32(65), endianness: .little)
        #expect(throws: CodecError.frameTooLarge(length: 65, limit: 64)) { try channel.writeInbound(header) }
        _ = try? channel.finish()
    }

    @Test func encoderProducesTheSameFrames() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(WireMessageEncoder()))
        for message in WireSamples.all {
            try channel.writeOutbound(message)
            let bytes = try #require(try channel.readOutbound(as: ByteBuffer.self))
            #expect(bytes == message.frameBytes)
        }
        #expect(try channel.finish().isClean)
    }
}
