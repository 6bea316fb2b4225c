import NIOCore
import NIOEmbedded
import Testing
import TesseraCodec
import TesseraWire
import TesseraWorld

/// What a peer that has not passed the handshake can cost the accepting side: frames of a few
/// KiB, a deadline, and a cap on connections waiting at once.
@Suite struct WireUnauthenticatedPeerTests {
    private static let reply = HelloAccepted(role: .grid, nodeName: "grid", regions: [])

    private func acceptor(deadline: TimeAmount = .seconds(5), gate: HandshakeGate = HandshakeGate(limit: 16)) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addWireHandlers(
            handshake: WireHandshakeHandler(
                acceptingSecret: "secret", allowedRoles: [.region], reply: Self.reply, deadline: deadline, gate: gate),
            maxFrameBytes: 8 << 20)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private func frameHeader(announcing length: UInt32, then filler: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(length, endianness: .little)
        buffer.writeRepeatingByte(0x41, count: filler)
        return buffer
    }

    @Test func aFrameBeyondAFewKiBBeforeHelloIsRefusedBeforeItIsBuffered() throws {
        let channel = try acceptor()
        #expect(throws: CodecError.frameTooLarge(length: 8_300_000, limit: WireFrameLimit.beforeHandshake)) {
            try channel.writeInbound(frameHeader(announcing: 8_300_000, then: 1000))
        }
        _ = try? channel.finish()
    }

    @Test func afterTheHandshakeTheRolesLimitApplies() throws {
        let channel = try acceptor()
        var hello = ByteBuffer()
        WireMessage.hello(Hello(role: .region, nodeName: "node-1", gridSecret: "secret")).encodeFrame(into: &hello)
        try channel.writeInbound(hello)
        var written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        var payload = try #require(try WireMessageDecoder.nextPayload(from: &written, maxFrameBytes: 1 << 20))
        guard case .helloAccepted = try WireMessage.decode(payload: &payload) else {
            Issue.record("the hello was not accepted")
            return
        }
        // 100 KB announced: more than before the handshake, within the role's 8 MiB. Half of it
        // arrives; the decoder waits for the rest instead of refusing it.
        try channel.writeInbound(frameHeader(announcing: 100_000, then: 50_000))
        #expect(channel.isActive)
        #expect(throws: CodecError.frameTooLarge(length: 9_000_000, limit: 8 << 20)) {
            let channel = try acceptor()
            var hello = ByteBuffer()
            WireMessage.hello(Hello(role: .region, nodeName: "node-1", gridSecret: "secret")).encodeFrame(into: &hello)
            try channel.writeInbound(hello)
            try channel.writeInbound(frameHeader(announcing: 9_000_000, then: 10))
        }
        _ = try? channel.finish()
    }

    @Test func aPeerThatDoesNotHelloInTimeIsClosed() throws {
        let gate = HandshakeGate(limit: 16)
        let channel = try acceptor(deadline: .seconds(5), gate: gate)
        #expect(gate.waiting == 1)
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
        #expect(gate.waiting == 0)
    }

    @Test func aPeerThatHellosInTimeIsNotClosedByTheDeadline() throws {
        let gate = HandshakeGate(limit: 16)
        let channel = try acceptor(deadline: .seconds(5), gate: gate)
        var hello = ByteBuffer()
        WireMessage.hello(Hello(role: .region, nodeName: "node-1", gridSecret: "secret")).encodeFrame(into: &hello)
        try channel.writeInbound(hello)
        #expect(gate.waiting == 0)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test func connectionsBeyondTheGatesLimitAreClosedAtOnce() throws {
        let gate = HandshakeGate(limit: 3)
        let waiting = try (0..<3).map { _ in try acceptor(gate: gate) }
        #expect(waiting.filter { $0.isActive }.count == 3)
        #expect(gate.waiting == 3)
        let extra = try acceptor(gate: gate)
        #expect(!extra.isActive)
        #expect(gate.waiting == 3)
        // One of the waiting ones leaves: there is room again.
        _ = try? waiting[0].close().wait()
        #expect(gate.waiting == 2)
        let next = try acceptor(gate: gate)
        #expect(next.isActive)
        #expect(gate.waiting == 3)
    }
}
