import Foundation
import Logging
import PostgresNIO
import Synchronization
import TesseraStorage

/// Throwaway databases for tests and scenarios: one private cluster per process, started on
/// first use and stopped when the process exits, and a fresh, migrated database per caller.
public enum TestDatabases {
    private static let cluster = Mutex<EmbeddedPostgres?>(nil)
    private static let starting = Mutex<Task<EmbeddedPostgres, Error>?>(nil)

    /// Test cluster directories are `<temporary directory>/tessera-test-pg-<pid>-<random>`.
    public static let directoryPrefix = "tessera-test-pg-"
    /// The file in a test cluster's directory that holds the id of the process owning it.
    public static let ownerFile = "owner.pid"

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
        _ = try await withDatabase(settings, logger: logger) { client in
            try await Migrator(files: files, logger: logger).migrate(client)
        }
        return settings
    }

    /// The process's cluster (started once, fsync off, deleted at exit). A test process that
    /// is killed never runs its exit handler, so each start first removes the clusters of
    /// processes that are gone.
    public static func sharedCluster(logger: Logger) async throws -> EmbeddedPostgres {
        if let running = cluster.withLock({ $0 }) { return running }
        let task = starting.withLock { task -> Task<EmbeddedPostgres, Error> in
            if let task { return task }
            let started = Task {
                removeAbandonedClusters(in: NSTemporaryDirectory(), logger: logger)
                let directory = NSTemporaryDirectory() + directoryPrefix + "\(getpid())-\(UUID().uuidString.prefix(8))"
                try claim(directory)
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

    /// Creates a cluster directory and records `owner` (this process) in it.
    public static func claim(_ directory: String, owner: pid_t = getpid()) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "\(owner)\n".write(toFile: directory + "/" + ownerFile, atomically: true, encoding: .utf8)
    }

    /// Stops and deletes the test clusters in `parent` whose owning process no longer exists.
    /// A directory without an owner file is left alone: its process may be claiming it now.
    /// A reused process id counts as alive, so a cluster may be kept too long, never deleted
    /// under a running test.
    public static func removeAbandonedClusters(in parent: String, logger: Logger) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for name in names where name.hasPrefix(directoryPrefix) {
            let directory = URL(fileURLWithPath: parent).appendingPathComponent(name).path
            guard let text = try? String(contentsOfFile: directory + "/" + ownerFile, encoding: .utf8),
                let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), !isRunning(owner)
            else { continue }
            do {
                try EmbeddedPostgres.destroyAbandoned(dataDirectory: directory, logger: logger)
                logger.info("removed an abandoned test cluster", metadata: ["directory": "\(directory)", "owner": "\(owner)"])
            } catch {
                logger.warning("could not remove an abandoned test cluster", metadata: ["directory": "\(directory)", "error": "\(error)"])
            }
        }
    }

    private static func isRunning(_ process: pid_t) -> Bool {
        kill(process, 0) == 0 || errno == EPERM
    }

    private static func stopAtExit() {
        cluster.withLock { $0 }?.destroy()
    }
}
