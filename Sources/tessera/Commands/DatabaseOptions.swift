import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import TesseraStorage

/// Where the database is: a URL, or else the embedded cluster kept under `--state`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL, postgres://user[:password]@host[:port]/database (default: $TESSERA_DATABASE_URL, else an embedded cluster under --state).")
    var databaseURL: String?

    @Option(help: "Folder for the embedded PostgreSQL cluster's data (kept between runs).")
    var state = "state"

    @Option(help: "Folder of numbered SQL migrations.")
    var migrations = "migrations"

    var url: String? { databaseURL ?? ProcessInfo.processInfo.environment["TESSERA_DATABASE_URL"] }

    /// Runs `body` with a pool on a migrated database, starting (and afterwards stopping) the
    /// embedded cluster when no URL is configured.
    func withMigratedDatabase<Result: Sendable>(logger: Logger, _ body: (PostgresClient) async throws -> Result) async throws -> Result {
        let files = try MigrationFile.load(directory: migrations)
        if let url {
            return try await Self.run(try DatabaseSettings(url: url), files: files, logger: logger, body)
        }
        let embedded = try await EmbeddedPostgres.start(
            dataDirectory: URL(fileURLWithPath: state).appendingPathComponent("postgres").path, logger: logger
        )
        defer { embedded.stop() }
        return try await Self.run(embedded.settings, files: files, logger: logger, body)
    }

    private static func run<Result: Sendable>(
        _ settings: DatabaseSettings, files: [MigrationFile], logger: Logger, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        try await withDatabase(settings, logger: logger) { client in
            let applied = try await Migrator(files: files, logger: logger).migrate(client)
            if !applied.isEmpty { logger.notice("applied migrations: \(applied.joined(separator: ", "))") }
            return try await body(client)
        }
    }
}
