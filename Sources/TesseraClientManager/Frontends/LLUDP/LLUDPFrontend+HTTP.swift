import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import TesseraClientProtocol
import TesseraGridProtocol
import TesseraLLUDP
import TesseraWire
import TesseraWorld

/// The request context of the client manager's HTTP routes: the peer's address, so logins are
/// throttled per address as on the WebSocket side.
struct ManagerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// The HTTP side of the Second Life front end, on the client manager's port: the XML-RPC
/// login at `/`, `GET /get_grid_info`, and the capabilities at `/caps/{id}` (seed and
/// EventQueueGet). Bodies are read up to small bounds; what is over is refused (413).
extension LLUDPFrontend {
    static let maxLoginBytes = 16 * 1024
    static let maxCapBodyBytes = 16 * 1024

    func addRoutes(to router: Router<ManagerRequestContext>) {
        router.post("/") { request, context in
            let body = try await request.body.collect(upTo: Self.maxLoginBytes)
            let address = context.remoteAddress?.ipAddress ?? "unknown"
            let reply = await self.login(Array(buffer: body), address: address)
            return Self.response(.ok, contentType: "text/xml", reply.encode())
        }
        router.get("/get_grid_info") { _, _ in
            let info = GridInfo(gridName: self.manager.settings.gridName, gridNick: Self.nick(self.manager.settings.gridName), login: self.loginURI)
            return Self.response(.ok, contentType: "application/xml", info.xml())
        }
        router.post("/caps/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            guard let capability = self.capability(id) else { return Self.response(.notFound, contentType: "text/plain", "no such capability") }
            let body = try await request.body.collect(upTo: Self.maxCapBodyBytes)
            switch capability {
            case .seed(let viewer, let region):
                return self.seed(viewer, region: region, body: Array(buffer: body))
            case .eventQueue(let viewer, let region):
                return await self.poll(viewer, region: region, body: Array(buffer: body))
            }
        }
    }

