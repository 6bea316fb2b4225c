import Logging
import NIOCore
import TesseraWire

/// One client manager's connection to a region node, after the handshake: routes its
/// messages into the right region's inbox.
final class ManagerLinkHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    typealias OutboundOut = WireMessage

    private let runners: [UInt64: RegionRunner]
    private let connections: ManagerConnections
    private let logger: Logger
    private var managerID: ManagerID?

    init(runners: [RegionRunner], connections: ManagerConnections, logger: Logger) {
        self.runners = Dictionary(uniqueKeysWithValues: runners.map { ($0.settings.handle.rawValue, $0) })
        self.connections = connections
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .accepted(let hello) = event as? WireConnectionEvent else {
            return context.fireUserInboundEventTriggered(event)
        }
        let id = connections.register(context.channel)
        managerID = id
        logger.info("client manager connected", metadata: ["manager": "\(hello.nodeName)", "id": "\(id)"])
        for runner in runners.values { runner.inbox.push(.managerConnected(id)) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let id = managerID else { return }
        let message = unwrapInboundIn(data)
        switch message {
        case .agentJoin(let join):
            guard let runner = runners[join.region.rawValue] else {
                let refusal = AgentLeave(region: join.region, agentID: join.agentID, reason: .refused, message: "no region \(join.region) on this node")
                context.writeAndFlush(wrapOutboundOut(.agentLeave(refusal)), promise: nil)
                return
            }
            runner.inbox.push(.join(id, join))
        case .agentLeave(let leave):
            runners[leave.region.rawValue]?.inbox.push(.leave(id, leave))
        case .agentInput(let input):
            runners[input.region.rawValue]?.inbox.push(.command(id, input))
        default:
            logger.warning("client manager sent a message it may not send; closing", metadata: ["type": "\(message.messageType)"])
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let id = managerID {
            connections.unregister(id)
            for runner in runners.values { runner.inbox.push(.managerDisconnected(id)) }
            logger.info("client manager disconnected", metadata: ["id": "\(id)"])
        }
        managerID = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.warning("closing client manager connection", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
