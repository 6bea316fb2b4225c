import Logging
import NIOCore
import NIOPosix
import Synchronization
import TesseraWire
import TesseraWorld

/// Where a region's messages for other regions go.
public protocol PeerDelivery: Sendable {
    func send(_ messages: [(RegionHandle, WireMessage)])
}

/// This node's links to the other region nodes of the grid (docs/handoff.md, "Links"). Each
/// node dials every other node and sends on its own connection; what arrives on the
/// connections others dialed is routed into the addressed region's inbox. Regions on this node
/// reach each other through their inboxes, without a socket. Whenever a link comes or goes,
/// every local region is told which regions it can reach.
public final class PeerLinks: PeerDelivery, @unchecked Sendable {
    public struct Peer: Sendable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    private struct Link {
        var channel: Channel?
        var regions: [RegionDescriptor] = []
    }

    private let hello: Hello
    private let tls: WireTLS.Dialing?
    private let group: EventLoopGroup
    private let logger: Logger
    private let peers: Mutex<[Peer]>
    private let local: [RegionHandle: RegionRunner]
    private let links = Mutex([Int: Link]())
    /// Each peer's run of failed dials (docs/service-exchange.md, "Reconnect policy").
    private let reconnectors = Mutex([Int: Reconnector]())
    private let stopped = Atomic<Bool>(false)

    init(hello: Hello, peers: [Peer], local: [RegionRunner], group: EventLoopGroup, tls: WireTLS.Dialing? = nil, logger: Logger) {
        self.hello = hello
        self.tls = tls
        self.peers = Mutex(peers)
        self.group = group
        self.logger = logger
        self.local = Dictionary(uniqueKeysWithValues: local.map { ($0.settings.handle, $0) })
    }

    /// Starts dialing every peer; links come up in the background and retry until `stop()`.
    func start() {
        announce()
        for index in peers.withLock({ $0.indices }) { connect(index) }
    }

    /// Links to one more node (one whose address was known only after it started, or that the
    /// registry names); a node already linked, or dialing, is not dialed twice.
    func add(_ peer: Peer) {
        let index = peers.withLock { peers -> Int? in
            guard !peers.contains(where: { $0.host == peer.host && $0.port == peer.port }) else { return nil }
            peers.append(peer)
            return peers.count - 1
        }
        if let index { connect(index) }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        let channels = links.withLock { $0.values.compactMap(\.channel) }
        for channel in channels { channel.close(promise: nil) }
    }

    public func send(_ messages: [(RegionHandle, WireMessage)]) {
        guard !messages.isEmpty else { return }
        var touched: [ObjectIdentifier: Channel] = [:]
        let routes = links.withLock { links in
            var routes: [RegionHandle: Channel] = [:]
            for link in links.values {
                guard let channel = link.channel else { continue }
                for region in link.regions { routes[region.handle] = channel }
            }
            return routes
        }
        for (handle, message) in messages {
            if let runner = local[handle] {
                runner.inbox.push(.peer(message))
            } else if let channel = routes[handle] {
                channel.write(message, promise: nil)
                touched[ObjectIdentifier(channel)] = channel
            }
            // A region that is not reachable gets nothing; its hand-offs learn it from `regions`.
        }
        for channel in touched.values { channel.flush() }
    }

    /// A message from a peer's connection: into the addressed region's inbox.
    func received(_ message: WireMessage) -> Bool {
        guard let target = message.peerDestination else { return false }
        local[target]?.inbox.push(.peer(message))
        return true
    }

    /// Tells every local region what it can reach: the other local regions and those of up links.
    private func announce() {
        var reachable: [RegionHandle: String] = [:]
        for runner in local.values { reachable[runner.settings.handle] = runner.settings.name }
        links.withLock { links in
            for link in links.values where link.channel != nil {
                for region in link.regions { reachable[region.handle] = region.name }
            }
        }
        for runner in local.values {
            var others = reachable
            others[runner.settings.handle] = nil
            runner.inbox.push(.regions(others))
        }
    }

    private func connect(_ index: Int) {
        guard !stopped.load(ordering: .relaxed) else { return }
        let hello = hello
        let peer = peers.withLock { $0[index] }
        Task {
            do {
                let (channel, accepted) = try await WireDialer.dial(
                    host: peer.host, port: peer.port, hello: hello, group: group, connectTimeout: .seconds(2), tls: tls)
                guard !stopped.load(ordering: .relaxed) else { return channel.close(promise: nil) }
                reconnectors.withLock { $0[index, default: Reconnector()].connected(at: LinkClock.seconds()) }
                links.withLock { $0[index] = Link(channel: channel, regions: accepted.regions) }
                logger.info("linked to region node", metadata: ["node": "\(accepted.nodeName)", "address": "\(peer.host):\(peer.port)"])
                announce()
                channel.closeFuture.whenComplete { _ in
                    self.links.withLock { $0[index] = nil }
                    self.announce()
                    guard !self.stopped.load(ordering: .relaxed) else { return }
                    self.logger.warning("lost region node link; redialing", metadata: ["address": "\(peer.host):\(peer.port)"])
                    let pause = self.reconnectors.withLock { reconnectors in
                        var random = SystemRandomNumberGenerator()
                        return reconnectors[index, default: Reconnector()].disconnected(at: LinkClock.seconds(), using: &random)
                    }
                    self.retry(index, after: pause)
                }
            } catch {
                let (pause, logs) = reconnectors.withLock { reconnectors in
                    var random = SystemRandomNumberGenerator()
                    let pause = reconnectors[index, default: Reconnector()].dialFailed(using: &random)
                    return (pause, reconnectors[index]?.logsDialFailure ?? false)
                }
                if logs {
                    logger.info("region node not reachable; retrying", metadata: ["address": "\(peer.host):\(peer.port)", "error": "\(error)"])
                }
                retry(index, after: pause)
            }
        }
    }

    private func retry(_ index: Int, after pause: Duration) {
        guard !stopped.load(ordering: .relaxed) else { return }
        group.next().scheduleTask(in: pause.timeAmount) { self.connect(index) }
    }
}
