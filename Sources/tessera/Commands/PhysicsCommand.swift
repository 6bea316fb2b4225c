import ArgumentParser
import Foundation
import NIOPosix
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

    @OptionGroup var common: ServiceCommandOptions

    func run() async throws {
        let (config, physics, logger) = try common.load("physics", \.physics, port: \.port, logLabel: "tessera.physics")
        let group = MultiThreadedEventLoopGroup.singleton
        let tls = try config.wireTLS(node: physics.name, role: .physics, logger: logger)
        let service = PhysicsService(settings: .init(config: physics, grid: config, tls: tls), group: group, logger: logger)
        try await ServiceCommandOptions.run(
            "Physics service", name: physics.name, host: physics.host, port: physics.port,
            metrics: MetricsServer(physics: physics, group: group, logger: logger), logger: logger,
            start: { try await service.start() }, shutdown: { await service.shutdown() })
    }
}
