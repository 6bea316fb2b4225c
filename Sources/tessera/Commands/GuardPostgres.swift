import ArgumentParser
import Foundation
import Logging
import TesseraStorage

/// Started by a `tessera` process beside the embedded PostgreSQL it starts: waits until that
/// process is gone, however it ended, and stops the cluster if it still runs, so a crashed grid
/// leaves no database server behind.
struct GuardPostgres: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard-postgres",
        abstract: "Stop an embedded PostgreSQL when the process that started it ends (started by tessera itself).",
        shouldDisplay: false
    )

    @Option(help: "The process to outlive.")
    var parentPid: Int32

    @Option(help: "The embedded cluster's data directory.")
    var data: String

    func run() throws {
        ParentWatch.waitUntilGone(parent: parentPid)
        var logger = Logger(label: "tessera.guard")
        logger.logLevel = .info
        try EmbeddedPostgres.stopAbandoned(dataDirectory: data, logger: logger)
    }
}
