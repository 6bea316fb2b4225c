import Foundation
import Logging
import NIOPosix

/// A private PostgreSQL cluster run from Debian's binaries: its own data directory, a private
/// socket directory, a free loopback port, trust authentication for the local `tessera`
/// superuser. `tessera up` keeps its data between runs; tests use throwaway clusters.
/// As root, `initdb`, `pg_ctl` and the server run as the `postgres` user (initdb refuses root).
public final class EmbeddedPostgres: Sendable {
    public let dataDirectory: String
    public let socketDirectory: String
    public let port: Int
    public let user = "tessera"
    public let database = "tessera"
    private let binaries: String
    private let runAsPostgres: Bool
    /// False when another process started the server: then `stop` leaves it running.
    private let owned: Bool
    private let logger: Logger

    /// Initialises the cluster if `dataDirectory` holds none, starts it and creates the
    /// `tessera` database if missing. With `durable: false` (tests) fsync is off.
    public static func start(dataDirectory: String, durable: Bool = true, logger: Logger) async throws -> EmbeddedPostgres {
        let binaries = try findBinaries()
        let runAsPostgres = getuid() == 0
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let socketDirectory = dataDirectory + "/sockets"
        try fileManager.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        if runAsPostgres { try run("/bin/chown", ["-R", "postgres:postgres", dataDirectory]) }
        try run("/bin/chmod", ["700", dataDirectory])
        let cluster = dataDirectory + "/cluster"
        if let port = runningPort(cluster: cluster) {
            // Another process (say `tessera up`) runs this cluster: use it, leave it running.
            logger.info("using the embedded PostgreSQL another process runs", metadata: ["port": "\(port)"])
            return EmbeddedPostgres(
                dataDirectory: dataDirectory, socketDirectory: socketDirectory, port: port,
                binaries: binaries, runAsPostgres: runAsPostgres, owned: false, logger: logger)
        }
        let embedded = EmbeddedPostgres(
            dataDirectory: dataDirectory, socketDirectory: socketDirectory, port: try freePort(),
            binaries: binaries, runAsPostgres: runAsPostgres, logger: logger
        )
        if !fileManager.fileExists(atPath: cluster + "/PG_VERSION") {
            logger.info("initialising embedded PostgreSQL", metadata: ["directory": "\(cluster)"])
            try embedded.tool("initdb", ["-D", cluster, "-U", "tessera", "--auth=trust", "-E", "UTF8", "--no-instructions"])
        }
        var options = "-p \(embedded.port) -k \(socketDirectory) -c listen_addresses=127.0.0.1"
        if !durable { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
        try embedded.tool("pg_ctl", ["-D", cluster, "-l", cluster + "/server.log", "-o", options, "-w", "-t", "60", "start"])
        try embedded.tool("psql", [
            "-h", "127.0.0.1", "-p", "\(embedded.port)", "-U", "tessera", "-d", "postgres", "-tAc",
            "SELECT 1 FROM pg_database WHERE datname = 'tessera'",
        ], expectOutput: "1") ?? embedded.tool("createdb", ["-h", "127.0.0.1", "-p", "\(embedded.port)", "-U", "tessera", "tessera"])
        logger.info("embedded PostgreSQL running", metadata: ["port": "\(embedded.port)"])
        return embedded
    }

    /// The port of the server running `cluster`, if a live process runs it (its
    /// postmaster.pid names the process on line 1 and the port on line 4).
    private static func runningPort(cluster: String) -> Int? {
        guard let text = try? String(contentsOfFile: cluster + "/postmaster.pid", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, let pid = pid_t(lines[0].trimmingCharacters(in: .whitespaces)), pid > 0,
            let port = Int(lines[3].trimmingCharacters(in: .whitespaces)), kill(pid, 0) == 0
        else { return nil }
        return port
    }

    private init(
        dataDirectory: String, socketDirectory: String, port: Int, binaries: String, runAsPostgres: Bool, owned: Bool = true, logger: Logger
    ) {
        self.owned = owned
        self.dataDirectory = dataDirectory
        self.socketDirectory = socketDirectory
        self.port = port
        self.binaries = binaries
        self.runAsPostgres = runAsPostgres
        self.logger = logger
    }

    public var settings: DatabaseSettings {
        DatabaseSettings(host: "127.0.0.1", port: port, user: user, password: nil, database: database)
    }

    /// Stops the server (fast shutdown: open transactions roll back).
    public func stop() {
        guard owned else { return }
        do {
            try tool("pg_ctl", ["-D", dataDirectory + "/cluster", "-m", "fast", "-w", "stop"])
        } catch {
            logger.warning("embedded PostgreSQL did not stop cleanly", metadata: ["error": "\(error)"])
        }
    }

    /// Stops the server and deletes its files (throwaway test clusters).
    public func destroy() {
        stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Stops the server that a process which has died left running in `dataDirectory`, if one
    /// still runs, and deletes the directory (throwaway test clusters). The shutdown is
    /// immediate: nothing in such a cluster is worth a checkpoint. When the server cannot be
    /// stopped the directory is kept, so that no server is left running without its files.
    public static func destroyAbandoned(dataDirectory: String, logger: Logger) throws {
        let embedded = EmbeddedPostgres(
            dataDirectory: dataDirectory, socketDirectory: dataDirectory + "/sockets", port: 0,
            binaries: try findBinaries(), runAsPostgres: getuid() == 0, logger: logger
        )
        let cluster = dataDirectory + "/cluster"
        // `pg_ctl status` fails unless a server is running on that data directory.
        if (try? embedded.tool("pg_ctl", ["-D", cluster, "status"])) != nil {
            try embedded.tool("pg_ctl", ["-D", cluster, "-m", "immediate", "-w", "stop"])
        }
        try FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Runs one of the cluster's client tools (`pgbench`, `psql`, …) against this server and
    /// returns what it printed.
    public func runClientTool(_ name: String, _ arguments: [String]) throws -> String {
        try tool(name, ["-h", "127.0.0.1", "-p", "\(port)", "-U", user] + arguments) ?? ""
    }

    /// Runs one of the cluster's binaries, as `postgres` when we are root. When
    /// `expectOutput` is given, returns nil unless the trimmed output equals it.
    @discardableResult
    func tool(_ name: String, _ arguments: [String], expectOutput: String? = nil) throws -> String? {
        let path = binaries + "/" + name
        let output = runAsPostgres
            ? try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
            : try Self.run(path, arguments)
        if let expectOutput { return output.trimmingCharacters(in: .whitespacesAndNewlines) == expectOutput ? output : nil }
        return output
    }

    /// Runs a command to completion and returns what it printed. Output goes through a
    /// temporary file, not a pipe: `pg_ctl start` leaves a server running that would inherit a
    /// pipe's write end and keep the read from ever ending. posix_spawn and waitpid are used
    /// directly because Foundation's `Process.waitUntilExit` can miss the exit of a child on
    /// Linux when called from a Swift concurrency thread.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let outputPath = NSTemporaryDirectory() + "tessera-cmd-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(executable, arguments, outputPath: outputPath)
        } catch let error as ChildProcess.SpawnError {
            throw EmbeddedPostgresError.commandFailed(executable, error.reason)
        }
        let succeeded = ChildProcess.wait(pid)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard succeeded else {
            throw EmbeddedPostgresError.commandFailed("\(executable) \(arguments.joined(separator: " "))", text)
        }
        return text
    }

    /// The newest Debian PostgreSQL installation (/usr/lib/postgresql/N/bin).
    static func findBinaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard let newest = versions.compactMap(Int.init).max(),
            FileManager.default.isExecutableFile(atPath: "\(root)/\(newest)/bin/initdb")
        else {
            throw EmbeddedPostgresError.notInstalled
        }
        return "\(root)/\(newest)/bin"
    }

    /// A loopback port nobody listens on now.
    static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        return channel.localAddress?.port ?? 0
    }
}

public enum EmbeddedPostgresError: Error, CustomStringConvertible {
    case notInstalled
    case commandFailed(String, String)

    public var description: String {
        switch self {
        case .notInstalled:
            "PostgreSQL is not installed (no /usr/lib/postgresql/N/bin/initdb); install Debian's postgresql package, or configure a database URL"
        case .commandFailed(let command, let output):
            "\(command) failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}
