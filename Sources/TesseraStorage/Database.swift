import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// Where the database is.
public struct DatabaseSettings: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// TLS to the server, as libpq's `sslmode` names it: `disable`, `require` (encrypted, the
    /// server's certificate not checked) or `verify-full` (checked against `rootCertificate`, or
    /// the system's roots, and the host name).
    public var tlsMode: TLSMode = .disable
    /// A PEM file of the authorities that may sign the server's certificate (`sslrootcert`).
    public var rootCertificate: String?

    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        case disable
        case require
        case verifyFull = "verify-full"
    }

    public init(host: String, port: Int, user: String, password: String?, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// Parses `postgres://user[:password]@host[:port]/database[?sslmode=MODE&sslrootcert=FILE]`.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty, let user = components.user
        else {
            throw DatabaseSettingsError.invalidURL(url)
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw DatabaseSettingsError.invalidURL(url) }
        self.init(host: host, port: components.port ?? 5432, user: user, password: components.password, database: database)
        for item in components.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", let value?):
                guard let mode = TLSMode(rawValue: value) else {
                    throw DatabaseSettingsError.invalidOption("sslmode", "expected disable, require or verify-full, not \(value)")
                }
                tlsMode = mode
            case ("sslrootcert", let value?) where !value.isEmpty:
                rootCertificate = value
            default:
                throw DatabaseSettingsError.invalidOption(item.name, "the URL takes only sslmode and sslrootcert")
            }
        }
        if rootCertificate != nil, tlsMode != .verifyFull {
            throw DatabaseSettingsError.invalidOption("sslrootcert", "only with sslmode=verify-full")
        }
    }

    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls
        )
        configuration.options.maximumConnections = 40
        return configuration
    }
}

extension DatabaseSettings {
    var tls: PostgresClient.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable:
            return .disable
        case .require:
            configuration.certificateVerification = .none
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
            if let rootCertificate { configuration.trustRoots = .file(rootCertificate) }
        }
        return .require(configuration)
    }
}

public enum DatabaseSettingsError: Error, CustomStringConvertible, Equatable {
    case invalidURL(String)
    case invalidOption(String, String)

    public var description: String {
        switch self {
        case .invalidURL: "expected a database URL of the form postgres://user[:password]@host[:port]/database"
        case .invalidOption(let name, let problem): "database URL option \(name): \(problem)"
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
