import Foundation
import Logging
import NIOPosix

/// A private PostgreSQL cluster run from Debian's binaries: its own data directory, a private
/// socket directory, a free loopback port. `tessera up` keeps its data between runs; tests use
/// throwaway clusters. As root, `initdb`, `pg_ctl` and the server run as the `postgres` user
/// (initdb refuses root).
///
/// Who may connect (docs/storage.md, "The embedded cluster"): over TCP on loopback only with a
/// password (scram-sha-256), as the grid's role `tessera`, which is not a superuser (it owns its
/// database and may create databases, for throwaway test databases). The password is generated
/// at the first start and kept in `<data>/grid-password` (0600). The superuser `tessera_admin`
/// can only connect through the Unix socket, whose directory only the cluster's owner can enter.
public final class EmbeddedPostgres: Sendable {
    public let dataDirectory: String
    public let socketDirectory: String
    public let port: Int
    public let user = "tessera"
    public let database = "tessera"
    /// The superuser, reachable through the private socket only.
    public static let adminUser = "tessera_admin"
    /// The grid role's generated password.
    public let password: String
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
        let password = try gridPassword(dataDirectory: dataDirectory)
        if let port = runningPort(cluster: cluster) {
            // Another process (say `tessera up`) runs this cluster: use it, leave it running.
            logger.info("using the embedded PostgreSQL another process runs", metadata: ["port": "\(port)"])
            return EmbeddedPostgres(
                dataDirectory: dataDirectory, socketDirectory: socketDirectory, port: port, password: password,
                binaries: binaries, runAsPostgres: runAsPostgres, owned: false, logger: logger)
        }
        let embedded = EmbeddedPostgres(
            dataDirectory: dataDirectory, socketDirectory: socketDirectory, port: try freePort(), password: password,
            binaries: binaries, runAsPostgres: runAsPostgres, logger: logger
        )
        let fresh = !fileManager.fileExists(atPath: cluster + "/PG_VERSION")
        if fresh {
            logger.info("initialising embedded PostgreSQL", metadata: ["directory": "\(cluster)"])
            try embedded.tool("initdb", [
                "-D", cluster, "-U", adminUser, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions",
            ])
        }
        try embedded.writeAccessRules(cluster: cluster)
        var options = "-p \(embedded.port) -k \(socketDirectory) -c listen_addresses=127.0.0.1 -c password_encryption=scram-sha-256"
        if !durable { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
        try embedded.tool("pg_ctl", ["-D", cluster, "-l", cluster + "/server.log", "-o", options, "-w", "-t", "60", "start"])
        try embedded.secureRoles()
        embedded.startGuard()
        logger.info("embedded PostgreSQL running", metadata: ["port": "\(embedded.port)"])
        return embedded
    }

