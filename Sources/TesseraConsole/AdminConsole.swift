import Foundation
import Hummingbird
import HummingbirdAuth
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TesseraConfig
import TesseraMetrics
import TesseraStorage
import TesseraTLS

/// The admin REST console (docs/console.md, `Resources/openapi.yaml`): JSON over HTTP, bearer
/// admin tokens on every route but `/health`, RFC 9457 problem documents for every error,
/// cursor pagination on lists.
public final class AdminConsole: Service, Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var name: String
        /// A connection that has sent nothing for this long while a request is unfinished (or
        /// between requests) is closed: a half-sent request cannot hold a connection. A
        /// request being answered (the `/events` stream) is not cut.
        public var idleTimeout: Duration
        /// Connections served at once; more wait in the listen backlog until one closes.
        public var maxConnections: Int
        /// The console's certificate and key (`console_tls_certificate`, `console_tls_key`):
        /// HTTPS only; nil: plain HTTP.
        public var tls: ServerTLSFiles?

        public static let defaultIdleTimeout: Duration = .seconds(15)
        public static let defaultMaxConnections = 256

        public init(
            host: String, port: Int, name: String = "tessera-console", idleTimeout: Duration = defaultIdleTimeout,
            maxConnections: Int = defaultMaxConnections, tls: ServerTLSFiles? = nil
        ) {
            self.tls = tls
            self.host = host
            self.port = port
            self.name = name
            self.idleTimeout = idleTimeout
            self.maxConnections = maxConnections
        }
    }

    public let settings: Settings
    let admins: AdminStore
    let accounts: AccountStore
    let regionDirectory: any RegionDirectory
    let logins: LoginGate
    private let group: EventLoopGroup
    private let logger: Logger
    private let failures = FailureLimiter()
    private let bound = Mutex<SocketAddress?>(nil)
    /// The feed of recent grid events (the dashboard's, and `GET /events`).
    public let events: ConsoleEvents
    let control: GridControl
    let inventory: InventoryStore
    let assets: AssetStore
    let watch: ConsoleWatch
    /// When the console started (`show uptime`).
    let started = Date()
    /// Its open connections, at most `settings.maxConnections`.
    public let connections: ConsoleConnections

    public init(
        settings: Settings, admins: AdminStore, accounts: AccountStore, regions: any RegionDirectory, logins: LoginGate,
        group: EventLoopGroup, logger: Logger, events: ConsoleEvents = ConsoleEvents(), watchInterval: Duration = .seconds(1)
    ) {
        self.events = events
        connections = ConsoleConnections(limit: settings.maxConnections)
        inventory = InventoryStore(client: accounts.client, logger: logger)
        assets = AssetStore(client: accounts.client, logger: logger)
        control = GridControl(directory: regions, admins: admins, logins: logins, events: events)
        watch = ConsoleWatch(control: control, interval: watchInterval, logger: logger)
        self.regionDirectory = regions
        self.logins = logins
        self.settings = settings
        self.admins = admins
        self.accounts = accounts
        self.group = group
        self.logger = logger
    }

    /// Where it listens, once it does.
    public var address: SocketAddress? { bound.withLock { $0 } }

    /// Its base URL (`http://` or `https://HOST:PORT`), once it listens; a wildcard host is
    /// given as the loopback address.
    public var baseURL: String? {
        address.map { "\(settings.tls == nil ? "http" : "https")://\(settings.host == "0.0.0.0" ? "127.0.0.1" : settings.host):\($0.port ?? settings.port)" }
    }

    public func makeRouter() -> Router<ConsoleContext> {
        let router = Router(context: ConsoleContext.self)
        router.middlewares.add(SecurityHeadersMiddleware())
        router.middlewares.add(ProblemMiddleware())
        router.middlewares.add(AdminAuthenticator(admins: admins, failures: failures))
        router.middlewares.add(InputMiddleware())
        let admins = admins
        router.get("/health") { _, _ in Health(status: "ok") }
        router.get("/openapi.yaml") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: Self.openAPIDocument)))
        }
        router.get("/audit") { request, _ -> Page<AuditItem> in
            let limit = try Self.limit(request)
            let before = try Self.cursor(request)
            let entries = try await admins.auditPage(limit: limit + 1, before: before)
            let items = entries.prefix(limit).map(AuditItem.init)
            return Page(items: Array(items), next: entries.count > limit ? items.last.map { String($0.id) } : nil)
        }
        router.get("/tokens") { _, _ -> Page<TokenItem> in
            Page(items: try await admins.tokens().map(TokenItem.init), next: nil)
        }
        addUserRoutes(to: router)
        addRegionRoutes(to: router)
        addLoginRoutes(to: router)
        addGridRoutes(to: router)
        addMoveRoutes(to: router)
        addScriptRoutes(to: router)
        addInventoryRoutes(to: router)
        addCommandRoutes(to: router)
        addDashboardRoutes(to: router)
        // The grid services' metrics (docs/metrics.md), on the console's port; no token.
        TesseraMetrics.bootstrap()
        router.addMetricsRoute()
        return router
    }

    public func run() async throws {
        let watching = Task { await watch.run() }
        defer { watching.cancel() }
        try await makeApplication().runService()
    }

    /// The console's HTTP application; with a certificate, HTTPS only (TLS 1.2 at least). Throws
    /// when the certificate or key cannot be used, naming the config key and the file.
    public func makeApplication() throws -> some ApplicationProtocol {
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: TimeAmount(settings.idleTimeout)))
        let server = try settings.tls.map { try HTTPServerBuilder.tls(http1, tlsConfiguration: $0.serverConfiguration()) } ?? http1
        return Application(
            router: makeRouter(),
            server: server,
            configuration: .init(
                address: .hostname(settings.host, port: settings.port), serverName: settings.name,
                availableConnectionsDelegate: connections.delegate),
            onServerRunning: { channel in
                self.bound.withLock { $0 = channel.localAddress }
                self.logger.info("admin console listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
    }


    /// The OpenAPI 3.1 document, shipped with the package.
    public static let openAPIDocument: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return "openapi: 3.1.0\ninfo: {title: Tessera admin console, version: missing}\npaths: {}\n" }
        return text
    }()

    static func limit(_ request: Request) throws -> Int {
        guard let raw = request.uri.queryParameters["limit"] else { return 50 }
        guard let limit = Int(raw), (1...500).contains(limit) else {
            throw Problem(.badRequest, "invalid-parameter", "Invalid query parameter", detail: "limit must be an integer within 1...500, got \(raw)")
        }
        return limit
    }

    static func cursor(_ request: Request) throws -> Int64? {
        guard let raw = request.uri.queryParameters["cursor"] else { return nil }
        guard let cursor = Int64(raw), cursor > 0 else {
            throw Problem(.badRequest, "invalid-parameter", "Invalid query parameter", detail: "cursor must be the `next` of a previous page, got \(raw)")
        }
        return cursor
    }
}

