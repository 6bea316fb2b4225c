import Foundation
import Logging
import PostgresNIO

/// Where the database is.
public struct DatabaseSettings: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int, user: String, password: String?, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// Parses `postgres://user[:password]@host[:port]/database`.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty, let user = components.user
        else {
            throw DatabaseSettingsError.invalidURL(url)
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw DatabaseSettingsError.invalidURL(url) }
        self.init(host: host, port: components.port ?? 5432, user: user, password: components.password, database: database)
    }

    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable
        )
        configuration.options.maximumConnections = 40
        return configuration
    }
}

public enum DatabaseSettingsError: Error, CustomStringConvertible {
    case invalidURL(String)

    public var description: String {
        switch self {
        case .invalidURL: "expected a database URL of the form postgres://user[:password]@host[:port]/database"
        }
    }
}

/// A connection pool that runs while `body` runs, and only that long. The pool runs in a
/// detached task: it must not stop on the service group's graceful shutdown by itself, since
/// `body` still writes while it shuts down (region nodes flush their scenes last).
@discardableResult
public func withDatabase<Result: Sendable>(
    _ settings: DatabaseSettings, logger: Logger, _ body: (PostgresClient) async throws -> Result
) async throws -> Result {
    let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
    let running = Task.detached { await client.run() }
    defer { running.cancel() }
    return try await body(client)
}