    static func response(_ status: HTTPResponse.Status, contentType: String, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func nick(_ name: String) -> String {
        String(name.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(32))
    }

    // MARK: Login

    /// `login_to_simulator`: checks the name and the MD5 of the password with the grid
    /// services, picks the start region, and answers with its endpoint and a seed capability.
    func login(_ body: [UInt8], address: String) async -> ViewerLoginReply {
        let request: ViewerLoginRequest
        do {
            let call = try XMLRPCRequest.parse(body)
            guard call.methodName == ViewerLoginRequest.methodName else {
                return .refusal(reason: .input, message: "this login server answers \(ViewerLoginRequest.methodName), not \(call.methodName)")
            }
            request = try ViewerLoginRequest(call)
        } catch {
            manager.metrics.login(.refused)
            return .refusal(reason: .input, message: "the login request is malformed: \(error)")
        }
        let name = request.avatarName
        if let problem = AvatarName.problem(name) {
            manager.metrics.login(.refused)
            return .refusal(reason: .key, message: "\(name) is not an avatar name: \(problem)")
        }
        guard manager.stats.clients.load(ordering: .relaxed) < manager.settings.maxClients else {
            return .refusal(reason: .unavailable, message: "this client manager serves at most \(manager.settings.maxClients) clients; try again later")
        }
        guard let ticket = manager.pending.admit() else {
            manager.metrics.refusedOverPendingLimit.increment()
            return .refusal(reason: .unavailable, message: "the grid is busy with other logins; try again in a minute")
        }
        var accepted = false
        defer { if !accepted { ticket.release() } }
        // The account and its session token.
        let agentID: AgentID
        let token: String?
        let canonicalName: String
        if let grid = manager.grid {
            do {
                let answer = try await grid.call(
                    .viewerLogin(name: name, md5Hex: request.passwordMD5, address: address),
                    timeout: .milliseconds(Int64(manager.settings.loginCheckTimeoutSeconds * 1000)))
                guard case .session(let grant) = answer else { throw CallStatus(.serviceUnavailable, "the grid answered a login with \(answer.code)") }
                agentID = grant.account
                token = grant.token
                canonicalName = grant.name
            } catch let status as CallStatus {
                manager.stats.failedLogins.add(1, ordering: .relaxed)
                manager.metrics.login(LoginOutcome(refusal: status.code))
                return .refusal(reason: status.code == .badCredentials ? .key : .unavailable, message: status.message)
            } catch {
                manager.metrics.login(.serviceUnavailable)
                logger.warning("viewer login failed", metadata: ["error": "\(String(reflecting: error))"])
                return .refusal(reason: .unavailable, message: "the login could not be checked; try again later")
            }
        } else {
            agentID = UUID()
            token = nil
            canonicalName = name
        }
        // The start region: the one asked for, else the grid's default.
        let wanted: String =
            switch request.start {
            case .region(let region, _, _, _): region
            case .home, .last: manager.settings.defaultRegion
            }
        var found = await startRoute(named: wanted)
        if found == nil, wanted != manager.settings.defaultRegion { found = await startRoute(named: manager.settings.defaultRegion) }
        guard let route = found else {
            manager.metrics.login(.regionUnavailable)
            return .refusal(reason: .region, message: "region \(wanted) is not reachable; try again later")
        }
        let endpoint: LLUDPEndpoint
        do {
            endpoint = try await self.endpoint(for: route.handle)
        } catch {
            logger.warning("cannot open a viewer endpoint", metadata: ["region": "\(route.descriptor.name)", "error": "\(error)"])
            return .refusal(reason: .unavailable, message: "region \(route.descriptor.name) cannot take viewers now")
        }
        let (first, last) = ViewerSession.slName(canonicalName)
        let identity = ViewerIdentity(
            agentID: agentID, sessionID: UUID(), secureSessionID: UUID(),
            circuitCode: UInt32.random(in: 1...ViewerLoginReply.maxCircuitCode),
            name: canonicalName, firstName: first, lastName: last, token: token)
        let session = manager.openSession(pending: ticket, sendsAtlas: false)
        accepted = true
        let startPosition: Vector3? =
            switch request.start {
            case .region(_, let x, let y, let z) where route.descriptor.name == wanted: SLControls.landing(Vector3(x, y, z))
            default: nil
            }
        let viewer = ViewerSession(
            identity: identity, session: session, frontend: self, startRoute: route, startPosition: startPosition, address: address, logger: logger)
        register(viewer)
        manager.metrics.login(.accepted)
        let seed = seedCapability(for: viewer, region: route.handle)
        start(viewer)
        let position = startPosition ?? Vector3(128, 128, 25)
        let root = UUID()
        return .success(ViewerLoginSuccess(
            agentID: agentID, sessionID: identity.sessionID, secureSessionID: identity.secureSessionID,
            firstName: first, lastName: last, circuitCode: identity.circuitCode,
            simIP: publicHost, simPort: UInt16(endpoint.port), region: route.handle.gridPosition,
            seedCapability: seed, start: request.start,
            home: ViewerHome(region: route.handle.gridPosition, position: position),
            inventoryRoot: root,
            inventorySkeleton: [InventorySkeletonFolder(folderID: root, parentID: slNullUUID, name: "My Inventory", typeDefault: 8)],
            message: "Welcome to \(manager.settings.gridName).",
            secondsSinceEpoch: Int64(Date().timeIntervalSince1970)))
    }

    private func startRoute(named name: String) async -> RegionRoute? {
        if let route = manager.routes.route(named: name) { return route }
        guard let grid = manager.grid, case .location(let location)? = try? await grid.call(.locateRegion(name: name)) else { return nil }
        return manager.routes.route(location.handle)
    }

    /// Runs the viewer's session: its ticker until the session ends, then the same
    /// disconnect as any client's.
    private func start(_ viewer: ViewerSession) {
        let manager = manager
        Task {
            // A viewer fetches its inventory and capabilities before it connects: it gets
            // three times the login timeout (at least 30 s) to send CompleteAgentMovement.
            await SessionTicker(
                session: viewer.session, manager: manager, transport: LLUDPTransport(viewer: viewer),
                loginTimeoutSeconds: max(30, manager.settings.loginTimeoutSeconds * 3), loginStep: "CompleteAgentMovement"
            ).run()
            viewer.finish()
            self.remove(viewer)
            manager.disconnect(viewer.session, loggedOut: viewer.session.mailbox.drain().closure?.reason == SessionCommands.logoutReason)
            manager.closeSession(viewer.session)
        }
    }

    // MARK: Capabilities

    /// The seed capability: the viewer names the capabilities it knows (an LLSD array), the
    /// answer maps those this grid serves to their URLs: EventQueueGet.
    private func seed(_ viewer: ViewerSession, region: RegionHandle, body: [UInt8]) -> Response {
        do {
            let asked = try LLSDXML.decode(body, maxDepth: 4, maxBytes: Self.maxCapBodyBytes)
            guard asked.arrayValue != nil else {
                return Self.response(.badRequest, contentType: "text/plain", "the seed capability takes an LLSD array of capability names")
            }
        } catch {
            return Self.response(.badRequest, contentType: "text/plain", "the seed request is not LLSD: \(error)")
        }
        let caps: LLSD = .map(["EventQueueGet": .string(eventQueueCapability(for: viewer, region: region))])
        return Self.response(.ok, contentType: "application/llsd+xml", LLSDXML.encode(caps))
    }

    /// EventQueueGet: a long poll. Events are answered at once; with none, the request is held
    /// for `eventQueueHoldSeconds` and answered 502 (the viewer polls again).
    private func poll(_ viewer: ViewerSession, region: RegionHandle, body: [UInt8]) async -> Response {
        let request: EventQueuePollRequest
        do {
            request = try EventQueuePollRequest(body: body)
        } catch {
            return Self.response(.badRequest, contentType: "text/plain", "\(error)")
        }
        if request.done {
            viewer.endQueue(region)
            return Self.response(.notFound, contentType: "text/plain", "event queue closed")
        }
        let queue = viewer.eventQueue(region)
        let hold = TimeAmount.milliseconds(Int64(manager.settings.eventQueueHoldSeconds * 1000))
        guard let batch = await queue.poll(ack: request.ack, hold: hold, on: group.next()) else {
            if queue.isClosed { return Self.response(.notFound, contentType: "text/plain", "event queue closed") }
            return Self.response(.badGateway, contentType: "text/plain", "no events")
        }
        return Self.response(.ok, contentType: "application/llsd+xml", LLSDXML.encode(batch.llsd))
    }
}
