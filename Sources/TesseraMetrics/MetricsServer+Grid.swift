import Logging
import NIOCore
import ServiceLifecycle
import TesseraConfig

extension MetricsServer {
    /// The metrics server of a `[[region_node]]`, nil without `metrics_port`.
    public convenience init?(node: RegionNodeConfig, group: EventLoopGroup, logger: Logger) {
        guard let port = node.metricsPort else { return nil }
        self.init(host: node.host, port: port, name: node.name, group: group, logger: logger)
    }

    /// The metrics server of a `[[client_manager]]`, nil without `metrics_port`.
    public convenience init?(manager: ClientManagerConfig, group: EventLoopGroup, logger: Logger) {
        guard let port = manager.metricsPort else { return nil }
        self.init(host: manager.host, port: port, name: manager.name, group: group, logger: logger)
    }

    /// The metrics server of `[physics]`, nil without `metrics_port`.
    public convenience init?(physics: PhysicsServiceConfig, group: EventLoopGroup, logger: Logger) {
        guard let port = physics.metricsPort else { return nil }
        self.init(host: physics.host, port: port, name: physics.name, group: group, logger: logger)
    }

    /// The metrics server of `[scripts]`, nil without `metrics_port`.
    public convenience init?(scripts: ScriptServiceConfig, group: EventLoopGroup, logger: Logger) {
        guard let port = scripts.metricsPort else { return nil }
        self.init(host: scripts.host, port: port, name: scripts.name, group: group, logger: logger)
    }

    /// Starts the metrics server of every region node and client manager of `config` that
    /// sets `metrics_port` (and of `[physics]` when `includingPhysics`, for a physics service
    /// run in this process, and of `[scripts]` when `includingScripts`), after bootstrapping the metrics. They run until `stop()`; one that
    /// cannot listen logs an error and leaves the others running. In one process they all serve
    /// the same text: the labels tell the nodes apart.
    public static func startAll(
        for config: GridConfig, includingPhysics: Bool = false, includingScripts: Bool = false, group: EventLoopGroup, logger: Logger
    ) -> RunningMetricsServers {
        TesseraMetrics.bootstrap()
        var servers = config.regionNodes.compactMap { MetricsServer(node: $0, group: group, logger: logger) }
        servers += config.clientManagers.compactMap { MetricsServer(manager: $0, group: group, logger: logger) }
        if includingPhysics, let physics = config.physics, let server = MetricsServer(physics: physics, group: group, logger: logger) {
            servers.append(server)
        }
        if includingScripts, let scripts = config.scripts, let server = MetricsServer(scripts: scripts, group: group, logger: logger) {
            servers.append(server)
        }
        return RunningMetricsServers(servers: servers, logger: logger)
    }
}

/// The metrics servers `MetricsServer.startAll` started, in a service group of their own
/// (without signal handling: the caller's process owns the signals).
public struct RunningMetricsServers: Sendable {
    public let servers: [MetricsServer]
    private let group: ServiceGroup
    private let running: Task<Void, Never>

    init(servers: [MetricsServer], logger: Logger) {
        self.servers = servers
        let group = ServiceGroup(configuration: .init(
            services: servers.map { .init(service: FailureLogging(server: $0, logger: logger)) }, logger: logger))
        self.group = group
        running = Task { try? await group.run() }
    }

    /// Shuts every server down gracefully and waits until each has closed its port.
    public func stop() async {
        await group.triggerGracefulShutdown()
        await running.value
    }
}

/// Runs a server until shutdown; a failure (its port taken) is logged and does not stop the
/// other servers of the group.
private struct FailureLogging: Service {
    let server: MetricsServer
    let logger: Logger

    func run() async throws {
        do {
            try await server.run()
        } catch {
            logger.error("metrics server failed", metadata: ["node": "\(server.name)", "port": "\(server.port)", "error": "\(error)"])
            try? await gracefulShutdown()
        }
    }
}