    /// The grid role's password: generated once (256 random bits, hex) and kept beside the cluster.
    private static func gridPassword(dataDirectory: String) throws -> String {
        let path = dataDirectory + "/grid-password"
        if let stored = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            stored.count == 64
        {
            return stored
        }
        var generator = SystemRandomNumberGenerator()
        let password = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EmbeddedPostgresError.commandFailed("write \(path)", "cannot write the grid password")
        }
        return password
    }

    /// pg_hba.conf: the Unix socket (in a directory only the cluster's owner can enter) trusts
    /// its users; TCP on loopback needs a password; nothing else may connect.
    private func writeAccessRules(cluster: String) throws {
        let rules = """
            # Written by Tessera at every start of the embedded cluster.
            # The socket directory is private to the cluster's owner; TCP needs the grid password.
            local   all   all                  trust
            host    all   all   127.0.0.1/32   scram-sha-256
            host    all   all   ::1/128        scram-sha-256

            """
        let path = cluster + "/pg_hba.conf"
        try rules.write(toFile: path, atomically: false, encoding: .utf8)
        if runAsPostgres { try Self.run("/bin/chown", ["postgres:postgres", path]) }
    }

    /// Makes the roles what the access rules assume, on a new cluster and on one made before
    /// they existed (where `tessera` was the superuser and trusted over TCP): the superuser
    /// `tessera_admin`, the grid role `tessera` without superuser rights and with the password,
    /// and the `tessera` database owned by it.
    private func secureRoles() throws {
        let viaSocket = ["-h", socketDirectory, "-p", "\(port)", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-tA"]
        if (try? tool("psql", viaSocket + ["-U", Self.adminUser, "-c", "SELECT 1"])) == nil {
            try tool("psql", viaSocket + ["-U", user, "-c", "CREATE ROLE \(Self.adminUser) SUPERUSER LOGIN"])
        }
        // The password goes through a file only the cluster's owner reads, not the command line.
        let script = dataDirectory + "/secure-roles.sql"
        let sql = """
            SELECT 'CREATE ROLE \(user) LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(user)') \\gexec
            ALTER ROLE \(user) NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS CREATEDB LOGIN PASSWORD '\(password)';
            SELECT 'CREATE DATABASE \(database) OWNER \(user)' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '\(database)') \\gexec

            """
        guard FileManager.default.createFile(atPath: script, contents: Data(sql.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EmbeddedPostgresError.commandFailed("write \(script)", "cannot write the role script")
        }
        defer { try? FileManager.default.removeItem(atPath: script) }
        if runAsPostgres { try Self.run("/bin/chown", ["postgres:postgres", script]) }
        try tool("psql", viaSocket + ["-U", Self.adminUser, "-q", "-f", script])
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
        dataDirectory: String, socketDirectory: String, port: Int, password: String, binaries: String, runAsPostgres: Bool,
        owned: Bool = true, logger: Logger
    ) {
        self.owned = owned
        self.password = password
        self.dataDirectory = dataDirectory
        self.socketDirectory = socketDirectory
        self.port = port
        self.binaries = binaries
        self.runAsPostgres = runAsPostgres
        self.logger = logger
    }

    public var settings: DatabaseSettings {
        DatabaseSettings(host: "127.0.0.1", port: port, user: user, password: password, database: database)
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

    /// In the `tessera` executable, starts `tessera guard-postgres`: a child that stops this
    /// cluster when this process ends in any way, a crash included. Test processes, which are
    /// not `tessera`, clean up abandoned clusters themselves (`destroyAbandoned`).
    private func startGuard() {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        guard executable.lastPathComponent == "tessera" else { return }
        do {
            _ = try ChildProcess.spawn(
                executable.path, ["guard-postgres", "--parent-pid", "\(getpid())", "--data", dataDirectory],
                outputPath: NSTemporaryDirectory() + "tessera-guard-postgres-\(getpid()).log")
        } catch {
            logger.warning("could not start the database guard; a crash would leave PostgreSQL running", metadata: ["error": "\(error)"])
        }
    }

    /// Stops the cluster in `dataDirectory` if a server still runs it (fast shutdown: open
    /// transactions roll back), and keeps its files.
    public static func stopAbandoned(dataDirectory: String, logger: Logger) throws {
        try stopIfRunning(dataDirectory: dataDirectory, mode: "fast", logger: logger) {
            logger.warning("the process that ran the embedded PostgreSQL has ended; stopping it", metadata: ["directory": "\(dataDirectory)"])
        }
    }

    /// Stops the server of the cluster in `dataDirectory` with `pg_ctl stop -m mode`, if one
    /// runs (`pg_ctl status` fails unless a server runs on that data directory); `found` is
    /// called first when one does.
    private static func stopIfRunning(dataDirectory: String, mode: String, logger: Logger, found: () -> Void = {}) throws {
        let embedded = EmbeddedPostgres(
            dataDirectory: dataDirectory, socketDirectory: dataDirectory + "/sockets", port: 0, password: "",
            binaries: try findBinaries(), runAsPostgres: getuid() == 0, logger: logger
        )
        let cluster = dataDirectory + "/cluster"
        if (try? embedded.tool("pg_ctl", ["-D", cluster, "status"])) != nil {
            found()
            try embedded.tool("pg_ctl", ["-D", cluster, "-m", mode, "-w", "stop"])
        }
    }

    /// Stops the server that a process which has died left running in `dataDirectory`, if one
    /// still runs, and deletes the directory (throwaway test clusters). The shutdown is
    /// immediate: nothing in such a cluster is worth a checkpoint. When the server cannot be
    /// stopped the directory is kept, so that no server is left running without its files.
    public static func destroyAbandoned(dataDirectory: String, logger: Logger) throws {
        try stopIfRunning(dataDirectory: dataDirectory, mode: "immediate", logger: logger)
        try FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Runs one of the cluster's client tools (`pgbench`, `psql`, …) against this server and
    /// returns what it printed.
    /// Over TCP as the grid role, like the grid: the password comes from a pgpass file only the
    /// cluster's owner reads.
    public func runClientTool(_ name: String, _ arguments: [String]) throws -> String {
        let passfile = dataDirectory + "/grid-pgpass"
        do {
            let line = "127.0.0.1:\(port):*:\(user):\(password)\n"
            guard FileManager.default.createFile(atPath: passfile, contents: Data(line.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw EmbeddedPostgresError.commandFailed("write \(passfile)", "cannot write the pgpass file")
            }
            if runAsPostgres { try Self.run("/bin/chown", ["postgres:postgres", passfile]) }
        }
        return try tool(name, ["-h", "127.0.0.1", "-p", "\(port)", "-U", user] + arguments, environment: ["PGPASSFILE=\(passfile)"]) ?? ""
    }

    /// Runs one of the cluster's binaries, as `postgres` when we are root. When
    /// `expectOutput` is given, returns nil unless the trimmed output equals it.
    @discardableResult
    func tool(_ name: String, _ arguments: [String], expectOutput: String? = nil, environment: [String] = []) throws -> String? {
        let path = binaries + "/" + name
        let command = environment.isEmpty ? [path] + arguments : ["/usr/bin/env"] + environment + [path] + arguments
        let output = runAsPostgres
            ? try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--"] + command)
            : try Self.run(command[0], Array(command.dropFirst()))
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
