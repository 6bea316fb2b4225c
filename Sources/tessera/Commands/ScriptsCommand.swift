import ArgumentParser
import Foundation
import NIOPosix
import TesseraConfig
import TesseraMetrics
import TesseraScriptService
import TesseraScripts

struct ScriptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scripts",
        abstract: "Run the script service: the LSL scripts of every attached region.",
        discussion: """
            Listens at [scripts] of the config for regions, which attach over Tessera wire and exchange \
            a frame with it every region frame (docs/scripts.md).
            """
    )

    @OptionGroup var common: ServiceCommandOptions

    func run() async throws {
        let (config, scripts, logger) = try common.load("scripts", \.scripts, port: \.port, logLabel: "tessera.scripts")
        let group = MultiThreadedEventLoopGroup.singleton
        let tls = try config.wireTLS(node: scripts.name, role: .scripts, logger: logger)
        let service = ScriptService(settings: .init(service: scripts, grid: config, tls: tls), group: group, logger: logger)
        try await ServiceCommandOptions.run(
            "Script service", name: scripts.name, host: scripts.host, port: scripts.port,
            metrics: scripts.metricsPort.map { MetricsServer(host: scripts.host, port: $0, name: scripts.name, group: group, logger: logger) },
            logger: logger, start: { try await service.start() }, shutdown: { await service.shutdown() })
    }
}
