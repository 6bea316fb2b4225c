import ArgumentParser
import NIOPosix
import ServiceLifecycle
import TesseraLocalGrid
import TesseraMetrics
import TesseraRegion

struct RegionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "region",
        abstract: "Run one region node: its regions' scenes and frame loops.",
        discussion: "Hosts the regions of one [[region_node]] of the config and accepts client managers over Tessera wire."
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Which [[region_node]] to run, by name (default: the first).")
    var node: String?

    func run() async throws {
        TesseraMetrics.bootstrap()
        let config = try options.load()
        guard let nodeConfig = node.map({ name in config.regionNodes.first { $0.name == name } }) ?? config.regionNodes.first else {
            throw ValidationError("\(options.config): no [[region_node]] named \(node ?? "")")
        }
        let logger = options.logger("tessera.region")
        let group = MultiThreadedEventLoopGroup.singleton
        let tls = try config.wireTLS(node: nodeConfig.name, role: .region, logger: logger)
        let regionNode = RegionNode(settings: .init(config: nodeConfig, grid: config, tls: tls), group: group, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: regionNode)]
        if let metrics = MetricsServer(node: nodeConfig, group: group, logger: logger) { services.append(.init(service: metrics)) }
        try await ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )).run()
    }
}
