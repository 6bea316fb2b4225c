import Foundation
import Logging
import PostgresNIO
import Testing
import TesseraLocalGrid
import TesseraTesting
import TesseraStorage

/// Issue 13, item 9: `tessera up` printed the local operator's admin token into its log. It now
/// writes the token to an owner-only file and prints only that file's path.
@Suite("tessera up's local admin token")
struct AdminConsoleLocalAdminTests {
    @Test("the token goes to an owner-only file that authenticates; what is printed names the file and never holds the token")
    func tokenIsNeverPrinted() async throws {
        var logger = Logger(label: "tessera.console-test")
        logger.logLevel = .warning
        let settings = try await TestDatabases.fresh(migrationsDirectory: migrationsDirectory, logger: logger)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-local-admin-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await withDatabase(settings, logger: logger) { client in
            let accounts = AccountStore(client: client, logger: logger, hasher: PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1))
            let admins = AdminStore(client: client, logger: logger)
            var tokens: [String] = []
            for _ in 0..<2 {
                let path = try await LocalAdmin.issueToken(admins: admins, accounts: accounts, stateDirectory: state)
                #expect(path == "\(state)/admin-token")
                let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
                #expect(permissions == 0o600, "owner-only: \(String(permissions ?? 0, radix: 8))")
                let token = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(try await admins.authenticate(token)?.name == LocalAdmin.accountName)
                let printed = LocalAdmin.announcement(base: "http://127.0.0.1:9280", tokenPath: path)
                #expect(printed.contains { $0.contains(path) })
                #expect(!printed.contains { $0.contains(token) || $0.contains("tsa_") }, "\(printed)")
                tokens.append(token)
            }
            #expect(tokens[0] != tokens[1], "a fresh token at each start, the file replaced")
            #expect(!FileManager.default.fileExists(atPath: "\(state)/admin-token.new"))
        }
    }
}
