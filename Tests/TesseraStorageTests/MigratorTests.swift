import Foundation
import PostgresNIO
import Testing
import TesseraStorage
import TesseraTesting

@Suite("Migrations against a real PostgreSQL")
struct MigratorTests {
    @Test("a fresh database gets every file, in order, once")
    func appliesOnce() async throws {
        let settings = try await TestDatabases.fresh(migrationsDirectory: migrationsDirectory, logger: testLogger)
        let files = try MigrationFile.load(directory: migrationsDirectory)
        #expect(files.map(\.version) == files.map(\.version).sorted())
        #expect(files.count >= 5)
        try await withDatabase(settings, logger: testLogger) { client in
            let again = try await Migrator(files: files, logger: testLogger).migrate(client)
            #expect(again.isEmpty, "running twice changes nothing")
            let rows = try await client.query("SELECT version, name FROM schema_migrations ORDER BY version", logger: testLogger)
            var recorded: [String] = []
            for try await (_, name) in rows.decode((Int, String).self) { recorded.append(name) }
            #expect(recorded == files.map(\.name))
            let tables = try await client.query("SELECT count(*) FROM information_schema.tables WHERE table_name IN ('accounts', 'inventory_items', 'assets', 'regions', 'scene_objects')", logger: testLogger)
            for try await count in tables.decode(Int.self) { #expect(count == 5) }
        }
    }

    @Test("an applied file that was edited is refused, naming the file")
    func editedFileRefused() async throws {
        let directory = try copyOfMigrations()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = try await TestDatabases.fresh(migrationsDirectory: directory, logger: testLogger)
        let path = directory + "/0002_regions.sql"
        try (String(contentsOfFile: path, encoding: .utf8) + "\n-- an innocent-looking edit\n").write(toFile: path, atomically: true, encoding: .utf8)
        let files = try MigrationFile.load(directory: directory)
        _ = try await withDatabase(settings, logger: testLogger) { client in
            await #expect(throws: MigrationError.edited("0002_regions.sql")) {
                try await Migrator(files: files, logger: testLogger).migrate(client)
            }
        }
    }

    @Test("a new file is applied on the next run; a failing file leaves nothing behind")
    func newAndFailingFiles() async throws {
        let directory = try copyOfMigrations()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = try await TestDatabases.fresh(migrationsDirectory: directory, logger: testLogger)
        try "CREATE TABLE extra_a (id INT);".write(toFile: directory + "/0900_extra.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE extra_b (id INT); SELECT no_such_function();".write(toFile: directory + "/0901_broken.sql", atomically: true, encoding: .utf8)
        let files = try MigrationFile.load(directory: directory)
        try await withDatabase(settings, logger: testLogger) { client in
            await #expect(throws: (any Error).self) { try await Migrator(files: files, logger: testLogger).migrate(client) }
            let rows = try await client.query("SELECT to_regclass('extra_a') IS NOT NULL, to_regclass('extra_b') IS NOT NULL", logger: testLogger)
            for try await (a, b) in rows.decode((Bool, Bool).self) {
                #expect(a, "0900 committed on its own")
                #expect(!b, "0901 rolled back whole")
            }
            let versions = try await client.query("SELECT max(version) FROM schema_migrations", logger: testLogger)
            for try await version in versions.decode(Int.self) { #expect(version == 900) }
        }
    }

    @Test("badly named files are refused")
    func badNames() throws {
        let directory = try copyOfMigrations()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "SELECT 1;".write(toFile: directory + "/12_short.sql", atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.badFileName("12_short.sql")) { try MigrationFile.load(directory: directory) }
    }

    private func copyOfMigrations() throws -> String {
        let directory = NSTemporaryDirectory() + "tessera-migrations-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: migrationsDirectory, toPath: directory)
        return directory
    }
}
