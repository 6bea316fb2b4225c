import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Foundation
import TesseraGridProtocol
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
        /// The grid services (host, port): where regions register and persist their scenes.
        /// Nil runs the regions on their own, without registry, persistence, rez or take.
        public var grid: (host: String, port: Int)?
        /// The other region nodes of the grid, linked for hand-offs, ghosts and chat.
        public var peers: [PeerLinks.Peer]
        /// The node's certificate when the grid runs with TLS (`[tls]`): every link it accepts
        /// or dials is then mutual TLS (docs/security.md).
        public var tls: WireTLS?

        public init(nodeName: String, host: String, port: Int, gridSecret: String, regions: [RegionSettings], grid: (host: String, port: Int)? = nil, peers: [PeerLinks.Peer] = [],
            tls: WireTLS? = nil
        ) {
            self.peers = peers
            self.tls = tls
            self.nodeName = nodeName
            self.host = host
            self.port = port
            self.gridSecret = gridSecret
            self.regions = regions
            self.grid = grid
        }
    }

    public let settings: Settings
    public let runners: [RegionRunner]
    private let group: EventLoopGroup
    private let connections: ManagerConnections
    private let peers: PeerLinks
    private let logger: Logger
    private var serverChannel: Channel?
    private var gridClient: GridClient?
    private var registered: [UUID] = []
    /// The grid client and the address this node registered its regions under, once registered
    /// (read by connection handlers on other threads).
    private let registration = Mutex<(GridClient, String)?>(nil)
    private var heartbeat: Task<Void, Never>?

    public init(settings: Settings, group: EventLoopGroup, clock: FrameClock = SystemFrameClock(), logger: Logger) {
        self.settings = settings
        self.group = group
        self.logger = logger
        let connections = ManagerConnections(logger: logger)
        self.connections = connections
        let runners = settings.regions.map {
            RegionRunner(settings: $0, loop: group.next(), clock: clock, sink: connections)
        }
        self.runners = runners
        peers = PeerLinks(
            hello: Hello(role: .region, nodeName: settings.nodeName, gridSecret: settings.gridSecret),
            peers: settings.peers, local: runners, group: group, tls: settings.tls?.dialing(.region), logger: logger)
        for runner in runners { runner.peers = peers }
    }

    /// Links this running node to another region node (in addition to `settings.peers`).
    public func link(to peer: PeerLinks.Peer) {
        peers.add(peer)
    }

    /// What `tessera status` shows of this node, from each region's last published frame.
    public func status() -> StatusReply {
        StatusReply(node: settings.nodeName, regions: quickStatus())
    }

    /// Binds the listener and starts every frame loop; returns the bound address.
    @discardableResult
    public func start() async throws -> SocketAddress {
        let reply = HelloAccepted(
            role: .region, nodeName: settings.nodeName,
            regions: settings.regions.map { RegionDescriptor(handle: $0.handle, name: $0.name) }
        )
        let secret = settings.gridSecret
        let tls = settings.tls
        let runners = runners
        let connections = connections
        let peers = peers
        let logger = logger
        let status: @Sendable () -> StatusReply = { [weak self] in
            self?.status() ?? StatusReply(node: "", regions: [])
        }
        let admin: @Sendable (AdminRequest) async -> AdminReply = { [weak self] request in
            await self?.admin(request) ?? AdminReply(.notHere)
        }
        let peerArrived: @Sendable () -> Void = { [weak self] in
            guard let self, let (gridClient, address) = self.registration.withLock({ $0 }) else { return }
            Task { await self.discoverPeers(gridClient, ownAddress: address) }
        }
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addWireHandlers(
                        handshake: WireHandshakeHandler(acceptingSecret: secret, allowedRoles: [.clientManager, .region, .tool, .grid], reply: reply),
                        tls: tls, remote: channel.remoteAddress
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        ManagerLinkHandler(
                            runners: runners, connections: connections, peers: peers, status: status, admin: admin, peerArrived: peerArrived,
                            logger: logger)
                    )
                }
            }
            .bind(host: settings.host, port: settings.port)
            .get()
        serverChannel = channel
        let address = channel.localAddress!
        if let grid = settings.grid {
            do {
                try await attachToGrid(host: grid.host, port: grid.port, listeningOn: address.port ?? settings.port)
            } catch {
                try? await channel.close()
                gridClient?.stop()
                throw error
            }
        }
        for runner in runners {
            let hello = Hello(role: .region, nodeName: "\(settings.nodeName)/\(runner.settings.name)", gridSecret: settings.gridSecret)
            runner.attachPhysics(hello: hello, tls: settings.tls?.dialing(.physics), group: group, logger: logger)
            runner.attachScripts(hello: hello, tls: settings.tls?.dialing(.scripts), group: group, logger: logger)
            runner.start()
        }
        peers.start()
        logger.info("region node listening", metadata: [
            "address": "\(address)", "regions": "\(settings.regions.map(\.name).joined(separator: ", "))",
        ])
        return address
    }

    /// Registers every region, restores its stored objects, and keeps the registrations alive.
    private func attachToGrid(host: String, port: Int, listeningOn listenPort: Int) async throws {
        let client = GridClient(
            host: host, port: port, hello: Hello(role: .region, nodeName: settings.nodeName, gridSecret: settings.gridSecret),
            group: group, tls: settings.tls?.dialing(.grid), logger: logger)
        gridClient = client
        try await client.start()
        let address = "\(settings.host == "0.0.0.0" ? "127.0.0.1" : settings.host):\(listenPort)"
        for runner in runners {
            let region = runner.settings
            let answer = try await client.call(.registerRegion(
                name: region.name, gridX: region.gridPosition.x, gridY: region.gridPosition.y, address: address, node: settings.nodeName))
            guard case .region(let id) = answer else { throw RegionNodeError.unexpectedAnswer("\(answer.code)") }
            registered.append(id)
            let objects: [SceneObjectRecord]
            switch await GridClientPort(client: client).loadScene(region: id) {
            case .success(let loaded): objects = loaded
            case .failure(let status): throw RegionNodeError.unexpectedAnswer("loadScene: \(status)")
            }
            await runner.attach(grid: GridClientPort(client: client), regionID: id, restoring: objects)
            logger.info("region registered", metadata: ["region": "\(region.name)", "id": "\(id)", "restoredObjects": "\(objects.count)"])
        }
        let ids = registered
        let logger = logger
        registration.withLock { $0 = (client, address) }
        await discoverPeers(client, ownAddress: address)
        heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                guard !Task.isCancelled else { return }
                do {
                    _ = try await client.call(.heartbeat(ids))
                } catch {
                    logger.warning("region heartbeat failed", metadata: ["error": "\(error)"])
                }
                await self.discoverPeers(client, ownAddress: address)
            }
        }
    }

    /// Links to the nodes of every online region in the registry (besides those of the config),
    /// so a grid grows by registering regions, not by editing every node's config.
    private func discoverPeers(_ client: GridClient, ownAddress: String) async {
        guard case .locations(let regions)? = try? await client.call(.listRegions) else { return }
        for region in regions where region.address != ownAddress {
            let parts = region.address.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]) else { continue }
            peers.add(PeerLinks.Peer(host: String(parts[0]), port: port))
        }
    }

    public func shutdown() async {
        peers.stop()
        for runner in runners { await runner.stop() }
        heartbeat?.cancel()
        if let gridClient {
            for runner in runners where !(await runner.flushNow()) {
                logger.error("final scene flush failed; changes since the last flush are lost", metadata: ["region": "\(runner.settings.name)"])
            }
            for id in registered { _ = try? await gridClient.call(.deregisterRegion(id)) }
            gridClient.stop()
        }
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

extension RegionNode {
    /// One admin action on this node's regions: agents are listed from all of them, an alert
    /// goes to all of them, a kick or teleport to the one the agent is in, a restart to the
    /// addressed region.
    public func admin(_ request: AdminRequest) async -> AdminReply {
        let outcomes = await withTaskGroup(of: AdminReply.Outcome.self) { tasks in
            for runner in runners { tasks.addTask { await runner.admin(request.action) } }
            var all: [AdminReply.Outcome] = []
            for await outcome in tasks { all.append(outcome) }
            return all
        }
        return AdminReply(AdminReply.Outcome.combine(outcomes))
    }

    /// The status from the published stats, without waiting on any loop (the handler runs on
    /// an event loop and must not block).
    func quickStatus() -> [RegionStatus] {
        runners.map { runner in
            let stats = runner.stats
            return RegionStatus(
                handle: runner.settings.handle, name: runner.settings.name, frame: stats.frame, rootAgents: stats.rootAgents,
                ghosts: UInt32(stats.ghosts), objects: UInt32(stats.objects), achievedFrameRate: Float(stats.achievedFrameRate),
                timeDilation: stats.timeDilation, handoffsInProgress: UInt32(stats.handoffsInProgress),
                handoffsCommitted: stats.handoffs.committed, handoffsFailed: stats.handoffs.failed + stats.handoffs.dropped,
                physics: stats.physics, scripts: stats.scripts.wire)
        }
    }
}

public enum RegionNodeError: Error, CustomStringConvertible {
    case unexpectedAnswer(String)

    public var description: String {
        switch self {
        case .unexpectedAnswer(let what): "the grid services answered with an unexpected \(what)"
        }
    }
}

/// Waits until the service group is asked to shut down, without throwing on cancellation.
func waitForShutdown() async {
    try? await ServiceLifecycle.gracefulShutdown()
}
