import Foundation
import TesseraWorld

/// The typed form of a grid config file (grid-config/*.toml, documented in
/// docs/configuration.md). Loaded and validated once at start; nothing reads raw keys later.
public struct GridConfig: Sendable, Hashable {
    public var file: String
    public var grid: GridSection
    public var regionNodes: [RegionNodeConfig]
    public var clientManagers: [ClientManagerConfig]
    public var database: DatabaseConfig
    /// Where the grid services listen; nil runs regions and client managers without them
    /// (no accounts, persistence or inventory: a development mode).
    public var gridServices: GridServicesConfig?
    /// The physics service every region attaches to; nil: regions move things kinematically.
    public var physics: PhysicsServiceConfig?
    /// The script service every region attaches to; nil: regions run no scripts.
    public var scripts: ScriptServiceConfig? = nil
    /// The grid's certificates (`[tls]`): every Tessera wire link is mutual TLS when set.
    public var tls: TLSConfig? = nil

    public struct GridSection: Sendable, Hashable {
        public var name: String
        /// Shared by every internal link; never logged. From `secret_file`, the environment
        /// (`TESSERA_GRID_SECRET`), or — on a loopback-only grid — `secret`; empty when the grid
        /// runs with TLS and gives none.
        public var secret: String
        /// Where new arrivals land.
        public var defaultRegion: String
    }

    public var regions: [RegionConfig] { regionNodes.flatMap(\.regions) }

    public var defaultRegion: RegionConfig? {
        regions.first { $0.name == grid.defaultRegion }
    }
}

/// The grid's certificates (`[tls]`, docs/security.md): a folder holding the authority's
/// `ca.pem` and each node's `NODE.pem` and `NODE-key.pem`, as `tessera certs` writes them.
public struct TLSConfig: Sendable, Hashable {
    /// Absolute once loaded (relative paths are against the config's folder).
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }
}

/// Where the grid's PostgreSQL is: a URL, or (when none is set) an embedded cluster kept
/// under `stateDirectory`.
public struct DatabaseConfig: Sendable, Hashable {
    /// Never with a password in it (the config refuses one).
    public var url: String?
    public var stateDirectory: String
    public var migrationsDirectory: String
    /// Where the password is, read only by the processes that open the database
    /// (`connectionURL()`), so the same config serves hosts without the file.
    public var passwordFile: String?
    /// `TESSERA_DATABASE_PASSWORD` as the config was read; wins over `passwordFile`.
    public var environmentPassword: String?

    public init(url: String? = nil, stateDirectory: String = "state", migrationsDirectory: String = "migrations") {
        self.url = url
        self.stateDirectory = stateDirectory
        self.migrationsDirectory = migrationsDirectory
    }

    /// `url` (or `override`, a URL given some other way) with the password of
    /// `TESSERA_DATABASE_PASSWORD` or of `password_file`, read now; nil without a URL.
    public func connectionURL(override: String? = nil) throws -> String? {
        guard let url = override ?? url else { return nil }
        let password: String
        if let value = environmentPassword, !value.isEmpty {
            password = value
        } else if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile), let text = String(data: data, encoding: .utf8) else {
                throw DatabasePasswordError(path: passwordFile)
            }
            password = text.trimmingCharacters(in: .newlines)
        } else {
            return url
        }
        guard var components = URLComponents(string: url), components.password == nil else { return url }
        components.password = password
        return components.string ?? url
    }
}

/// The database password file could not be read when the database was opened.
public struct DatabasePasswordError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var description: String { "[database] password_file: cannot read \(path)" }

    public init(path: String) {
        self.path = path
    }
}

public struct GridServicesConfig: Sendable, Hashable {
    public var name: String
    public var host: String
    public var port: Int
    /// How long a login's session token stays valid.
    public var sessionLifetimeSeconds: Int
    /// The admin REST console's port (HTTP, on `host`); nil runs no console.
    public var consolePort: Int?
    /// The console's certificate and key (`console_tls_certificate`, `console_tls_key`): with
    /// them the console is HTTPS only; nil: plain HTTP.
    public var consoleTLS: ServerTLSFiles? = nil
}

/// A server certificate and its private key for a public port (the client manager's, the
/// console's): PEM files, paths resolved against the config's folder (`GridConfig.load(path:paths:)`).
/// Both keys are set or neither; the files are read and checked when the server starts
/// (`ServerCertificate` in TesseraTLS), and their errors name these keys.
public struct ServerTLSFiles: Sendable, Hashable {
    /// The certificate chain: the server's certificate first, then any intermediates.
    public var certificate: String
    /// The private key of the first certificate.
    public var key: String
    /// The config file and the dotted keys the paths came from, for errors.
    public var configFile: String
    public var certificateSetting: String
    public var keySetting: String

