import ArgumentParser
import NIOPosix
import ServiceLifecycle
import TesseraClientManager
import TesseraMetrics

struct ClientManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client-manager",
        abstract: "Run one client manager: the WebSocket edge that logs clients in and streams their region to them.",
        discussion: "Connects to every region node of the config and serves clients at ws://HOST:PORT/ws."
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Which [[client_manager]] to run, by name (default: the first).")
    var name: String?

    func run() async throws {
        TesseraMetrics.bootstrap()
        let config = try options.load()
        guard let managerConfig = name.map({ name in config.clientManagers.first { $0.name == name } }) ?? config.clientManagers.first else {
            throw ValidationError("\(options.config): no [[client_manager]] named \(name ?? "")")
        }
        let logger = options.logger("tessera.client-manager")
        let group = MultiThreadedEventLoopGroup.singleton
        var settings = ClientManagerSettings(config: managerConfig, grid: config)
        settings.tls = try config.wireTLS(node: managerConfig.name, role: .clientManager, logger: logger)
        let manager = ClientManager(settings: settings, group: group, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: manager)]
        if let metrics = MetricsServer(manager: managerConfig, group: group, logger: logger) { services.append(.init(service: metrics)) }
        try await ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )).run()
    }
}
