import ArgumentParser
import Foundation
import Logging
import TesseraBench
import TesseraConfig
import TesseraStorage

struct InventoryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Inventory transactions per second beside pgbench's TPC-B on the same server.",
        discussion: "Starts a throwaway durable embedded PostgreSQL, runs pgbench and then gives and rez/take pairs with each client count."
    )

    @Option(help: "Concurrent client counts.")
    var clients: [Int] = [8, 32]

    @Option(help: "Seconds per measurement.")
    var seconds = 10

    @Option(help: "Folder of numbered SQL migrations (default: found as a config's migrations_directory is, beside the executable or here).")
    var migrations: String?

    func run() async throws {
        var logger = Logger(label: "tessera.bench")
        logger.logLevel = .warning
        let directory = NSTemporaryDirectory() + "tessera-bench-pg-\(UUID().uuidString.prefix(8))"
        let postgres = try await EmbeddedPostgres.start(dataDirectory: directory, durable: true, logger: logger)
        defer { postgres.destroy() }
        let here = FileManager.default.currentDirectoryPath
        let files = try MigrationFile.load(
            directory: migrations ?? DatabaseConfig().resolved(with: .current(configPath: here + "/tessera.toml")).migrationsDirectory)
        let baseline = PgbenchBaseline(postgres: postgres)
        try baseline.prepare()
        try await withDatabase(postgres.settings, logger: logger) { client in
            try await Migrator(files: files, logger: logger).migrate(client)
            for count in clients {
                let pgbench = try baseline.run(clients: count, seconds: seconds)
                let result = try await InventoryBenchmark(clients: count, seconds: Double(seconds)).run(client: client, logger: logger)
                printLine(String(
                    format: "%2d clients: inventory %.0f tx/s (%.0f gives/s, %.0f rez+take pairs/s); pgbench TPC-B %.0f tps; ratio %.2f",
                    count, result.transactionsPerSecond, result.givesPerSecond, result.rezTakePairsPerSecond, pgbench,
                    result.transactionsPerSecond / pgbench
                ))
            }
        }
    }
}
