import NIOCore
import NIOPosix

/// One question on a fresh connection: connect, say Hello, send `message`, return the first
/// message that comes back, close. For operator tools (`tessera status`).
public enum WireRequest {
    public static func ask(
        host: String, port: Int, hello: Hello, _ message: WireMessage, group: EventLoopGroup, timeout: TimeAmount = .seconds(5)
    ) async throws -> WireMessage {
        let loop = group.next()
        let handshake = loop.makePromise(of: HelloAccepted.self)
        let answer = loop.makePromise(of: WireMessage.self)
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addWireHandlers(handshake: WireHandshakeHandler(initiating: hello, outcome: handshake))
                    try channel.pipeline.syncOperations.addHandler(FirstAnswerHandler(answer: answer))
                }
            }
            .connect(host: host, port: port)
            .get()
        } catch {
            // Never connected: nothing else will complete the promises.
            handshake.fail(error)
            answer.fail(error)
            throw error
        }
        defer {
            handshake.fail(WireRequestError.closed)
            answer.fail(WireRequestError.closed)
            channel.close(promise: nil)
        }
        let timer = loop.scheduleTask(in: timeout) { answer.fail(WireRequestError.timedOut) }
        defer { timer.cancel() }
        _ = try await handshake.futureResult.get()
        try await channel.writeAndFlush(message)
        return try await answer.futureResult.get()
    }
}

public enum WireRequestError: Error, CustomStringConvertible {
    case timedOut
    case closed

    public var description: String {
        switch self {
        case .timedOut: "no answer in time"
        case .closed: "the peer closed the connection without answering"
        }
    }
}

private final class FirstAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    private let answer: EventLoopPromise<WireMessage>

    init(answer: EventLoopPromise<WireMessage>) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        answer.succeed(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.fail(WireRequestError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        answer.fail(error)
        context.close(promise: nil)
    }
}
