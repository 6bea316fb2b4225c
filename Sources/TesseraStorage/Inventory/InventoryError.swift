import Foundation
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
/// error thrown inside, and retries the whole transaction on deadlock or serialization failure.
func inTransaction<Result: Sendable>(
    _ client: PostgresClient, logger: Logger, _ body: (PostgresConnection) async throws -> Result
) async throws -> Result {
    var attempt = 0
    while true {
        attempt += 1
        do {
            return try await client.withTransaction(logger: logger) { conn in try await body(conn) }
        } catch let error as PostgresTransactionError {
            let inner = error.closureError ?? error.commitError ?? error.beginError ?? error
            if attempt < 5, isRetryable(inner) { continue }
            throw inner
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
