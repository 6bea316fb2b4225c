import NIOCore
import NIOPosix

/// One question on a fresh connection: connect, say Hello, send `message`, return the first
/// message that comes back, close. For operator tools (`tessera status`).
public enum WireRequest {
    public static func ask(
        host: String, port: Int, hello: Hello, _ message: WireMessage, group: EventLoopGroup, timeout: TimeAmount = .seconds(5),
        tls: WireTLS.Dialing? = nil
    ) async throws -> WireMessage {
        let loop = group.next()
        let answer = loop.makePromise(of: WireMessage.self)
        let channel: Channel
        do {
            (channel, _) = try await WireDialer.dial(host: host, port: port, hello: hello, group: loop, connectTimeout: timeout, tls: tls) {
                FirstAnswerHandler(answer: answer)
            }
        } catch {
            answer.fail(error)
            throw error
        }
        defer {
            answer.fail(WireRequestError.closed)
            channel.close(promise: nil)
        }
        let timer = loop.scheduleTask(in: timeout) { answer.fail(WireRequestError.timedOut) }
        defer { timer.cancel() }
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
