import ArgumentParser
import Foundation
import NIOPosix
import ServiceLifecycle
import TesseraConfig
import TesseraMetrics
import TesseraScriptService
import TesseraScripts
import TesseraStorage

struct ScriptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scripts",
        abstract: "Run the script service: the LSL scripts of every attached region.",
        discussion: """
            Listens at [scripts] of the config for regions, which attach over Tessera wire and exchange \
            a frame with it every region frame (docs/scripts.md).
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Listen on this port instead of the config's (0: any free port, printed at start).")
    var port: Int?

    @Option(help: ArgumentHelp("Stop when the process with this pid is no longer the parent (set by tessera up).", visibility: .hidden))
    var parentPid: Int32?

    func run() async throws {
        TesseraMetrics.bootstrap()
        let config = try options.load()
        guard var scripts = config.scripts else {
            throw ValidationError("\(options.config): no [scripts] table")
        }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be within 0...65535, got \(port)") }
            scripts.port = port
        }
        let logger = options.logger("tessera.scripts")
        if let parentPid {
            ParentWatch.start(parent: parentPid) {
                logger.warning("the parent process \(parentPid) has ended; stopping")
                kill(getpid(), SIGTERM)
            }
        }
        let group = MultiThreadedEventLoopGroup.singleton
        let service = ScriptService(settings: .init(config: scripts, grid: config), group: group, logger: logger)
        let address = try await service.start()
        printLine("Script service \"\(scripts.name)\" listening on \(address.ipAddress ?? scripts.host):\(address.port ?? scripts.port)")
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: ScriptServiceRunner(service: service))]
        if let metricsPort = scripts.metricsPort {
            services.append(.init(service: MetricsServer(host: scripts.host, port: metricsPort, name: scripts.name, group: group, logger: logger)))
        }
        try await ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )).run()
    }
}

extension ScriptService.Settings {
    init(config: ScriptServiceConfig, grid: GridConfig) {
        self.init(
            name: config.name, host: config.host, port: config.port, gridSecret: grid.grid.secret,
            engine: ScriptEngineSettings(frameBudgetNanos: UInt64(config.frameBudgetMicros) * 1000, sliceInstructions: config.sliceInstructions))
    }
}

/// Keeps a started service until shutdown.
private struct ScriptServiceRunner: Service {
    let service: ScriptService

    func run() async throws {
        try? await gracefulShutdown()
        await service.shutdown()
    }
}
