import Logging
import NIOCore
import NIOPosix
import Synchronization
import TesseraWire
import TesseraWorld

/// The client manager's Tessera wire connection to one region node. Connects, says Hello,
/// learns the node's regions and registers a route for each; when the connection drops, the
/// routes are withdrawn (their clients are told) and it reconnects with backoff. It dials
/// through a `WireConnector`: TCP in a running grid, in memory in a deterministic harness.
public final class RegionLink: Sendable {
    private let connector: any WireConnector
    private let hello: Hello
    private let group: EventLoopGroup
    private let routes: RouteTable
    private let updateRate: Int
    private let logger: Logger
    private let switchboard: HandoffSwitchboard
    private let state = Mutex(State())

    private struct State {
        var connection: (any WireConnection)?
        var regions: [RegionRoute] = []
        var stopped = false
        /// The run of failed dials (docs/service-exchange.md, "Reconnect policy").
        var reconnector = Reconnector()
    }

    init(connector: any WireConnector, hello: Hello, group: EventLoopGroup, routes: RouteTable, updateRate: Int, switchboard: HandoffSwitchboard, logger: Logger) {
        self.switchboard = switchboard
        self.connector = connector
        self.hello = hello
        self.group = group
        self.routes = routes
        self.updateRate = updateRate
        self.logger = logger
    }

    /// Where the link dials.
    public var address: String { connector.address }

    public var isConnected: Bool { state.withLock { $0.connection != nil } }

    /// Connects once; on failure or later loss, keeps retrying until `stop()`.
    func start() async throws {
        try await connect()
    }

    func stop() {
        let connection = state.withLock { state in
            state.stopped = true
            return state.connection
        }
        connection?.close()
    }

    /// False when the link is down; the caller's client is told by the route's loss.
    @discardableResult
    func send(_ message: WireMessage) -> Bool {
        guard let connection = state.withLock({ $0.connection }) else { return false }
        connection.send(message)
        return true
    }

    private func connect() async throws {
        // The connection is known only once `connect` returns; a loss reported before then
        // waits for it, so it is never mistaken for the loss of an older connection.
        let opened = Mutex<(connection: (any WireConnection)?, closedEarly: Bool)>((nil, false))
        let (connection, accepted) = try await connector.connect(hello: hello) { [weak self] message in
            self?.received(message)
        } closed: { [weak self] in
            let connection = opened.withLock { opened -> (any WireConnection)? in
                if opened.connection == nil { opened.closedEarly = true }
                return opened.connection
            }
            if let connection { self?.connectionLost(connection) }
        }
        let regions = accepted.regions.map { RegionRoute(descriptor: $0, link: self) }
        state.withLock { state in
            state.connection = connection
            state.regions = regions
            state.reconnector.connected(at: LinkClock.seconds())
        }
        for region in regions { routes.add(region) }
        logger.info("connected to region node", metadata: [
            "node": "\(accepted.nodeName)", "address": "\(connector.address)",
            "regions": "\(accepted.regions.map(\.name).joined(separator: ", "))",
        ])
        let closedEarly = opened.withLock { opened in
            opened.connection = connection
            return opened.closedEarly
        }
        if closedEarly { connectionLost(connection) }
    }

    private func connectionLost(_ connection: any WireConnection) {
        let (regions, stopped, pause) = state.withLock { state -> ([RegionRoute], Bool, Duration) in
            guard state.connection === connection else { return ([], state.stopped, .zero) }
            defer {
                state.connection = nil
                state.regions = []
            }
            var random = SystemRandomNumberGenerator()
            let pause = state.reconnector.disconnected(at: LinkClock.seconds(), using: &random)
            return (state.regions, state.stopped, pause)
        }
        for region in regions {
            routes.remove(region)
            region.lost()
        }
        guard !stopped, !regions.isEmpty else { return }
        logger.warning("lost region node; reconnecting", metadata: ["address": "\(connector.address)"])
        scheduleReconnect(after: pause)
    }

    private func scheduleReconnect(after pause: Duration) {
        Redial.schedule(
            on: group, after: pause, skip: { self.state.withLock { $0.stopped } }, connect: { try await self.connect() },
            failed: { error in
                let (pause, attempts) = self.state.withLock { $0.reconnector.dialFailed() }
                if let attempts {
                    self.logger.warning("region node unreachable", metadata: [
                        "address": "\(self.connector.address)", "error": "\(error)", "attempts": "\(attempts)",
                    ])
                }
                return pause
            })
    }

    /// A live migration brought a region to this link's node (docs/migration.md): its route
    /// moves here, sessions and entity table included, and the old link forgets it.
    private func regionMoved(_ moved: RegionMoved) {
        let route = RegionRoute(descriptor: moved.region, link: self)
        let old = routes.route(moved.region.handle)
        old?.link.forget(moved.region.handle)
        state.withLock { state in
            state.regions.removeAll { $0.handle == moved.region.handle }
            state.regions.append(route)
        }
        route.takeOver(from: old, moved)
        routes.add(route)
        logger.info("region moved to this node", metadata: [
            "region": "\(moved.region.name)", "address": "\(connector.address)", "avatars": "\(moved.avatars.count)",
        ])
    }

    /// The region no longer runs on this link's node (it moved to another).
    func forget(_ handle: RegionHandle) {
        state.withLock { $0.regions.removeAll { $0.handle == handle } }
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
        case .regionMoved(let moved):
            regionMoved(moved)
        default:
            logger.warning("region node sent an unexpected message", metadata: ["type": "\(message.messageType)"])
        }
    }
}
