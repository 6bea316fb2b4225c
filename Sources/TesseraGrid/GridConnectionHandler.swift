import Logging
import NIOCore
import TesseraGridProtocol
import TesseraWire

/// One peer's connection to the grid services, after the handshake. Each call runs as its own
/// task so a slow transaction does not hold up the others; replies go back as they finish.
/// At most `maxInFlight` calls run per connection; past it a call is refused at once, so a
/// runaway peer costs itself, not the database.
final class GridConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    typealias OutboundOut = WireMessage

    private let operations: GridOperations
    private let maxInFlight: Int
    private let logger: Logger
    private var peer: Hello?
    private var inFlight = 0

    init(operations: GridOperations, maxInFlight: Int, logger: Logger) {
        self.operations = operations
        self.maxInFlight = maxInFlight
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .accepted(let hello) = event as? WireConnectionEvent else {
            return context.fireUserInboundEventTriggered(event)
        }
        peer = hello
        logger.info("peer connected to grid services", metadata: ["peer": "\(hello.nodeName)", "role": "\(hello.role)"])
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let peer else { return }
        guard case .gridRequest(let request) = unwrapInboundIn(data) else {
            logger.warning("peer sent a message the grid services do not take; closing", metadata: ["peer": "\(peer.nodeName)"])
            context.close(promise: nil)
            return
        }
        guard inFlight < maxInFlight else {
            let status = CallStatus(.rateLimited, "more than \(maxInFlight) calls in flight on one connection")
            context.writeAndFlush(wrapOutboundOut(.gridReply(GridReply(requestID: request.requestID, outcome: .failure(status)))), promise: nil)
            return
        }
        inFlight += 1
        let channel = context.channel
        let loop = context.eventLoop
        let operations = operations
        let role = peer.role
        let bound = NIOLoopBound(self, eventLoop: loop)
        Task {
            let outcome = await operations.perform(request.call, for: role)
            loop.execute {
                bound.value.inFlight -= 1
                channel.writeAndFlush(WireMessage.gridReply(GridReply(requestID: request.requestID, outcome: outcome)), promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.warning("closing grid services connection", metadata: ["peer": "\(peer?.nodeName ?? "?")", "error": "\(error)"])
        context.close(promise: nil)
    }
}
