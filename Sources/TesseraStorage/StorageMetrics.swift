import Metrics
import PostgresNIO

/// The database metrics of the process (docs/metrics.md): every store call runs through
/// `inTransaction` or `inStatement`, which time it here. Made on first use, once per process.
enum StorageMetrics {
    /// How a store call reaches the database.
    enum Kind: String, Sendable {
        /// BEGIN, the body's statements, COMMIT.
        case transaction
        /// One statement as its own transaction.
        case statement
    }

    struct Instruments: Sendable {
        let duration: Metrics.Timer
        let retries: Counter
        let timeouts: Counter
        let databaseFailures: Counter

        init(_ kind: Kind) {
            let kindLabel = [("kind", kind.rawValue)]
            duration = Metrics.Timer(label: "tessera_db_transaction_seconds", dimensions: kindLabel)
            retries = Counter(label: "tessera_db_transaction_retries_total", dimensions: kindLabel)
            timeouts = Counter(label: "tessera_db_transaction_failures_total", dimensions: kindLabel + [("reason", "timeout")])
            databaseFailures = Counter(label: "tessera_db_transaction_failures_total", dimensions: kindLabel + [("reason", "database")])
        }

        /// Counts `error` as a failure unless it is a refusal: a typed error thrown by the
        /// body or raised by an inventory function rolls back by design and is no failure.
        func failed(with error: any Error) {
            switch error {
            case is StorageError: timeouts.increment()
            case is PSQLError: databaseFailures.increment()
            default: break
            }
        }
    }

    static let transaction = Instruments(.transaction)
    static let statement = Instruments(.statement)

    static func instruments(_ kind: Kind) -> Instruments {
        switch kind {
        case .transaction: transaction
        case .statement: statement
        }
    }
}
