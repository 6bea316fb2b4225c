import ArgumentParser
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TesseraConfig
import TesseraMetrics
import TesseraStorage

/// The options and run loop of a command that runs one service table of the grid config on its
/// own (`tessera physics`, `tessera scripts`).
struct ServiceCommandOptions: ParsableArguments {
    @OptionGroup var options: ConfigOptions

    @Option(help: "Listen on this port instead of the config's (0: any free port, printed at start).")
    var port: Int?

    @Option(help: ArgumentHelp("Stop when the process with this pid is no longer the parent (set by tessera up).", visibility: .hidden))
    var parentPid: Int32?

    /// Bootstraps the metrics, loads the config and its `[table]` (with `--port` over its
    /// port), and makes the logger; with `--parent-pid`, the process stops when its parent ends.
    func load<Section>(
        _ table: String, _ section: (GridConfig) -> Section?, port portField: WritableKeyPath<Section, Int>, logLabel: String
    ) throws -> (config: GridConfig, section: Section, logger: Logger) {
        TesseraMetrics.bootstrap()
        let config = try options.load()
        guard var found = section(config) else {
            throw ValidationError("\(options.config): no [\(table)] table")
        }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be within 0...65535, got \(port)") }
            found[keyPath: portField] = port
        }
        let logger = options.logger(logLabel)
        if let parentPid {
            ParentWatch.start(parent: parentPid) {
                logger.warning("the parent process \(parentPid) has ended; stopping")
                kill(getpid(), SIGTERM)
            }
        }
        return (config, found, logger)
    }

    /// Starts the service, prints where it listens (`title` "name" listening on host:port),
    /// then keeps it, and the metrics server when there is one, until SIGTERM or SIGINT.
    static func run(
        _ title: String, name: String, host: String, port: Int, metrics: MetricsServer?, logger: Logger,
        start: () async throws -> SocketAddress, shutdown: @escaping @Sendable () async -> Void
    ) async throws {
        let address = try await start()
        printLine("\(title) \"\(name)\" listening on \(address.ipAddress ?? host):\(address.port ?? port)")
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: StartedServiceRunner(shutdown: shutdown))]
        if let metrics { services.append(.init(service: metrics)) }
        try await ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )).run()
    }
}

/// Keeps a started service until shutdown.
private struct StartedServiceRunner: Service {
    let shutdown: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
