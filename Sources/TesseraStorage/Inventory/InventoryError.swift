import Foundation
import Metrics
import PostgresNIO

/// What an inventory operation refuses, typed so callers can tell cases apart.
public enum InventoryError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownAccount
    case unknownFolder
    case unknownItem
    case unknownObject
    case unknownRegion
    case unknownAsset
    case notOwner
    case notAllowed(String)
    case wouldCreateCycle
    case invalidName
    case systemFolderImmutable

    public var description: String {
        switch self {
        case .unknownAccount: "no such account, or it has no inventory"
        case .unknownFolder: "no such folder in this inventory"
        case .unknownItem: "no such item"
        case .unknownObject: "no such object in the region"
        case .unknownRegion: "no such region"
        case .unknownAsset: "no such asset"
        case .notOwner: "only the owner may do that"
        case .notAllowed(let reason): "not allowed: \(reason)"
        case .wouldCreateCycle: "a folder cannot be moved into itself or into one of its descendants"
        case .invalidName: "a name must be 1 to 63 characters, not blank"
        case .systemFolderImmutable: "system folders cannot be moved, renamed or deleted"
        }
    }

    static func checkName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 63, trimmed.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw InventoryError.invalidName
        }
        return trimmed
    }
}

/// Runs `body` as one transaction; unwraps `PostgresTransactionError` so callers see the typed
/// error thrown inside (or raised by an inventory function), and retries the whole transaction
/// on deadlock or serialization failure, all within `timeout` (see `retrying`).
func inTransaction<Result: Sendable>(
    _ client: PostgresClient, logger: Logger, timeout: Duration, operation: String = #function,
    _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
) async throws -> Result {
    try await retrying(operation, kind: .transaction, timeout: timeout) {
        do {
            return try await client.withTransaction(logger: logger) { conn in try await body(conn) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }
}

/// Runs one statement as its own transaction: one round trip, where `inTransaction` needs a
/// BEGIN and a COMMIT besides. Reading the result rows is what surfaces an error raised while
/// the statement runs: PostgresNIO hands back the row stream before execution. Refusals,
/// retries and the deadline are as in `inTransaction`.
func inStatement(
    _ client: PostgresClient, logger: Logger, timeout: Duration, operation: String = #function, _ query: PostgresQuery
) async throws {
    try await retrying(operation, kind: .statement, timeout: timeout) {
        let rows = try await client.query(query, logger: logger)
        for try await _ in rows {}
    }
}

/// Runs `attempt` up to 5 times while it fails with a deadlock or serialization failure, and
/// turns a refusal raised by an inventory function into its `InventoryError`. All attempts
/// together must finish within `timeout`, else `StorageError.timedOut` names `operation` (the
/// calling store method). Timed, retries and failures counted, as `kind` (`StorageMetrics`).
private func retrying<Result: Sendable>(
    _ operation: String, kind: StorageMetrics.Kind, timeout: Duration, _ attempt: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let metrics = StorageMetrics.instruments(kind)
    let clock = ContinuousClock()
    let started = clock.now
    do {
        let result = try await withDeadline(operation, timeout: timeout) {
            var attempts = 0
            while true {
                attempts += 1
                do {
                    return try await attempt()
                } catch {
                    if attempts < 5, isRetryable(error) {
                        metrics.retries.increment()
                        continue
                    }
                    throw InventoryError(refusal: error) ?? error
                }
            }
        }
        metrics.duration.record(duration: clock.now - started)
        return result
    } catch {
        metrics.duration.record(duration: clock.now - started)
        metrics.failed(with: error)
        throw error
    }
}

extension InventoryError {
    /// The typed error behind a refusal raised by an inventory function: SQLSTATE TSINV, the
    /// case as message, the reason of `notAllowed` as detail (migrations/0007). Nil for any
    /// other error.
    init?(refusal error: any Error) {
        guard sqlState(of: error) == "TSINV", let info = (error as? PSQLError)?.serverInfo, let key = info[.message] else { return nil }
        switch key {
        case "unknown_account": self = .unknownAccount
        case "unknown_folder": self = .unknownFolder
        case "unknown_item": self = .unknownItem
        case "unknown_object": self = .unknownObject
        case "unknown_region": self = .unknownRegion
        case "not_owner": self = .notOwner
        case "not_allowed": self = .notAllowed(info[.detail] ?? "")
        default: return nil
        }
    }
}

private func isRetryable(_ error: any Error) -> Bool {
    guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else { return false }
    return state == "40P01" || state == "40001"
}

/// The SQLSTATE of a server error, if `error` is one.
func sqlState(of error: any Error) -> String? {
    (error as? PSQLError)?.serverInfo?[.sqlState]
}
