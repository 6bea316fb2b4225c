import Logging
import NIOCore
import NIOPosix
import Synchronization
import TesseraWire

/// The client manager's Tessera wire connection to one region node. Connects, says Hello,
/// learns the node's regions and registers a route for each; when the connection drops, the
/// routes are withdrawn (their clients are told) and it reconnects with backoff.
public final class RegionLink: Sendable {
    public let host: String
    public let port: Int
    private let hello: Hello
    private let group: EventLoopGroup
    private let routes: RouteTable
    private let updateRate: Int
    private let logger: Logger
    private let switchboard: HandoffSwitchboard
    private let state = Mutex(State())

    private struct State {
        var channel: Channel?
        var regions: [RegionRoute] = []
        var stopped = false
        var attempts = 0
    }

    init(host: String, port: Int, hello: Hello, group: EventLoopGroup, routes: RouteTable, updateRate: Int, switchboard: HandoffSwitchboard, logger: Logger) {
        self.switchboard = switchboard
        self.host = host
        self.port = port
        self.hello = hello
        self.group = group
        self.routes = routes
        self.updateRate = updateRate
        self.logger = logger
    }

    public var isConnected: Bool { state.withLock { $0.channel != nil } }

    /// Connects once; on failure or later loss, keeps retrying until `stop()`.
    func start() async throws {
        try await connect()
    }

    func stop() {
        let channel = state.withLock { state in
            state.stopped = true
            return state.channel
        }
        channel?.close(promise: nil)
    }

    /// False when the link is down; the caller's client is told by the route's loss.
    @discardableResult
    func send(_ message: WireMessage) -> Bool {
        guard let channel = state.withLock({ $0.channel }) else { return false }
        channel.writeAndFlush(message, promise: nil)
        return true
    }

    private func connect() async throws {
        let (channel, accepted) = try await WireDialer.dial(host: host, port: port, hello: hello, group: group) {
            RegionLinkHandler(link: self)
        }
        let regions = accepted.regions.map { RegionRoute(descriptor: $0, link: self) }
        state.withLock { state in
            state.channel = channel
            state.regions = regions
            state.attempts = 0
        }
        for region in regions { routes.add(region) }
        logger.info("connected to region node", metadata: [
            "node": "\(accepted.nodeName)", "address": "\(host):\(port)",
            "regions": "\(accepted.regions.map(\.name).joined(separator: ", "))",
        ])
        channel.closeFuture.whenComplete { _ in self.connectionLost(channel) }
    }

    private func connectionLost(_ channel: Channel) {
        let (regions, stopped, attempts) = state.withLock { state -> ([RegionRoute], Bool, Int) in
            guard state.channel === channel else { return ([], state.stopped, state.attempts) }
            defer {
                state.channel = nil
                state.regions = []
            }
            state.attempts += 1
            return (state.regions, state.stopped, state.attempts)
        }
        for region in regions {
            routes.remove(region)
            region.lost()
        }
        guard !stopped, !regions.isEmpty else { return }
        logger.warning("lost region node; reconnecting", metadata: ["address": "\(host):\(port)"])
        scheduleReconnect(attempt: attempts)
    }

    private func scheduleReconnect(attempt: Int) {
        let delay = TimeAmount.milliseconds(Int64(min(5000, 250 << min(attempt, 5))))
        group.next().scheduleTask(in: delay) {
            Task {
                guard !self.state.withLock({ $0.stopped }) else { return }
                do {
                    try await self.connect()
                } catch {
                    self.logger.warning("region node unreachable", metadata: ["address": "\(self.host):\(self.port)", "error": "\(error)"])
                    let next = self.state.withLock { state -> Int in
                        state.attempts += 1
                        return state.attempts
                    }
                    self.scheduleReconnect(attempt: next)
                }
            }
        }
    }

    // MARK: From the handler

    func received(_ message: WireMessage) {
        switch message {
        case .regionFrame(let frame):
            routes.route(frame.region)?.apply(frame)
        case .agentJoined(let joined):
            routes.route(joined.region)?.joined(joined, updateRate: updateRate)
        case .agentLeave(let leave):
            routes.route(leave.region)?.removed(leave)
        case .agentNotice(let notice):
            routes.route(notice.region)?.notify(notice)
        case .handoffSignal(let signal):
            switchboard.received(signal, on: self)
        default:
            logger.warning("region node sent an unexpected message", metadata: ["type": "\(message.messageType)"])
        }
    }
}

/// Passes a link's messages to it; a decoding error closes the link (it then reconnects).
final class RegionLinkHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage

    private let link: RegionLink

    init(link: RegionLink) {
        self.link = link
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        link.received(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
