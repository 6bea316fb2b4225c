import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TesseraClientProtocol
import TesseraConfig
import TesseraGridProtocol
import TesseraTLS
import TesseraWire
import TesseraWorld

/// The client manager role: accepts WebSocket clients at `/ws`, logs them in, routes their
/// messages to their avatar's root region and streams that region's updates back.
public final class ClientManager: Service, Sendable {
    public let settings: ClientManagerSettings
    /// The map and terrains protocol 8 clients are sent (from the settings).
    let atlas: RegionAtlas
    public let stats = ClientManagerStats()
    let metrics: ClientManagerMetrics
    public let routes = RouteTable()
    private let group: EventLoopGroup
    private let logger: Logger
    private let links: [RegionLink]
    let grid: GridClient?
    private let boundAddress = Mutex<SocketAddress?>(nil)
    /// The session of each logged-in account on this client manager.
    private let sessionsByAgent = SessionDirectory()
    /// Every open client connection, logged in or not (closed with 1001 at shutdown).
    private let liveSessions = Mutex<[ObjectIdentifier: ClientSession]>([:])
    /// Connections not yet in the world, bounded by `max_pending_clients`.
    let pending: PendingClients
    /// Failed session-token logins per client address.
    let tokenLimiter: TokenLoginLimiter
    /// The Second Life front end, when `lludp_port` is set.
    private let lludp = Mutex<LLUDPFrontend?>(nil)

    /// A client manager linked to the region nodes of `settings` over TCP.
    public convenience init(settings: ClientManagerSettings, group: EventLoopGroup, logger: Logger) {
        self.init(
            settings: settings, group: group, logger: logger,
            regionNodes: settings.regionNodes.map { TCPWireConnector(host: $0.host, port: $0.port, group: group, tls: settings.wireTLS?.dialing(.region)) })
    }

    /// A client manager that reaches its region nodes through `regionNodes` (in memory in a
    /// deterministic harness); `settings.regionNodes` is not used.
    public init(settings: ClientManagerSettings, group: EventLoopGroup, logger: Logger, regionNodes: [any WireConnector]) {
        self.settings = settings
        atlas = RegionAtlas(regions: settings.regionEntries, terrains: settings.terrains)
        self.group = group
        self.logger = logger
        metrics = ClientManagerMetrics(node: settings.name)
        pending = PendingClients(limit: settings.maxPendingClients)
        tokenLimiter = TokenLoginLimiter(limit: settings.maxTokenFailuresPerAddress, window: .seconds(settings.tokenFailureWindowSeconds))
        let hello = Hello(role: .clientManager, nodeName: settings.name, gridSecret: settings.gridSecret)
        let routes = routes
        let sessions = sessionsByAgent
        let switchboard = HandoffSwitchboard(routes: routes, stats: stats, logger: logger) { agent in
            sessions.withLock { $0[agent] }
        }
        links = regionNodes.map {
            RegionLink(
                connector: $0, hello: hello, group: group, routes: routes, updateRate: settings.updateRate,
                switchboard: switchboard, logger: logger)
        }
        grid = settings.grid.map {
            GridClient(host: $0.host, port: $0.port, hello: hello, group: group, tls: settings.wireTLS?.dialing(.grid), logger: logger)
        }
    }

    /// Where session writers' tick timers run.
    var timerLoop: EventLoop { group.next() }

    /// Connections not yet in the world (bounded by `max_pending_clients`).
    public var pendingClients: Int { pending.current }

    /// The address clients connect to, once the server is listening.
    public var address: SocketAddress? { boundAddress.withLock { $0 } }

    /// The login URI of Second Life viewers (`lludp_port` set, once listening).
    public var viewerLoginURI: String? {
        guard let frontend = lludp.withLock({ $0 }), address != nil else { return nil }
        return frontend.loginURI
    }

    /// Viewers (Second Life protocol) logged in or logging in.
    public var viewerCount: Int { lludp.withLock { $0 }?.viewerCount ?? 0 }

    /// Whether the port speaks TLS (https, wss): the config gave it a certificate.
    public var isSecure: Bool { settings.tls != nil }

    /// Where clients connect (`ws://` or `wss://HOST:PORT/ws`), once the server is listening.
    public var url: String? {
        address.map { "\(isSecure ? "wss" : "ws")://\(settings.host):\($0.port ?? settings.port)/ws" }
    }

