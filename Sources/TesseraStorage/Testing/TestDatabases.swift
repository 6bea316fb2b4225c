import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Throwaway databases for tests and scenarios: one private cluster per process, started on
/// first use and stopped when the process exits, and a fresh, migrated database per caller.
public enum TestDatabases {
    private static let cluster = Mutex<EmbeddedPostgres?>(nil)
    private static let starting = Mutex<Task<EmbeddedPostgres, Error>?>(nil)

    /// A new empty database with every migration of `migrationsDirectory` applied.
    public static func fresh(migrationsDirectory: String, logger: Logger = Logger(label: "tessera.test-db")) async throws -> DatabaseSettings {
        let postgres = try await sharedCluster(logger: logger)
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var admin = postgres.settings
        admin.database = "postgres"
        try await withDatabase(admin, logger: logger) { client in
            _ = try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var settings = postgres.settings
        settings.database = name
        let files = try MigrationFile.load(directory: migrationsDirectory)
        try await withDatabase(settings, logger: logger) { client in
            try await Migrator(files: files, logger: logger).migrate(client)
        }
        return settings
    }

    /// The process's cluster (started once, fsync off, deleted at exit).
    public static func sharedCluster(logger: Logger) async throws -> EmbeddedPostgres {
        if let running = cluster.withLock({ $0 }) { return running }
        let task = starting.withLock { task -> Task<EmbeddedPostgres, Error> in
            if let task { return task }
            let started = Task {
                let directory = NSTemporaryDirectory() + "tessera-test-pg-\(getpid())-\(UUID().uuidString.prefix(8))"
                let postgres = try await EmbeddedPostgres.start(dataDirectory: directory, durable: false, logger: logger)
                cluster.withLock { $0 = postgres }
                atexit { TestDatabases.stopAtExit() }
                return postgres
            }
            task = started
            return started
        }
        return try await task.value
    }

    private static func stopAtExit() {
        cluster.withLock { $0 }?.destroy()
    }
}
