import Foundation
import PostgresNIO
import Testing
import TesseraStorage
import TesseraTesting

/// Who can reach the embedded cluster: once any local OS user could connect over TCP without a
/// password, as a superuser, and read the accounts' password hashes.
@Suite("The embedded PostgreSQL needs the grid's password and gives no superuser")
struct EmbeddedPostgresAccessTests {
    /// Runs psql over TCP with no password available (an empty pgpass file, never prompting);
    /// as root, as the `nobody` OS user. Returns whether it succeeded and what it printed.
    private func psqlWithoutPassword(port: Int) throws -> (succeeded: Bool, output: String) {
        let output = NSTemporaryDirectory() + "tessera-psql-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let command = ["/usr/bin/env", "PGPASSFILE=/dev/null", "PGPASSWORD=", "psql", "-w", "-h", "127.0.0.1", "-p", "\(port)",
                       "-U", "tessera", "-d", "tessera", "-tAc", "SELECT count(*) FROM accounts"]
        let pid = getuid() == 0
            ? try ChildProcess.spawn("/usr/sbin/runuser", ["-u", "nobody", "--"] + command, outputPath: output)
            : try ChildProcess.spawn(command[0], Array(command.dropFirst()), outputPath: output)
        let succeeded = ChildProcess.wait(pid)
        return (succeeded, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    @Test("TCP without the password is refused")
    func noPasswordNoEntry() async throws {
        let cluster = try await TestDatabases.sharedCluster(logger: testLogger)
        let attempt = try psqlWithoutPassword(port: cluster.port)
        #expect(!attempt.succeeded)
        #expect(attempt.output.contains("password"), "psql says a password is needed: \(attempt.output)")
    }

    @Test("the grid's role logs in with its password and is no superuser")
    func gridRoleIsNotSuperuser() async throws {
        let cluster = try await TestDatabases.sharedCluster(logger: testLogger)
        #expect(cluster.settings.password?.count == 64)
        let flags = try await withDatabase(cluster.settings, logger: testLogger) { client in
            var flags: [(Bool, Bool)] = []
            for try await row in try await client.query(
                "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user", logger: testLogger
            ).decode((Bool, Bool).self) { flags.append(row) }
            return flags
        }
        #expect(flags.count == 1)
        #expect(flags.first?.0 == false, "not a superuser")
        #expect(flags.first?.1 == false, "cannot create roles")
    }

    @Test("a wrong password is refused")
    func wrongPassword() async throws {
        let cluster = try await TestDatabases.sharedCluster(logger: testLogger)
        var settings = cluster.settings
        settings.password = String(repeating: "0", count: 64)
        await #expect(throws: (any Error).self) {
            try await withDatabase(settings, logger: testLogger) { client in
                for try await _ in try await client.query("SELECT 1", logger: testLogger) {}
            }
        }
    }
}
