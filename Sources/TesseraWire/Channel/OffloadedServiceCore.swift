import Logging
import NIOCore
import Synchronization

/// What the services regions offload work to (physics, scripts) share: the listener that takes
/// region (and tool) connections after the wire handshake, and the running figures across
/// every connection, handed to the service's metrics whenever they change.
public final class OffloadedServiceCore<Stats: Sendable>: Sendable {
    /// The service's role in the handshake reply, and its name in the log ("physics service").
    private let role: WireRole
    private let title: String
    private let logger: Logger
    private let listener = WireListener()
    private let statsBox: Mutex<Stats>
    private let observe: @Sendable (Stats) -> Void

    /// `observe` gets the stats after every `updateStats` (it sets the metrics' gauges).
    public init(role: WireRole, title: String, stats: Stats, logger: Logger, observe: @escaping @Sendable (Stats) -> Void) {
        self.role = role
        self.title = title
        self.logger = logger
        statsBox = Mutex(stats)
        self.observe = observe
    }

    /// Changes the stats and hands the result to `observe` (under the same lock, so
    /// concurrent connections leave the gauges at the latest figures).
    public func updateStats(_ change: (inout Stats) -> Void) {
        statsBox.withLock { stats in
            change(&stats)
            observe(stats)
        }
    }

    /// Changes figures that no gauge shows, without `observe`.
    public func countStats(_ change: (inout Stats) -> Void) {
        statsBox.withLock { change(&$0) }
    }

    public var stats: Stats { statsBox.withLock { $0 } }
    public var address: SocketAddress? { listener.address }

    /// Listens at `host:port` for regions and tools holding the grid secret; `handler` makes
    /// the handler of each accepted connection.
    public func start(
        name: String, host: String, port: Int, gridSecret: String, tls: WireTLS? = nil, group: EventLoopGroup,
        handler: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> SocketAddress {
        let reply = HelloAccepted(role: role, nodeName: name, regions: [])
        let address = try await listener.start(
            host: host, port: port, group: group, maxFrameBytes: WireChannelOptions.physicsMaxFrameBytes, largeReads: true, tls: tls,
            handshake: { WireHandshakeHandler(acceptingSecret: gridSecret, allowedRoles: [.region, .tool], reply: reply) },
            handler: handler)
        logger.info("\(title) listening", metadata: ["address": "\(address)"])
        return address
    }

    /// Logs the stop and closes the listener.
    public func stop() async {
        logger.info("\(title) stopping")
        await shutdown()
    }

    public func shutdown() async { await listener.shutdown() }
}

/// A service built on an `OffloadedServiceCore`: its running figures, address and shutdown.
public protocol OffloadedService: Sendable {
    associatedtype Stats: Sendable
    var core: OffloadedServiceCore<Stats> { get }
}

extension OffloadedService {
    /// Changes the stats and sets the metrics' gauges to the result.
    public func updateStats(_ change: (inout Stats) -> Void) { core.updateStats(change) }

    public var stats: Stats { core.stats }
    public var address: SocketAddress? { core.address }

    public func shutdown() async { await core.shutdown() }
}
