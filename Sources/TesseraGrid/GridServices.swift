import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization
import TesseraStorage
import TesseraWire

/// The grid services role (`tessera grid`): answers region nodes and client managers over
/// Tessera wire with accounts, sessions, the region registry, inventory, assets and scene
/// persistence, every operation a PostgreSQL transaction on one connection pool.
public final class GridServices: Service, Sendable {
    public struct Settings: Sendable {
        public var name: String
        public var host: String
        public var port: Int
        public var gridSecret: String
        /// Calls one connection may have in flight; past it a call is refused at once.
        public var maxCallsPerConnection: Int
        public var sessionLifetimeSeconds: Int
        /// Password hashing for new accounts (tests use a cheaper one).
        public var hasher: PasswordHasher

        public init(
            name: String, host: String, port: Int, gridSecret: String, maxCallsPerConnection: Int = 1024,
            sessionLifetimeSeconds: Int = 86400, hasher: PasswordHasher = .standard
        ) {
            self.sessionLifetimeSeconds = sessionLifetimeSeconds
            self.hasher = hasher
            self.name = name
            self.host = host
            self.port = port
            self.gridSecret = gridSecret
            self.maxCallsPerConnection = maxCallsPerConnection
        }
    }

    public let settings: Settings
    public let operations: GridOperations
    private let group: EventLoopGroup
    private let logger: Logger
    private let serverChannel = Mutex<Channel?>(nil)

    public init(settings: Settings, client: PostgresClient, group: EventLoopGroup, logger: Logger) {
        self.settings = settings
        self.group = group
        self.logger = logger
        self.operations = GridOperations(
            client: client, logger: logger, hasher: settings.hasher, sessionLifetimeSeconds: settings.sessionLifetimeSeconds)
    }

    /// Binds the listener; returns the bound address.
    @discardableResult
    public func start() async throws -> SocketAddress {
        let reply = HelloAccepted(role: .grid, nodeName: settings.name, regions: [])
        let settings = settings
        let operations = operations
        let logger = logger
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addWireHandlers(
                        handshake: WireHandshakeHandler(acceptingSecret: settings.gridSecret, allowedRoles: [.clientManager, .region, .tool], reply: reply)
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        GridConnectionHandler(operations: operations, maxInFlight: settings.maxCallsPerConnection, logger: logger)
                    )
                }
            }
            .bind(host: settings.host, port: settings.port)
            .get()
        serverChannel.withLock { $0 = channel }
        let address = channel.localAddress!
        logger.info("grid services listening", metadata: ["address": "\(address)"])
        return address
    }

    public func shutdown() async {
        let channel = serverChannel.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try? await channel?.close()
    }

    public var address: SocketAddress? { serverChannel.withLock { $0?.localAddress } }

    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        logger.info("grid services stopping")
        await shutdown()
    }
}
