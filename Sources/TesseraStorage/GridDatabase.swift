import Foundation
import Logging
import PostgresNIO

/// The grid's database for one process: the configured server, or an embedded cluster that
/// this process starts and stops. Migrations are applied on open.
public struct GridDatabase: Sendable {
    public let settings: DatabaseSettings
    public let embedded: EmbeddedPostgres?

    /// Opens (and migrates) the database; `url` nil means the embedded cluster under
    /// `stateDirectory/postgres`.
    public static func open(url: String?, stateDirectory: String, migrationsDirectory: String, logger: Logger) async throws -> GridDatabase {
        let files = try MigrationFile.load(directory: migrationsDirectory)
        let database: GridDatabase
        if let url {
            database = GridDatabase(settings: try DatabaseSettings(url: url), embedded: nil)
        } else {
            let directory = URL(fileURLWithPath: stateDirectory).appendingPathComponent("postgres").path
            let embedded = try await EmbeddedPostgres.start(dataDirectory: directory, logger: logger)
            database = GridDatabase(settings: embedded.settings, embedded: embedded)
        }
        do {
            try await withDatabase(database.settings, logger: logger) { client in
                try await Migrator(files: files, logger: logger).migrate(client)
            }
        } catch {
            database.close()
            throw error
        }
        return database
    }

    /// Where it is, for humans (never includes a password).
    public var summary: String {
        if let embedded { return "embedded PostgreSQL in \(embedded.dataDirectory) on 127.0.0.1:\(embedded.port)" }
        return "PostgreSQL at \(settings.host):\(settings.port)/\(settings.database)"
    }

    /// Stops the embedded cluster, if this process started one.
    public func close() {
        embedded?.stop()
    }
}
