import Crypto
import Foundation
import Logging
import PostgresNIO

/// One numbered SQL file of `migrations/`.
public struct MigrationFile: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String
    public var checksum: [UInt8]

    /// Every `NNNN_name.sql` of `directory`, by number; other files are ignored, a duplicate
    /// number is an error.
    public static func load(directory: String) throws -> [MigrationFile] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw MigrationError.noDirectory(directory)
        }
        var files: [MigrationFile] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            let digits = name.prefix { $0.isNumber }
            guard digits.count == 4, let version = Int(digits), name.dropFirst(4).first == "_",
                name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
                let data = FileManager.default.contents(atPath: directory + "/" + name)
            else {
                throw MigrationError.badFileName(name)
            }
            guard !files.contains(where: { $0.version == version }) else { throw MigrationError.duplicateVersion(version) }
            files.append(MigrationFile(
                version: version, name: name, sql: String(decoding: data, as: UTF8.self), checksum: Array(SHA256.hash(data: data))
            ))
        }
        return files.sorted { $0.version < $1.version }
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case noDirectory(String)
    case badFileName(String)
    case duplicateVersion(Int)
    case edited(String)
    case unknownApplied(Int)

    public var description: String {
        switch self {
        case .noDirectory(let path): "no migrations directory at \(path)"
        case .badFileName(let name): "\(name): migration files are named NNNN_name.sql"
        case .duplicateVersion(let version): "two migration files have number \(version)"
        case .edited(let name): "\(name) was edited after it was applied; add a new migration instead"
        case .unknownApplied(let version): "the database has migration \(version) applied, but no file has that number"
        }
    }
}

/// Applies the missing migrations, each in its own transaction, and records them with their
/// checksum. Concurrent migrators (two processes starting at once) serialise on an advisory
/// lock; the second finds nothing left to do.
public struct Migrator: Sendable {
    public let files: [MigrationFile]
    let logger: Logger

    public init(files: [MigrationFile], logger: Logger) {
        self.files = files
        self.logger = logger
    }

    /// Returns the names of the files applied now (empty when the database was up to date).
    @discardableResult
    public func migrate(_ client: PostgresClient) async throws -> [String] {
        try await client.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(7268657373657261)", logger: logger)
            do {
                let applied = try await apply(on: connection)
                _ = try await connection.query("SELECT pg_advisory_unlock(7268657373657261)", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(7268657373657261)", logger: logger)
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection) async throws -> [String] {
        _ = try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum BYTEA NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """, logger: logger)
        var recorded: [Int: (String, [UInt8])] = [:]
        let rows = try await connection.query("SELECT version, name, checksum FROM schema_migrations", logger: logger)
        for try await (version, name, checksum) in rows.decode((Int, String, ByteBuffer).self) {
            recorded[version] = (name, Array(checksum.readableBytesView))
        }
        for (version, _) in recorded where !files.contains(where: { $0.version == version }) {
            throw MigrationError.unknownApplied(version)
        }
        for file in files {
            if let (_, checksum) = recorded[file.version], checksum != file.checksum {
                throw MigrationError.edited(file.name)
            }
        }
        var appliedNow: [String] = []
        for file in files where recorded[file.version] == nil {
            // The file and its record commit together or not at all.
            let statements = SQLStatements.split(file.sql)
            try await connection.withTransaction(logger: logger) { transaction in
                for statement in statements {
                    _ = try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                _ = try await transaction.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(file.version), \(file.name), \(ByteBuffer(bytes: file.checksum)))",
                    logger: logger
                )
            }
            logger.info("applied migration", metadata: ["file": "\(file.name)"])
            appliedNow.append(file.name)
        }
        return appliedNow
    }
}
