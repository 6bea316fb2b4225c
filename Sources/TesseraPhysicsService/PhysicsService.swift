import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TesseraWire
import TesseraWorld

/// The physics role (`tessera physics`): regions attach over Tessera wire and exchange
/// frames with it (docs/physics.md). Each connection holds the worlds of the regions it
/// carries and steps them on its own event loop, so the service uses one loop per core and
/// no locks in the step path; when a connection closes, its worlds go with it.
public final class PhysicsService: OffloadedService, Service {
    public struct Settings: Sendable {
        public var name: String
        public var host: String
        public var port: Int
        public var gridSecret: String
        /// The service's certificate when the grid runs with TLS (docs/security.md).
        public var tls: WireTLS?
        public var world: RegionWorld.Settings

        public init(name: String, host: String, port: Int, gridSecret: String, world: RegionWorld.Settings = .init(), tls: WireTLS? = nil) {
            self.tls = tls
            self.name = name
            self.host = host
            self.port = port
            self.gridSecret = gridSecret
            self.world = world
        }
    }

    /// Running figures across every connection.
    public struct Stats: Sendable, Hashable {
        public var regions = 0
        public var bodies = 0
        public var frames: UInt64 = 0
        public var stepMicrosTotal: UInt64 = 0
        /// Frames refused as unusable (and the bodies refused in usable ones).
        public var badFrames: UInt64 = 0
        public var refusedBodies: UInt64 = 0
    }

    public let settings: Settings
    private let group: EventLoopGroup
    private let logger: Logger
    let metrics: PhysicsMetrics
    public let core: OffloadedServiceCore<Stats>

    public init(settings: Settings, group: EventLoopGroup, logger: Logger) {
        self.settings = settings
        self.group = group
        self.logger = logger
        let metrics = PhysicsMetrics(node: settings.name)
        self.metrics = metrics
        core = OffloadedServiceCore(role: .physics, title: "physics service", stats: Stats(), logger: logger, observe: { metrics.holding($0) })
    }

    @discardableResult
    public func start() async throws -> SocketAddress {
        let settings = settings
        let logger = logger
        return try await core.start(
            name: settings.name, host: settings.host, port: settings.port, gridSecret: settings.gridSecret, tls: settings.tls, group: group,
            handler: { PhysicsConnectionHandler(service: self, settings: settings.world, logger: logger) })
    }

    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await core.stop()
    }
}

/// One attached peer: the worlds of the regions it sends frames for.
final class PhysicsConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    typealias OutboundOut = WireMessage

    private let service: PhysicsService
    private let settings: RegionWorld.Settings
    private let logger: Logger
    private var peer: Hello?
    private var worlds: [RegionHandle: RegionWorld] = [:]

    init(service: PhysicsService, settings: RegionWorld.Settings, logger: Logger) {
        self.service = service
        self.settings = settings
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .accepted(let hello) = event as? WireConnectionEvent else {
            return context.fireUserInboundEventTriggered(event)
        }
        peer = hello
        logger.info("region attached to physics", metadata: ["peer": "\(hello.nodeName)"])
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let peer else { return }
        guard case .physicsFrame(let frame) = unwrapInboundIn(data) else {
            logger.warning("peer sent a message the physics service does not take; closing", metadata: ["peer": "\(peer.nodeName)"])
            context.close(promise: nil)
            return
        }
        let result = step(frame)
        context.writeAndFlush(wrapOutboundOut(.physicsResult(result)), promise: nil)
    }

    private func step(_ frame: PhysicsFrame) -> PhysicsResult {
        if let terrain = frame.terrain, worlds[frame.region] == nil {
            do {
                worlds[frame.region] = try RegionWorld(region: frame.region, terrain: terrain, settings: settings)
                service.updateStats { $0.regions += 1 }
            } catch {
                return refuse(frame, "the terrain could not be built: \(error)")
            }
        }
        guard let world = worlds[frame.region] else {
            return refuse(frame, "no world for region \(frame.region.gridPosition) on this connection: send a full snapshot")
        }
        let before = world.bodyCount
        let result = world.apply(frame)
        let after = world.bodyCount
        service.updateStats { stats in
            stats.frames += 1
            stats.stepMicrosTotal += UInt64(result.stepMicros)
            stats.bodies += after - before
            stats.refusedBodies += UInt64(result.refused.count)
        }
        service.metrics.step.recordMicroseconds(result.stepMicros)
        if !result.refused.isEmpty { service.metrics.refusedBodies.increment(by: result.refused.count) }
        if !result.refused.isEmpty {
            logger.warning("physics refused bodies", metadata: ["region": "\(frame.region.gridPosition)", "first": "\(result.refused[0].reason)"])
        }
        return result
    }

    /// A frame the service cannot apply: refused as a whole (body 0), the region sends a snapshot.
    private func refuse(_ frame: PhysicsFrame, _ reason: String) -> PhysicsResult {
        service.core.countStats { $0.badFrames += 1 }
        service.metrics.refusedFrames.increment()
        logger.warning("physics frame refused", metadata: ["region": "\(frame.region.gridPosition)", "reason": "\(reason)"])
        return PhysicsResult(region: frame.region, frame: frame.frame, refused: [PhysicsRefusal(id: 0, reason: reason)])
    }

    func channelInactive(context: ChannelHandlerContext) {
        let bodies = worlds.values.reduce(0) { $0 + $1.bodyCount }
        let count = worlds.count
        worlds = [:]
        service.updateStats { stats in
            stats.regions -= count
            stats.bodies -= bodies
        }
        if let peer { logger.info("region detached from physics", metadata: ["peer": "\(peer.nodeName)", "regions": "\(count)"]) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.warning("physics connection failed; closing", metadata: ["peer": "\(peer?.nodeName ?? "?")", "error": "\(error)"])
        context.close(promise: nil)
    }
}
