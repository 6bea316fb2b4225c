import Dispatch
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TesseraLSL
import TesseraScripts
import TesseraWire
import TesseraWorld

/// The script role (`tessera scripts`): regions attach over Tessera wire and exchange frames
/// with it (docs/scripts.md). Each connection holds one `ScriptEngine` with the scripts of the
/// regions it carries and runs it on its own event loop, so the service uses one loop per core
/// and no locks in the run path; when a connection closes, its scripts go with it (the region
/// holds their last checkpoints and sends them again in a snapshot when it attaches anew).
public final class ScriptService: OffloadedService, Service {
    public struct Settings: Sendable {
        public var name: String
        public var host: String
        public var port: Int
        public var gridSecret: String
        /// The service's certificate when the grid runs with TLS (docs/security.md).
        public var tls: WireTLS?
        public var engine: ScriptEngineSettings

        public init(name: String, host: String, port: Int, gridSecret: String, engine: ScriptEngineSettings = .init(), tls: WireTLS? = nil) {
            self.tls = tls
            self.name = name
            self.host = host
            self.port = port
            self.gridSecret = gridSecret
            self.engine = engine
        }
    }

    /// Running figures across every connection.
    public struct Stats: Sendable, Hashable {
        public var connections = 0
        public var regions = 0
        public var scripts = 0
        public var running = 0
        public var eventsQueued = 0
        public var frames: UInt64 = 0
        public var runMicrosTotal: UInt64 = 0
        public var eventsDropped: UInt64 = 0
        public var chatDropped: UInt64 = 0
        /// Messages that were no script frame (the connection was closed).
        public var badMessages: UInt64 = 0
    }

    public let settings: Settings
    private let group: EventLoopGroup
    private let logger: Logger
    /// Compiled programs, shared by every connection's engine (compiling is thread-safe).
    let programs = LSLProgramCache()
    let metrics: ScriptMetrics
    public let core: OffloadedServiceCore<Stats>

    public init(settings: Settings, group: EventLoopGroup, logger: Logger) {
        self.settings = settings
        self.group = group
        self.logger = logger
        let metrics = ScriptMetrics(node: settings.name)
        self.metrics = metrics
        core = OffloadedServiceCore(role: .scripts, title: "script service", stats: Stats(), logger: logger, observe: { metrics.holding($0) })
    }

    @discardableResult
    public func start() async throws -> SocketAddress {
        let logger = logger
        return try await core.start(
            name: settings.name, host: settings.host, port: settings.port, gridSecret: settings.gridSecret, tls: settings.tls, group: group,
            handler: { ScriptConnectionHandler(service: self, logger: logger) })
    }

    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await core.stop()
    }
}

/// One attached peer: an engine with the scripts of the regions it sends frames for.
final class ScriptConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    typealias OutboundOut = WireMessage

    private let service: ScriptService
    private let logger: Logger
    private let engine: ScriptEngine
    private var peer: Hello?
    /// The last figures answered per region (for the service's running totals).
    private var last: [RegionHandle: ScriptRegionStats] = [:]

    init(service: ScriptService, logger: Logger) {
        self.service = service
        self.logger = logger
        engine = ScriptEngine(settings: service.settings.engine, cache: service.programs, clock: ScriptEngine.monotonicNanos)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .accepted(let hello) = event as? WireConnectionEvent else {
            return context.fireUserInboundEventTriggered(event)
        }
        peer = hello
        service.updateStats { $0.connections += 1 }
        logger.info("region attached to scripts", metadata: ["peer": "\(hello.nodeName)"])
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let peer else { return }
        guard case .scriptFrame(let frame) = unwrapInboundIn(data) else {
            service.updateStats { $0.badMessages += 1 }
            service.metrics.refusedFrames.increment()
            logger.warning("peer sent a message the script service does not take; closing", metadata: ["peer": "\(peer.nodeName)"])
            context.close(promise: nil)
            return
        }
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000
        let regionsBefore = engine.regionCount
        let result = engine.apply(frame, now: now)
        account(result, regionsBefore: regionsBefore)
        for diagnostic in result.diagnostics where !diagnostic.compile {
            logger.debug("script diagnostic", metadata: ["script": "\(diagnostic.key)", "line": "\(diagnostic.lines.first ?? "")"])
        }
        context.writeAndFlush(wrapOutboundOut(.scriptResult(result)), promise: nil)
    }

    private func account(_ result: ScriptResult, regionsBefore: Int) {
        let before = last[result.region] ?? ScriptRegionStats()
        let now = result.stats
        last[result.region] = now
        let dropped = now.eventsDropped >= before.eventsDropped ? now.eventsDropped - before.eventsDropped : now.eventsDropped
        let chat = now.chatDropped >= before.chatDropped ? now.chatDropped - before.chatDropped : now.chatDropped
        let regionsAfter = engine.regionCount
        service.updateStats { stats in
            stats.frames += 1
            stats.runMicrosTotal += UInt64(result.runMicros)
            stats.regions += regionsAfter - regionsBefore
            stats.scripts += Int(now.scripts) - Int(before.scripts)
            stats.running += Int(now.running) - Int(before.running)
            stats.eventsQueued += Int(now.eventsQueued) - Int(before.eventsQueued)
            stats.eventsDropped += dropped
            stats.chatDropped += chat
        }
        service.metrics.frame.recordMicroseconds(result.runMicros)
        if dropped > 0 { service.metrics.eventsDropped.increment(by: Int(clamping: dropped)) }
        if chat > 0 { service.metrics.chatDropped.increment(by: Int(clamping: chat)) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let held = last.values
        let scripts = held.reduce(0) { $0 + Int($1.scripts) }
        let running = held.reduce(0) { $0 + Int($1.running) }
        let queued = held.reduce(0) { $0 + Int($1.eventsQueued) }
        let regions = engine.regionCount
        let attached = peer != nil
        last = [:]
        service.updateStats { stats in
            if attached { stats.connections -= 1 }
            stats.regions -= regions
            stats.scripts -= scripts
            stats.running -= running
            stats.eventsQueued -= queued
        }
        if let peer { logger.info("region detached from scripts", metadata: ["peer": "\(peer.nodeName)", "regions": "\(regions)"]) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.warning("script connection failed; closing", metadata: ["peer": "\(peer?.nodeName ?? "?")", "error": "\(error)"])
        context.close(promise: nil)
    }
}