struct Health: ResponseEncodable {
    var status: String
}

/// One page of a list: `next` is the cursor of the following page, absent on the last.
struct Page<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    var items: [Item]
    var next: String?
}

/// RFC 3339 with milliseconds, UTC.
func consoleDate(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

struct AuditItem: Codable, Sendable {
    var id: Int64
    var at: String
    var actor: String
    var action: String
    var target: String
    var result: String
    var detail: String

    init(_ entry: AuditEntry) {
        id = entry.id
        at = consoleDate(entry.at)
        actor = entry.actor
        action = entry.action
        target = entry.target
        result = entry.result
        detail = entry.detail
    }
}

struct TokenItem: Codable, Sendable {
    var id: String
    var account: String
    var label: String
    var createdAt: String
    var expiresAt: String
    var revokedAt: String?
    var lastUsedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, account, label
        case createdAt = "created_at", expiresAt = "expires_at", revokedAt = "revoked_at", lastUsedAt = "last_used_at"
    }

    init(_ token: AdminTokenInfo) {
        id = token.id.uuidString.lowercased()
        account = token.accountName
        label = token.label
        createdAt = consoleDate(token.createdAt)
        expiresAt = consoleDate(token.expiresAt)
        revokedAt = token.revokedAt.map(consoleDate)
        lastUsedAt = token.lastUsedAt.map(consoleDate)
    }
}
