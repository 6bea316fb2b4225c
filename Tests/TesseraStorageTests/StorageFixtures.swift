import Foundation
import Logging
import PostgresNIO
import TesseraStorage
import TesseraTesting

/// The repository's migrations folder, found from this file's path.
let migrationsDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("migrations").path
}()

let testLogger: Logger = {
    var logger = Logger(label: "tessera.storage-tests")
    logger.logLevel = .warning
    return logger
}()

/// Runs `body` against a fresh, migrated database of the test cluster.
func withFreshDatabase<Result: Sendable>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
    let settings = try await TestDatabases.fresh(migrationsDirectory: migrationsDirectory, logger: testLogger)
    return try await withDatabase(settings, logger: testLogger, body)
}
