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
        /// The grid services' certificate when the grid runs with TLS (docs/security.md).
        public var tls: WireTLS?

        public init(
            name: String, host: String, port: Int, gridSecret: String, maxCallsPerConnection: Int = 1024,
            sessionLifetimeSeconds: Int = 86400, hasher: PasswordHasher = .standard, tls: WireTLS? = nil
        ) {
            self.tls = tls
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
    private let listener = WireListener()

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
        let address = try await listener.start(
            host: settings.host, port: settings.port, group: group, tls: settings.tls,
            handshake: { WireHandshakeHandler(acceptingSecret: settings.gridSecret, allowedRoles: [.clientManager, .region, .tool], reply: reply) },
            handler: { GridConnectionHandler(operations: operations, maxInFlight: settings.maxCallsPerConnection, logger: logger) })
        logger.info("grid services listening", metadata: ["address": "\(address)"])
        return address
    }

    public func shutdown() async { await listener.shutdown() }

    public var address: SocketAddress? { listener.address }

    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        logger.info("grid services stopping")
        await shutdown()
    }
}
