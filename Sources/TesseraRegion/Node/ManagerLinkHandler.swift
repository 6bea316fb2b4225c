import Logging
import NIOCore
import TesseraWire

/// One connection to a region node, after the handshake. A client manager's messages go to
/// the addressed region's inbox; another region node's (hand-offs, ghosts, relayed chat) go
/// through the peer links; a tool asks for the node's status or an admin action.
final class ManagerLinkHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    typealias OutboundOut = WireMessage

    private let runners: [UInt64: RegionRunner]
    private let connections: ManagerConnections
    private let peers: PeerLinks
    private let status: @Sendable () -> StatusReply
    private let admin: @Sendable (AdminRequest) async -> AdminReply
    /// Called when another region node links to this one (it may be new to this node).
    private let peerArrived: @Sendable () -> Void
    private let logger: Logger
    private var managerID: ManagerID?
    private var role: WireRole?

    init(
        runners: [RegionRunner], connections: ManagerConnections, peers: PeerLinks, status: @escaping @Sendable () -> StatusReply,
        admin: @escaping @Sendable (AdminRequest) async -> AdminReply = { _ in AdminReply(.notHere) },
        peerArrived: @escaping @Sendable () -> Void = {}, logger: Logger
    ) {
        self.admin = admin
        self.peerArrived = peerArrived
        self.runners = Dictionary(uniqueKeysWithValues: runners.map { ($0.settings.handle.rawValue, $0) })
        self.connections = connections
        self.peers = peers
        self.status = status
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .accepted(let hello) = event as? WireConnectionEvent else {
            return context.fireUserInboundEventTriggered(event)
        }
        role = hello.role
        if hello.role == .region { peerArrived() }
        guard hello.role == .clientManager else { return }
        let id = connections.register(context.channel)
        managerID = id
        logger.info("client manager connected", metadata: ["manager": "\(hello.nodeName)", "id": "\(id)"])
        for runner in runners.values {
            runner.inbox.push(.managerConnected(id))
            runner.inbox.push(.managerNamed(id, hello.nodeName))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        switch role {
        case .region?:
            if !peers.received(message) { refuse(context, message) }
        case .tool?, .grid?:
            switch message {
            case .statusRequest:
                context.writeAndFlush(wrapOutboundOut(.statusReply(status())), promise: nil)
            case .adminRequest(let request):
                // Answered when the regions' loops have done it; the connection's loop never waits.
                let (channel, admin) = (context.channel, admin)
                Task { channel.writeAndFlush(WireMessage.adminReply(await admin(request)), promise: nil) }
            default:
                refuse(context, message)
            }
        case .clientManager?:
            fromManager(context, message)
        default:
            refuse(context, message)
        }
    }

    private func fromManager(_ context: ChannelHandlerContext, _ message: WireMessage) {
        guard let id = managerID else { return }
        guard let (region, input) = RegionInput.fromManager(id, message) else { return refuse(context, message) }
        guard let runner = runners[region.rawValue] else {
            // A join is refused; other messages for a region not on this node are dropped.
            if case .join(_, let join) = input {
                let refusal = AgentLeave(region: join.region, agentID: join.agentID, reason: .refused, message: "no region \(join.region) on this node")
                context.writeAndFlush(wrapOutboundOut(.agentLeave(refusal)), promise: nil)
            }
            return
        }
        runner.inbox.push(input)
    }

    private func refuse(_ context: ChannelHandlerContext, _ message: WireMessage) {
        logger.warning("peer sent a message its role may not send; closing", metadata: [
            "type": "\(message.messageType)", "role": "\(role.map { "\($0)" } ?? "?")",
        ])
        context.close(promise: nil)
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
        logger.warning("closing region node connection", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
