import Foundation
import TesseraStorage

/// pgbench's built-in TPC-B-like script against a given server: the baseline that Tessera's
/// transactional stores are compared with, on the same server in the same run.
public struct PgbenchBaseline: Sendable {
    public let postgres: EmbeddedPostgres

    public init(postgres: EmbeddedPostgres) {
        self.postgres = postgres
    }

    /// Creates and fills the `pgbench` database once (scale 10: 1 M accounts rows).
    public func prepare(scale: Int = 10) throws {
        _ = try? postgres.runClientTool("createdb", ["pgbench"])
        _ = try postgres.runClientTool("pgbench", ["-i", "-q", "-s", "\(scale)", "pgbench"])
    }

    /// Transactions per second with `clients` connections for `seconds`.
    public func run(clients: Int, seconds: Int) throws -> Double {
        let output = try postgres.runClientTool("pgbench", [
            "-c", "\(clients)", "-j", "\(min(clients, 2))", "-T", "\(seconds)", "-n", "pgbench",
        ])
        for line in output.split(separator: "\n") where line.hasPrefix("tps = ") {
            let number = line.dropFirst(6).prefix { $0.isNumber || $0 == "." }
            if let tps = Double(number) { return tps }
        }
        throw PgbenchError.noResult(output)
    }
}

public enum PgbenchError: Error, CustomStringConvertible {
    case noResult(String)

    public var description: String {
        switch self {
        case .noResult(let output): "pgbench printed no tps line: \(output)"
        }
    }
}
