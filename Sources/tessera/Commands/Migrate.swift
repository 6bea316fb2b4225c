import ArgumentParser
import Foundation
import Logging
import TesseraStorage

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the missing database migrations.",
        discussion: """
            Applies the numbered SQL files of migrations/ that the database lacks, each in its \
            own transaction, and records them with a checksum. Refuses to run, naming the file, \
            when an applied file was edited. Running it twice changes nothing.
            """
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        var logger = Logger(label: "tessera.migrate")
        logger.logLevel = .notice
        do {
            try await database.withMigratedDatabase(logger: logger) { _ in }
            printLine("database is up to date")
        } catch let error as MigrationError {
            throw ValidationError("\(error)")
        }
    }
}
