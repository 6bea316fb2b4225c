import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TesseraWire

/// A region node: hosts regions, each on its own frame loop, and accepts client manager
/// connections over Tessera wire.
public final class RegionNode: Service, @unchecked Sendable {
    public struct Settings: Sendable {
        public var nodeName: String
        public var host: String
        public var port: Int
        public var gridSecret: String
        public var regions: [RegionSettings]

        public init(nodeName: String, host: String, port: Int, gridSecret: String, regions: [RegionSettings]) {
            self.nodeName = nodeName
            self.host = host
            self.port = port
            self.gridSecret = gridSecret
            self.regions = regions
        }
    }

    public let settings: Settings
    public let runners: [RegionRunner]
    private let group: EventLoopGroup
    private let connections: ManagerConnections
    private let logger: Logger
    private var serverChannel: Channel?

    public init(settings: Settings, group: EventLoopGroup, clock: FrameClock = SystemFrameClock(), logger: Logger) {
        self.settings = settings
        self.group = group
        self.logger = logger
        let connections = ManagerConnections(logger: logger)
        self.connections = connections
        self.runners = settings.regions.map {
            RegionRunner(settings: $0, loop: group.next(), clock: clock, sink: connections)
        }
    }

    /// Binds the listener and starts every frame loop; returns the bound address.
    @discardableResult
    public func start() async throws -> SocketAddress {
        let reply = HelloAccepted(
            role: .region, nodeName: settings.nodeName,
            regions: settings.regions.map { RegionDescriptor(handle: $0.handle, name: $0.name) }
        )
        let secret = settings.gridSecret
        let runners = runners
        let connections = connections
        let logger = logger
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addWireHandlers(
                        handshake: WireHandshakeHandler(acceptingSecret: secret, allowedRoles: [.clientManager], reply: reply)
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        ManagerLinkHandler(runners: runners, connections: connections, logger: logger)
                    )
                }
            }
            .bind(host: settings.host, port: settings.port)
            .get()
        serverChannel = channel
        for runner in runners { runner.start() }
        let address = channel.localAddress!
        logger.info("region node listening", metadata: [
            "address": "\(address)", "regions": "\(settings.regions.map(\.name).joined(separator: ", "))",
        ])
        return address
    }

    public func shutdown() async {
        for runner in runners { await runner.stop() }
        connections.closeAll()
        try? await serverChannel?.close()
        serverChannel = nil
    }

    public func run() async throws {
        try await start()
        await waitForShutdown()
        logger.info("region node stopping")
        await shutdown()
    }
}

/// Waits until the service group is asked to shut down, without throwing on cancellation.
func waitForShutdown() async {
    try? await ServiceLifecycle.gracefulShutdown()
}
