import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TesseraWire
import TesseraWorld

/// The client manager role: accepts WebSocket clients at `/ws`, logs them in, routes their
/// messages to their avatar's root region and streams that region's updates back.
public final class ClientManager: Service, Sendable {
    public let settings: ClientManagerSettings
    public let stats = ClientManagerStats()
    public let routes = RouteTable()
    private let group: EventLoopGroup
    private let logger: Logger
    private let links: [RegionLink]
    private let boundAddress = Mutex<SocketAddress?>(nil)

    public init(settings: ClientManagerSettings, group: EventLoopGroup, logger: Logger) {
        self.settings = settings
        self.group = group
        self.logger = logger
        let hello = Hello(role: .clientManager, nodeName: settings.name, gridSecret: settings.gridSecret)
        let routes = routes
        links = settings.regionNodes.map {
            RegionLink(host: $0.host, port: $0.port, hello: hello, group: group, routes: routes, updateRate: settings.updateRate, logger: logger)
        }
    }

    /// The address clients connect to, once the server is listening.
    public var address: SocketAddress? { boundAddress.withLock { $0 } }

    public func run() async throws {
        for link in links {
            do {
                try await link.start()
            } catch {
                throw ClientManagerError.regionNodeUnreachable("\(link.host):\(link.port)", "\(error)")
            }
        }
        defer { for link in links { link.stop() } }
        let router = Router()
        router.get("/health") { _, _ in "ok" }
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(
                configuration: .init(maxFrameSize: max(settings.maxClientFrameBytes, settings.maxBytesPerTick * 2))
            ) { request, _, _ in
                guard request.path == "/ws" else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, context in
                    await self.serve(inbound: inbound, outbound: outbound, logger: context.logger)
                }
            },
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: settings.name),
            onServerRunning: { channel in
                self.boundAddress.withLock { $0 = channel.localAddress }
                self.logger.info("client manager listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            eventLoopGroupProvider: .shared(group),
            logger: logger
        )
        try await app.runService()
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async {
        let count = stats.clients.wrappingAdd(1, ordering: .relaxed).newValue
        defer { stats.clients.wrappingSubtract(1, ordering: .relaxed) }
        let session = ClientSession(mailbox: ClientMailbox(capacity: settings.maxQueuedEvents))
        if count > settings.maxClients {
            session.mailbox.close(.serverFull, reason: "this client manager serves at most \(settings.maxClients) clients")
        }
        await SessionRunner(session: session, manager: self, settings: settings, logger: logger)
            .run(inbound: inbound, outbound: outbound)
    }

    func login(_ session: ClientSession, name: String) {
        guard let route = routes.route(named: settings.defaultRegion) ?? routes.all.first else {
            session.mailbox.close(.regionUnavailable, reason: "no region is reachable")
            return
        }
        let agentID = UUID()
        session.beginJoin(agentID: agentID, name: name, route: route)
        if !route.join(session, agentID: agentID, name: name) {
            session.mailbox.close(.regionUnavailable, reason: "region \(route.descriptor.name) is unreachable")
        }
    }

    func disconnect(_ session: ClientSession, loggedOut: Bool) {
        guard let (route, agentID, localID) = session.close() else { return }
        route.leave(agentID: agentID, localID: localID, reason: loggedOut ? .logout : .connectionLost)
    }
}

public enum ClientManagerError: Error, CustomStringConvertible {
    case regionNodeUnreachable(String, String)

    public var description: String {
        switch self {
        case .regionNodeUnreachable(let address, let error): "cannot reach region node \(address): \(error)"
        }
    }
}
