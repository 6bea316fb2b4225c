import ArgumentParser
import Foundation
import TesseraStorage
import NIOPosix
import ServiceLifecycle
import TesseraLocalGrid
import TesseraMetrics
import TesseraPhysicsService

struct PhysicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "physics",
        abstract: "Run the physics service: one Bullet world per attached region.",
        discussion: """
            Listens at [physics] of the config for regions, which attach over Tessera wire and exchange \
            a frame with it every simulation frame (docs/physics.md).
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
        guard var physics = config.physics else {
            throw ValidationError("\(options.config): no [physics] table")
        }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be within 0...65535, got \(port)") }
            physics.port = port
        }
        let logger = options.logger("tessera.physics")
        if let parentPid {
            ParentWatch.start(parent: parentPid) {
                logger.warning("the parent process \(parentPid) has ended; stopping")
                kill(getpid(), SIGTERM)
            }
        }
        let group = MultiThreadedEventLoopGroup.singleton
        let service = PhysicsService(settings: .init(config: physics, grid: config), group: group, logger: logger)
        let address = try await service.start()
        printLine("Physics service \"\(physics.name)\" listening on \(address.ipAddress ?? physics.host):\(address.port ?? physics.port)")
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: PhysicsServiceRunner(service: service))]
        if let metrics = MetricsServer(physics: physics, group: group, logger: logger) { services.append(.init(service: metrics)) }
        try await ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )).run()
    }
}

/// Keeps a started service until shutdown.
private struct PhysicsServiceRunner: Service {
    let service: PhysicsService

    func run() async throws {
        try? await gracefulShutdown()
        await service.shutdown()
    }
}
