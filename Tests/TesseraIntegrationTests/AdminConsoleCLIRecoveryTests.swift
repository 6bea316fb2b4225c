import Foundation
import Logging
import PostgresNIO
import Testing
import TesseraStorage
import TesseraTesting

/// Issue 13, item 9 and contract item 8, through the real executable: a grid whose every admin
/// was disabled (what the schema fuzzer did before the last admin was kept) is recovered with
/// `tessera user` and `tessera admin` given only `--config`, run from a directory that holds
/// neither the config nor the migrations.
@Suite("Recovering the admins from the command line", .serialized)
struct AdminConsoleCLIRecoveryTests {
    static let binary = RegionNodeKillTests.repository.appendingPathComponent(".build/debug/tessera").path

    /// Runs `tessera ARGUMENTS` in `directory`; its exit status and standard output.
    static func tessera(_ arguments: [String], in directory: String) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory, isDirectory: true)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        // Its output is a few lines: it fits the pipe, so reading after the exit cannot block it.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume() }
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.isRunning ? -1 : process.terminationStatus, text)
    }

    @Test("with every admin disabled: user list shows it, user enable and admin token create recover, the old token stays dead, and the last admin cannot be disabled")
    func recoverFromTheCommandLine() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build --build-tests")
        var logger = Logger(label: "tessera.console-test")
        logger.logLevel = .warning
        let settings = try await TestDatabases.fresh(migrationsDirectory: migrationsDirectory, logger: logger)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-recovery-\(UUID().uuidString)").path
        for folder in ["grid", "elsewhere"] { try FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(atPath: root) }
        let user = settings.user.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? settings.user
        // The password is never in the config itself: it sits in a file beside it.
        let passwordLine = settings.password.map { _ in "password_file = \"db-password\"\n" } ?? ""
        if let secret = settings.password { try secret.write(toFile: "\(root)/grid/db-password", atomically: true, encoding: .utf8) }
        // No migrations_directory: the executable's package has them; the working directory does not.
        try """
            [grid]
            name = "Recovery"
            secret = "sixteen-chars-ok"

            [database]
            url = "postgres://\(user)@\(settings.host):\(settings.port)/\(settings.database)"
            \(passwordLine)

            [[region_node]]
            name = "node"
            port = 9100

              [[region_node.region]]
              name = "Only"
              position = [7, 8]

            [[client_manager]]
            name = "edge"
            port = 9000
            """.write(toFile: "\(root)/grid/grid.toml", atomically: true, encoding: .utf8)
        let config = ["--config", "\(root)/grid/grid.toml"]
        let elsewhere = "\(root)/elsewhere"

        let oldToken = try await withDatabase(settings, logger: logger) { client in
            let accounts = AccountStore(client: client, logger: logger, hasher: PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1))
            let admins = AdminStore(client: client, logger: logger)
            _ = try await accounts.create(name: "Root", password: "root password")
            try await admins.setAdmin(name: "Root", true)
            let (_, token) = try await admins.createToken(forAdmin: "Root")
            // The state the fuzzer left: the only admin disabled, its token never revoked.
            _ = try await client.query("UPDATE accounts SET disabled = true WHERE name = 'Root'", logger: logger)
            return token
        }

        let listed = try await Self.tessera(["user", "list"] + config, in: elsewhere)
        #expect(listed.status == 0)
        let rootLine = listed.output.split(separator: "\n").first { $0.hasPrefix("Root ") }
        #expect(rootLine.map { $0.split(separator: " ").map(String.init) } == ["Root", "yes", "yes"], "\(listed.output)")

        let enabled = try await Self.tessera(["user", "enable", "Root"] + config, in: elsewhere)
        #expect(enabled.status == 0 && enabled.output.contains("Root is enabled"), "\(enabled)")
        let created = try await Self.tessera(["admin", "token", "create", "--user", "Root", "--days", "1"] + config, in: elsewhere)
        #expect(created.status == 0)
        let newToken = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newToken.hasPrefix("tsa_"))
        let refused = try await Self.tessera(["user", "disable", "Root"] + config, in: elsewhere)
        #expect(refused.status != 0, "the last enabled admin is not disabled: \(refused)")

        try await withDatabase(settings, logger: logger) { client in
            let admins = AdminStore(client: client, logger: logger)
            #expect(try await admins.authenticate(newToken)?.name == "Root", "the new token works")
            #expect(try await admins.authenticate(oldToken) == nil, "the token from before the disable stays dead")
            let enabledAdmins = try await AccountStore(client: client, logger: logger).list(limit: 10).filter { $0.isAdmin && !$0.disabled }
            #expect(enabledAdmins.map(\.name) == ["Root"])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty, "nothing was written where the commands ran")
    }
}
