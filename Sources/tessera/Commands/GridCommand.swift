import ArgumentParser
import Foundation
import NIOPosix
import ServiceLifecycle
import TesseraConsole
import TesseraGrid
import TesseraLocalGrid
import TesseraMetrics
import TesseraStorage

struct GridCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grid",
        abstract: "Run the grid services: accounts, sessions, region registry, inventory, assets, scene persistence.",
        discussion: """
            Listens for region nodes and client managers over Tessera wire at [grid_services] of the \
            config, on the database of [database] (its url, or $TESSERA_DATABASE_URL, or an embedded \
            PostgreSQL under its state_directory), migrated at start.
            """
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        // The admin console serves this process's /metrics (on console_port).
        TesseraMetrics.bootstrap()
        let config = try options.load()
        guard let servicesConfig = config.gridServices else {
            throw ValidationError("\(options.config): no [grid_services] table")
        }
        let logger = options.logger("tessera.grid")
        let database = try await GridDatabase.open(
            url: try config.database.connectionURL(override: config.database.url ?? ProcessInfo.processInfo.environment["TESSERA_DATABASE_URL"]),
            stateDirectory: config.database.stateDirectory, migrationsDirectory: config.database.migrationsDirectory, logger: logger
        )
        defer { database.close() }
        printLine("Database: \(database.summary)")
        try await withDatabase(database.settings, logger: logger) { client in
            let tls = try config.wireTLS(node: servicesConfig.name, role: .grid, logger: logger)
            let services = GridServices(
                settings: .init(config: servicesConfig, grid: config, tls: tls), client: client, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
            var roles: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: services)]
            if let port = servicesConfig.consolePort {
                roles.append(.init(service: AdminConsole(
                    settings: .init(host: servicesConfig.host, port: port, tls: servicesConfig.consoleTLS), admins: AdminStore(client: client, logger: logger),
                    accounts: services.operations.accounts,
                    regions: RegistryRegionDirectory(
                        registry: services.operations.regions, gridSecret: config.grid.secret, group: MultiThreadedEventLoopGroup.singleton,
                        tls: tls),
                    logins: services.operations.logins, group: MultiThreadedEventLoopGroup.singleton, logger: logger)))
            }
            try await ServiceGroup(configuration: .init(services: roles, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        }
    }
}