    public func run() async throws {
        // Before anything else: a client manager whose certificate is unusable does not start.
        let tls = try settings.tls.map { try $0.serverConfiguration() }
        if let grid {
            try await grid.start()
        } else {
            logger.warning("no grid services configured: logins are not checked and inventory is unavailable")
        }
        defer { grid?.stop() }
        try await startLinks()
        defer { stopLinks() }
        let router = Router(context: ManagerRequestContext.self)
        router.get("/health") { _, _ in "ok" }
        let viewer = ViewerFiles()
        if let problem = viewer.problem { logger.warning("web viewer: \(problem)") }
        viewer.addRoutes(to: router)
        if let port = settings.lludpPort {
            let frontend = LLUDPFrontend(manager: self, basePort: port, group: group, logger: logger)
            lludp.withLock { $0 = frontend }
            frontend.addRoutes(to: router)
        }
        defer { lludp.withLock { $0 }?.stop() }
        let requestTimeout = TimeAmount.milliseconds(Int64(settings.requestTimeoutSeconds * 1000))
        let pending = pending
        let maxMessageBytes = settings.maxClientFrameBytes
        let logger = logger
        let metrics = metrics
        let upgrade = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(idleTimeout: requestTimeout),
            // The reader refuses a message over the limit, whether in one frame or several; the
            // decoder, frames over twice the limit before they are buffered (OversizeNotice).
            // Frames to clients are written whole, whatever their size.
            // After its close frame the server waits 2 s for the client's, then closes the TCP
            // connection (so a shutdown is not held up by clients that do not answer).
            // No automatic pings: each would be a task per connection; TCP keep-alive finds
            // vanished peers instead (`GatedChannel.keepAlive`).
            ws: .init(maxFrameSize: settings.maxClientFrameBytes * 2, autoPing: .disabled, closeTimeout: .seconds(2)))
        let server = HTTPServerBuilder { responder in
            let gated = GatedChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: upgrade) { request, channel, _ in
                    guard request.path == "/ws" else { return .dontUpgrade }
                    let address = channel.remoteAddress?.ipAddress ?? "unknown"
                    return .upgrade([:]) { inbound, outbound, context in
                        await self.serve(inbound: inbound, outbound: outbound, channel: channel, address: address, logger: context.logger)
                    }
                },
                makeGate: {
                    ConnectionGateHandler(
                        pending: pending, requestTimeout: requestTimeout, maxMessageBytes: maxMessageBytes,
                        onRefusal: { metrics.refusedOverPendingLimit.increment() },
                        onTimeout: {
                            metrics.refusedRequestTimeout.increment()
                            logger.debug("closed a connection whose HTTP request head did not arrive in time")
                        })
                })
            // With a certificate, TLS first: the gate and HTTP read what it decrypts; a
            // client that does not speak TLS fails its handshake and is closed.
            guard let tls else { return gated }
            return try TLSChannel(gated, tlsConfiguration: tls)
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: settings.name),
            onServerRunning: { channel in
                self.boundAddress.withLock { $0 = channel.localAddress }
                self.logger.info("client manager listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")", "tls": "\(tls != nil)"])
            },
            eventLoopGroupProvider: .shared(group),
            logger: logger
        )
        do {
            try await serveUntilShutdown(app)
        } catch let error as IOError where boundAddress.withLock({ $0 }) == nil {
            // Never listened: say which client manager and which address, not only the errno.
            logger.error("client manager \(settings.name) cannot listen on \(settings.host):\(settings.port): \(error)")
            throw ClientManagerError.cannotListen(name: settings.name, address: "\(settings.host):\(settings.port)", reason: "\(error)")
        }
    }

    /// Connects to every region node (`run()` does this first; a harness that serves clients
    /// in process calls it instead of `run()`). Throws when a node cannot be reached.
    public func startLinks() async throws {
        for link in links {
            do {
                try await link.start()
            } catch {
                throw ClientManagerError.regionNodeUnreachable(link.address, "\(error)")
            }
        }
    }

    /// Closes every region node link; they do not reconnect.
    public func stopLinks() {
        for link in links { link.stop() }
    }

    /// Runs the HTTP server outside this service's graceful shutdown, so that at shutdown
    /// the clients are closed by their sessions (1001, after what is queued for them) before
    /// the server stops; the server's own shutdown would close them first, with 1000.
    private func serveUntilShutdown(_ app: some Service) async throws {
        let inner = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        // Detached: a child task would inherit this service's graceful-shutdown context.
        let serving = Task.detached { try await inner.run() }
        try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await serving.value }
                group.addTask {
                    do { try await gracefulShutdown() } catch { return }
                    await self.closeEveryClient()
                    await inner.triggerGracefulShutdown()
                }
                try await group.next()
                try await group.next()
            }
        } onCancel: {
            serving.cancel()
        }
    }

    /// Asks every session to close with 1001 and waits until they have, for at most the
    /// write-stall limit and a second (a session whose client does not read takes that long).
    private func closeEveryClient() async {
        for session in liveSessions.withLock({ Array($0.values) }) {
            session.mailbox.serverStopping()
            session.mailbox.wake()
        }
        let deadline = ContinuousClock.now + .seconds(settings.writeStallSeconds + 1)
        while !liveSessions.withLock({ $0.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel, address: String, logger: Logger) async {
        let session = openSession(pending: pending.enter())
        defer { closeSession(session) }
        await WebSocketSessionRunner(session: session, manager: self, settings: settings, address: address, logger: logger)
            .run(inbound: inbound, outbound: outbound, channel: channel)
    }

    /// A new client's session, whatever its front end: counted, registered for the shutdown's
    /// close, and closed at once (`serverFull`) past `max_clients`. `closeSession` undoes it.
    /// Front ends that do not speak the client protocol (LLUDP viewers) take no atlas: protocol
    /// 8's map and terrains would be queued at every arrival only to be dropped.
    func openSession(pending ticket: PendingTicket?, sendsAtlas: Bool = true) -> ClientSession {
        let count = stats.clients.wrappingAdd(1, ordering: .relaxed).newValue
        metrics.connections.increment()
        let session = ClientSession(mailbox: ClientMailbox(capacity: settings.maxQueuedEvents), pending: ticket, atlas: sendsAtlas ? atlas : nil)
        liveSessions.withLock { $0[ObjectIdentifier(session)] = session }
        if count > settings.maxClients {
            session.mailbox.close(.serverFull, reason: "this client manager serves at most \(settings.maxClients) clients")
        }
        return session
    }

    func closeSession(_ session: ClientSession) {
        session.pending?.release()
        liveSessions.withLock { $0[ObjectIdentifier(session)] = nil }
        stats.clients.wrappingSubtract(1, ordering: .relaxed)
        metrics.connections.decrement()
    }

    /// Checks the login with the grid services, then sends the avatar to its start region
    /// (the grid's registry says where that is). Without grid services the name is the login.
    func login(_ session: ClientSession, _ login: Login, address: String) {
        guard session.beginAuthentication() else { return }
        guard let grid else {
            let region = login.startRegion.isEmpty ? settings.defaultRegion : login.startRegion
            guard let route = routes.route(named: region) ?? (login.startRegion.isEmpty ? routes.all.first : nil) else {
                metrics.login(.regionUnavailable)
                session.mailbox.close(.regionUnavailable, reason: "no region \(region) is reachable")
                return
            }
            metrics.login(.accepted)
            return join(session, agentID: UUID(), name: login.name, route: route, token: nil)
        }
        Task {
            do {
                let grant = try await authenticate(login, address: address, grid: grid)
                let name = login.startRegion.isEmpty ? settings.defaultRegion : login.startRegion
                guard case .location(let location) = try await grid.call(.locateRegion(name: name)),
                    let route = routes.route(location.handle)
                else {
                    throw CallStatus(.regionUnavailable, "region \(name) is not reachable from this client manager")
                }
                metrics.login(.accepted)
                join(session, agentID: grant.account, name: grant.name, route: route, token: grant.token)
            } catch let status as CallStatus {
                stats.failedLogins.add(1, ordering: .relaxed)
                metrics.login(LoginOutcome(refusal: status.code))
                session.mailbox.close(status.code ?? .serviceUnavailable, reason: status.message)
            } catch {
                // Not a refusal: the details are for the log, not for the client.
                metrics.login(.serviceUnavailable)
                logger.warning("login failed", metadata: ["error": "\(String(reflecting: error))"])
                session.mailbox.close(.serviceUnavailable, reason: "the login could not be checked; try again later")
            }
        }
    }

    func authenticate(_ login: Login, address: String, grid: GridClient) async throws -> SessionGrant {
        let answer: GridAnswer
        let timeout = TimeAmount.milliseconds(Int64(settings.loginCheckTimeoutSeconds * 1000))
        switch login.credential {
        case .password(let password):
            answer = try await grid.call(.login(name: login.name, password: password, address: address), timeout: timeout)
        case .sessionToken(let token):
            guard let slot = tokenLimiter.reserve(address) else {
                throw CallStatus(.rateLimited, "too many failed session-token logins from this address; try again later")
            }
            do {
                answer = try await grid.call(.resumeSession(token: token), timeout: timeout)
                guard case .session(let grant) = answer, grant.name.lowercased() == login.name.lowercased() else {
                    throw CallStatus(.invalidSession, "the session token belongs to another avatar")
                }
                tokenLimiter.release(address, slot)
            } catch let status as CallStatus where status.code == .invalidSession {
                tokenLimiter.failed(address, slot)
                throw status
            } catch {
                tokenLimiter.release(address, slot)
                throw error
            }
        }
        guard case .session(let grant) = answer else { throw CallStatus(.serviceUnavailable, "the grid answered a login with \(answer.code)") }
        guard grant.name.lowercased() == login.name.lowercased() else {
            throw CallStatus(.invalidSession, "the session token belongs to another avatar")
        }
        return grant
    }

    func join(_ session: ClientSession, agentID: AgentID, name: String, route: RegionRoute, token: String?) {
        guard session.beginJoin(agentID: agentID, name: name, route: route, token: token) else { return }
        // One session per account: a new login replaces the old one, whose avatar leaves
        // before the new one joins (same link, so the region sees them in this order).
        let previous = sessionsByAgent.withLock { sessions in
            defer { sessions[agentID] = session }
            return sessions[agentID]
        }
        if let previous, previous !== session {
            previous.mailbox.close(.loggedInElsewhere, reason: "logged in again elsewhere")
            if let (oldRoute, _, localID) = previous.close() {
                oldRoute.leave(agentID: agentID, localID: localID, reason: .logout)
            }
        }
        if !route.join(session, agentID: agentID, name: name) {
            session.mailbox.close(.regionUnavailable, reason: "region \(route.descriptor.name) is unreachable")
        }
    }

    /// Answers an inventory call that the grid services handle directly.
    func inventory(_ session: ClientSession, account: AgentID, _ request: InventoryRequest) {
        func reply(_ outcome: Result<InventoryAnswer, CallStatus>) {
            session.mailbox.push(.message(.inventory(InventoryReply(requestID: request.requestID, outcome: outcome))))
        }
        guard let grid else { return reply(.failure(CallStatus(.serviceUnavailable, "this grid runs without inventory"))) }
        guard session.reserveCall() else {
            return reply(.failure(CallStatus(.rateLimited, "more than \(ClientSession.maxCallsInFlight) inventory calls in flight")))
        }
        Task {
            defer { session.releaseCall() }
            do {
                guard case .inventory(let answer) = try await grid.call(.inventory(account: account, request.call)) else {
                    return reply(.failure(CallStatus(.serviceUnavailable, "the grid answered with something else")))
                }
                reply(.success(answer))
            } catch let status as CallStatus {
                reply(.failure(status))
            } catch {
                self.logger.warning("inventory call failed", metadata: ["error": "\(String(reflecting: error))"])
                reply(.failure(CallStatus(.serviceUnavailable, "the grid services could not be asked; try again later")))
            }
        }
    }

    /// Logout: the session token is revoked in the grid services before the `(1000, logout)`
    /// close, so it no longer logs in once the client sees the close. When it cannot be
    /// revoked, the close says so (4018) instead.
    func logout(_ session: ClientSession) {
        guard session.beginLogout() else { return }
        guard let token = session.token, let grid else {
            session.mailbox.close(nil, reason: SessionCommands.logoutReason)
            return session.mailbox.wake()
        }
        Task {
            do {
                _ = try await grid.call(.endSession(token: token))
                session.mailbox.close(nil, reason: SessionCommands.logoutReason)
            } catch {
                session.mailbox.close(.serviceUnavailable, reason: "logged out, but the session token could not be revoked; it stays valid until it expires")
            }
            session.mailbox.wake()
        }
    }

    func disconnect(_ session: ClientSession, loggedOut: Bool) {
        if let agentID = session.agentID {
            sessionsByAgent.withLock { sessions in
                if sessions[agentID] === session { sessions[agentID] = nil }
            }
        }
        guard let (route, agentID, localID) = session.close() else { return }
        route.leave(agentID: agentID, localID: localID, reason: loggedOut ? .logout : .connectionLost)
    }
}

/// The session of each logged-in account, shared with the hand-off switchboard.
final class SessionDirectory: Sendable {
    private let sessions = Mutex<[AgentID: ClientSession]>([:])

    func withLock<T>(_ body: (inout [AgentID: ClientSession]) -> T) -> T {
        sessions.withLock { body(&$0) }
    }
}

public enum ClientManagerError: Error, CustomStringConvertible {
    case regionNodeUnreachable(String, String)
    case cannotListen(name: String, address: String, reason: String)

    public var description: String {
        switch self {
        case .regionNodeUnreachable(let address, let error): "cannot reach region node \(address): \(error)"
        case .cannotListen(let name, let address, let reason):
            "client manager \(name) cannot listen on \(address) (\(reason)); is another program using the port?"
        }
    }
}

