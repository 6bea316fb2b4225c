import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import TesseraConfig
import TesseraStorage

/// The grid's database for the commands that work on it directly (`migrate`, `user`, `admin`):
/// the `[database]` of `--config`, found the same way as `tessera up` and `tessera grid` find
/// it (`ConfigOptions.load`); the flags override single keys.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The grid config file; its [database] says where the database, the state folder and the migrations are.")
    var config = ConfigOptions.defaultPath

    @Option(help: "PostgreSQL URL, postgres://user[:password]@host[:port]/database (default: the config's [database] url, else $TESSERA_DATABASE_URL, else the embedded cluster in the state folder).")
    var databaseURL: String?

    @Option(help: "Overrides the config's [database] state_directory: the folder of the embedded PostgreSQL cluster.")
    var state: String?

    @Option(help: "Overrides the config's [database] migrations_directory: the folder of numbered SQL migrations.")
    var migrations: String?

    /// The config's `[database]` with the flags applied. Without `--config` and without the
    /// default config file, the defaults, resolved as if a config sat in the working directory.
    func database() throws -> DatabaseConfig {
        var database: DatabaseConfig
        if config != ConfigOptions.defaultPath || FileManager.default.fileExists(atPath: config) {
            database = try ConfigOptions.load(config).database
        } else {
            let here = FileManager.default.currentDirectoryPath
            database = DatabaseConfig().resolved(with: .current(configPath: here + "/tessera.toml"))
        }
        let flags = GridPaths.current(configPath: FileManager.default.currentDirectoryPath + "/flags")
        if let state { database.stateDirectory = flags.resolve(state) }
        if let migrations { database.migrationsDirectory = flags.resolve(migrations) }
        if let url = databaseURL ?? database.url ?? ProcessInfo.processInfo.environment["TESSERA_DATABASE_URL"] { database.url = url }
        return database
    }

    /// Runs `body` with a pool on the migrated database (`GridDatabase.open`, as `tessera grid`
    /// opens it), starting and afterwards stopping the embedded cluster when there is no URL.
    func withMigratedDatabase<Result: Sendable>(logger: Logger, _ body: (PostgresClient) async throws -> Result) async throws -> Result {
        let database = try database()
        let opened = try await GridDatabase.open(
            url: try database.connectionURL(), stateDirectory: database.stateDirectory, migrationsDirectory: database.migrationsDirectory, logger: logger)
        defer { opened.close() }
        return try await withDatabase(opened.settings, logger: logger, body)
    }
}