    public init(certificate: String, key: String, configFile: String, certificateSetting: String, keySetting: String) {
        self.certificate = certificate
        self.key = key
        self.configFile = configFile
        self.certificateSetting = certificateSetting
        self.keySetting = keySetting
    }

    /// An error about the certificate file (`aboutKey` false) or the key file.
    public func error(aboutKey: Bool, _ problem: String) -> ConfigError {
        ConfigError(file: configFile, key: aboutKey ? keySetting : certificateSetting, problem: problem)
    }

    /// The paths against the config's folder.
    public func resolved(with paths: GridPaths) -> ServerTLSFiles {
        var resolved = self
        resolved.certificate = paths.resolve(certificate)
        resolved.key = paths.resolve(key)
        return resolved
    }
}

public struct PhysicsServiceConfig: Sendable, Hashable {
    public var name: String
    public var host: String
    public var port: Int
    /// Fixed steps per second of every world.
    public var stepRate: Int
    /// The most fixed steps one region frame may take (a late region does not spiral).
    public var maxSubsteps: Int
    /// The HTTP port of this node's `/metrics` endpoint (Prometheus text, on `host`); nil serves none.
    public var metricsPort: Int? = nil
}

public struct ScriptServiceConfig: Sendable, Hashable {
    public var name: String
    public var host: String
    public var port: Int
    /// Microseconds all scripts of one region may run per region frame.
    public var frameBudgetMicros: Int
    /// Instructions one script runs before the next one's turn.
    public var sliceInstructions: Int
    /// The HTTP port of this node's `/metrics` endpoint (Prometheus text, on `host`); nil serves none.
    public var metricsPort: Int? = nil
}

public struct RegionNodeConfig: Sendable, Hashable {
    public var name: String
    public var host: String
    public var port: Int
    public var regions: [RegionConfig]
    /// The HTTP port of this node's `/metrics` endpoint (Prometheus text, on `host`); nil serves none.
    public var metricsPort: Int? = nil
}

public struct RegionConfig: Sendable, Hashable {
    public var name: String
    public var gridPosition: GridPosition
    public var frameRate: Int
    public var viewDistance: Double
    public var maxAvatars: Int
    public var maxObjects: Int
    /// Objects one owner may have in the region (built or rezzed), so one account cannot fill it.
    public var maxObjectsPerOwner: Int = 1000
    /// Arrivals land within this many metres of the region's centre.
    public var spawnRadius: Double
    /// Seconds between scene flushes to storage.
    public var flushIntervalSeconds: Double
    /// Entities this close to a border are ghosted to the neighbour (default: the view distance, at most 128 m).
    public var ghostMargin: Double
    public var terrain: Terrain
}

public struct ClientManagerConfig: Sendable, Hashable {
    public var name: String
    public var host: String
    public var port: Int
    /// Update frames per second sent to each client (separate from the simulation rate).
    public var updateRate: Int
    public var maxClients: Int
    /// Per-client cap on one update frame; what does not fit waits for the next tick.
    public var maxBytesPerTick: Int
    /// The least the adaptive budget gives one update frame (`min_bytes_per_tick`): a client
    /// that cannot drain this much is closed as too slow when a write stalls.
    public var minBytesPerTick: Int = 2048
    /// Per-client bound on queued events (enter/leave, chat, replies); past it the client is
    /// disconnected as too slow.
    public var maxQueuedEvents: Int
    public var loginTimeoutSeconds: Double
    /// How long one update frame may wait for a client that does not read before the client
    /// is closed as too slow.
    public var writeStallSeconds: Double = 10
    /// How long a connection may take to send its HTTP request head (the WebSocket upgrade or
    /// another request); also how long an HTTP connection may stay idle after a response.
    public var requestTimeoutSeconds: Double = 10
    /// Connections not yet in the world (before and during their login); more are closed at once.
    public var maxPendingClients: Int = 1000
    /// The HTTP port of this node's `/metrics` endpoint (Prometheus text, on `host`); nil serves none.
    public var metricsPort: Int? = nil

    /// The first UDP port of the Second Life front end (`lludp_port`): each region a viewer
    /// talks to is an endpoint of this client manager, on this port and the ones after it
    /// (0: ports the system picks). nil: no Second Life front end.
    public var lludpPort: Int? = nil
    /// The IPv4 address viewers are told to reach this client manager at (`public_host`);
    /// nil: `host`.
    public var publicHost: String? = nil
    /// The certificate and key of `port` (`tls_certificate`, `tls_key`): with them the port
    /// speaks HTTPS and WSS only (the viewer, `/ws`, the Second Life login and capabilities);
    /// nil: plain HTTP and WS.
    public var tls: ServerTLSFiles? = nil

    /// The URL a client connects to: wss:// when the port has a certificate.
    public var url: String { "\(tls == nil ? "ws" : "wss")://\(host):\(port)/ws" }
}
