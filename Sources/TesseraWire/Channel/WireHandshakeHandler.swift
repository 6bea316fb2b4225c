import NIOCore
import TesseraCodec

/// Runs `HandshakeStateMachine` on a channel. Sits after the frame decoder; passes on only
/// messages of an open connection, and announces the peer with a `WireConnectionEvent`.
public final class WireHandshakeHandler: ChannelInboundHandler {
    public typealias InboundIn = WireMessage
    public typealias InboundOut = WireMessage
    public typealias OutboundOut = WireMessage

    private var machine: HandshakeStateMachine
    private let hello: Hello?
    private let outcome: EventLoopPromise<HelloAccepted>?

    /// The listening side.
    public init(acceptingSecret secret: String, allowedRoles: Set<WireRole>, reply: HelloAccepted) {
        machine = HandshakeStateMachine(side: .acceptor(secret: secret, allowedRoles: allowedRoles, reply: reply))
        hello = nil
        outcome = nil
    }

    /// The connecting side; `outcome` completes with the peer's answer or the refusal.
    public init(initiating hello: Hello, outcome: EventLoopPromise<HelloAccepted>) {
        machine = HandshakeStateMachine(side: .initiator)
        self.hello = hello
        self.outcome = outcome
    }

    public func channelActive(context: ChannelHandlerContext) {
        if let hello {
            context.writeAndFlush(wrapOutboundOut(.hello(hello)), promise: nil)
        }
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch machine.receive(unwrapInboundIn(data)) {
        case .accept(let reply, let peer):
            context.writeAndFlush(wrapOutboundOut(.helloAccepted(reply)), promise: nil)
            context.fireUserInboundEventTriggered(WireConnectionEvent.accepted(peer))
        case .established(let accepted):
            outcome?.succeed(accepted)
            context.fireUserInboundEventTriggered(WireConnectionEvent.established(accepted))
        case .refuse(let refusal):
            context.writeAndFlush(wrapOutboundOut(.helloRefused(refusal))).whenComplete { _ in
                context.close(promise: nil)
            }
        case .refused(let refusal):
            outcome?.fail(WireConnectionError.refused(refusal))
            context.close(promise: nil)
        case .forward(let message):
            context.fireChannelRead(wrapInboundOut(message))
        case .fail(let error):
            outcome?.fail(error)
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        outcome?.fail(WireConnectionError.closedDuringHandshake)
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        outcome?.fail(error)
        context.fireErrorCaught(error)
    }
}

public enum WireConnectionEvent: Sendable {
    /// Listening side: a peer passed the handshake.
    case accepted(Hello)
    /// Connecting side: the peer accepted us.
    case established(HelloAccepted)
}

public enum WireConnectionError: Error, CustomStringConvertible {
    case refused(HelloRefused)
    case closedDuringHandshake

    public var description: String {
        switch self {
        case .refused(let refusal): "refused by peer (\(refusal.reason)): \(refusal.message)"
        case .closedDuringHandshake: "connection closed during the handshake"
        }
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Frame decoder, encoder and handshake: the base of every Tessera wire channel.
    public func addWireHandlers(handshake: WireHandshakeHandler, maxFrameBytes: Int = WireMessageDecoder.defaultMaxFrameBytes) throws {
        try addHandler(ByteToMessageHandler(WireMessageDecoder(maxFrameBytes: maxFrameBytes)))
        try addHandler(MessageToByteHandler(WireMessageEncoder()))
        try addHandler(handshake)
    }
}
