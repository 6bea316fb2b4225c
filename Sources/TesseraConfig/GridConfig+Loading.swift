import Foundation
import TOMLKit
import TesseraWorld

extension GridConfig {
    /// Reads and validates a config file; every error names the file and the key.
    public static func load(path: String) throws -> GridConfig {
        guard let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigError(file: path, key: "", problem: "cannot read the file (does it exist?)")
        }
        return try parse(text, file: path)
    }

    /// `environment` supplies `TESSERA_GRID_SECRET` and `TESSERA_DATABASE_PASSWORD`; relative
    /// `secret_file`, `password_file` and `[tls] directory` are against the file's folder.
    public static func parse(_ text: String, file: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GridConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, key: "", problem: "not valid TOML: \(error.description) at line \(error.source.begin.line)")
        }
        var root = ConfigReader(file: file, path: "", table: table)
        guard var gridReader = try root.table("grid") else { throw root.error("grid", "missing table [grid]") }
        let nodes = try root.tables("region_node").map(RegionNodeConfig.init(reading:))
        let managers = try root.tables("client_manager").map(ClientManagerConfig.init(reading:))
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let database = try root.table("database").map { try DatabaseConfig(reading: $0, folder: folder, environment: environment) } ?? DatabaseConfig()
        let tls = try root.table("tls").map { reader -> TLSConfig in
            var reader = reader
            let directory = try reader.string("directory")
            try reader.finish()
            return TLSConfig(directory: GridPaths.join(folder, directory))
        }
        let services = try root.table("grid_services").map(GridServicesConfig.init(reading:))
        let physics = try root.table("physics").map(PhysicsServiceConfig.init(reading:))
        let scripts = try root.table("scripts").map(ScriptServiceConfig.init(reading:))
        try root.finish()
        var hosts = nodes.enumerated().map { ("region_node[\($0.offset)].host", $0.element.host) }
        hosts += managers.enumerated().map { ("client_manager[\($0.offset)].host", $0.element.host) }
        hosts += [("grid_services.host", services?.host), ("physics.host", physics?.host), ("scripts.host", scripts?.host)].compactMap { key, host in
            host.map { (key, $0) }
        }
        // The grid secret in plain TCP is for one machine's loopback: beyond it, links are TLS.
        if tls == nil, let (key, host) = hosts.first(where: { !Self.isLoopback($0.1) }) {
            throw root.error("tls", "missing: \(key) is \(host), beyond loopback, so the grid's links must be mutual TLS with certificates (add [tls]; docs/security.md)")
        }

        let name = try gridReader.string("name")
        let secret = try Self.secret(reading: &gridReader, folder: folder, environment: environment, tls: tls != nil, loopback: hosts.allSatisfy { Self.isLoopback($0.1) })
        let defaultRegion = try gridReader.string("default_region", default: nodes.first?.regions.first?.name ?? "")
        try gridReader.finish()

        let config = GridConfig(
            file: file,
            grid: GridSection(name: name, secret: secret, defaultRegion: defaultRegion),
            regionNodes: nodes, clientManagers: managers, database: database, gridServices: services,
            physics: physics, scripts: scripts, tls: tls
        )
        try config.validate(defaultRegionKey: gridReader.keyPath("default_region"), rootReader: root)
        return config
    }

    private func validate(defaultRegionKey: String, rootReader: ConfigReader) throws {
        guard !regionNodes.isEmpty else { throw rootReader.error("region_node", "expected at least one [[region_node]]") }
        guard !clientManagers.isEmpty else { throw rootReader.error("client_manager", "expected at least one [[client_manager]]") }
        var names = Set<String>()
        var positions = Set<GridPosition>()
        for (nodeIndex, node) in regionNodes.enumerated() {
            for (index, region) in node.regions.enumerated() {
                let key = "region_node[\(nodeIndex)].region[\(index)]"
                guard names.insert(region.name).inserted else {
                    throw ConfigError(file: file, key: "\(key).name", problem: "region name \"\(region.name)\" is used twice")
                }
                guard positions.insert(region.gridPosition).inserted else {
                    throw ConfigError(file: file, key: "\(key).position", problem: "grid position \(region.gridPosition) is used twice")
                }
            }
        }
        guard defaultRegion != nil else {
            throw ConfigError(file: file, key: defaultRegionKey, problem: "no region named \"\(grid.defaultRegion)\"")
        }
        try validateMetricsPorts()
    }

    /// A `metrics_port` must not be another listener's port on the same host (0 picks a free
    /// port, so it never clashes).
    private func validateMetricsPorts() throws {
        var listeners: [(key: String, host: String, port: Int)] = []
        if let services = gridServices {
            listeners.append(("grid_services.port", services.host, services.port))
            if let console = services.consolePort { listeners.append(("grid_services.console_port", services.host, console)) }
        }
        if let physics {
            listeners.append(("physics.port", physics.host, physics.port))
        }
        if let scripts {
            listeners.append(("scripts.port", scripts.host, scripts.port))
        }
        for (index, node) in regionNodes.enumerated() { listeners.append(("region_node[\(index)].port", node.host, node.port)) }
        for (index, manager) in clientManagers.enumerated() {
            listeners.append(("client_manager[\(index)].port", manager.host, manager.port))
        }
        var metrics: [(key: String, host: String, port: Int)] = []
        if let port = physics?.metricsPort, let physics { metrics.append(("physics.metrics_port", physics.host, port)) }
        if let port = scripts?.metricsPort, let scripts { metrics.append(("scripts.metrics_port", scripts.host, port)) }
        for (index, node) in regionNodes.enumerated() {
            if let port = node.metricsPort { metrics.append(("region_node[\(index)].metrics_port", node.host, port)) }
        }
        for (index, manager) in clientManagers.enumerated() {
            if let port = manager.metricsPort { metrics.append(("client_manager[\(index)].metrics_port", manager.host, port)) }
        }
        for (position, entry) in metrics.enumerated() where entry.port != 0 {
            let earlier = listeners + metrics.prefix(position)
            if let clash = earlier.first(where: { $0.port == entry.port && $0.host == entry.host }) {
                throw ConfigError(file: file, key: entry.key, problem: "port \(entry.port) is already \(clash.key) on \(entry.host)")
            }
        }
    }
}

extension GridConfig {
    /// The grid secret: `TESSERA_GRID_SECRET`, else the file `secret_file` names, else the
    /// inline `secret` — which only a grid whose every host is loopback may use: a secret in a
    /// config file travels with it (copies, backups, version control). With `[tls]` the secret
    /// is optional (certificates authenticate the links).
    static func secret(reading reader: inout ConfigReader, folder: String, environment: [String: String], tls: Bool, loopback: Bool) throws -> String {
        let inline = try reader.string("secret", default: "")
        let file = try reader.string("secret_file", default: "")
        let key: String
        let secret: String
        if let value = environment["TESSERA_GRID_SECRET"], !value.isEmpty {
            (key, secret) = ("secret", value)
        } else if !file.isEmpty {
            let path = GridPaths.join(folder, file)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw reader.error("secret_file", "cannot read \(path)")
            }
            (key, secret) = ("secret_file", text.trimmingCharacters(in: .newlines))
        } else if !inline.isEmpty {
            guard loopback else {
                throw reader.error("secret", "a grid with hosts beyond loopback takes its secret from secret_file or TESSERA_GRID_SECRET, never from the config itself")
            }
            (key, secret) = ("secret", inline)
        } else {
            guard tls else { throw reader.error("secret", "missing: set secret_file (or TESSERA_GRID_SECRET), or give the grid certificates with [tls]") }
            return ""
        }
        guard secret.utf8.count >= 16 else { throw reader.error(key, "expected at least 16 characters") }
        guard secret.utf8.count <= 1024, !secret.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw reader.error(key, "expected at most 1024 characters, none of them control characters")
        }
        return secret
    }

    /// 127.0.0.0/8, ::1 and localhost.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

extension ConfigReader {
    /// The optional `metrics_port` of a node's table: absent is nil.
    mutating func metricsPort() throws -> Int? {
        // The fallback is returned unchecked, so -1 stands for "absent" without widening the range.
        let port = try int("metrics_port", in: 0...65535, default: -1)
        return port < 0 ? nil : port
    }
}

extension ConfigReader {
    /// A certificate and key pair of paths (`certificateKey`, `keyKey`): both or neither.
    mutating func serverTLS(certificate certificateKey: String, key keyKey: String) throws -> ServerTLSFiles? {
        let certificate = try string(certificateKey, default: "")
        let key = try string(keyKey, default: "")
        switch (certificate.isEmpty, key.isEmpty) {
        case (true, true): return nil
        case (false, true): throw error(keyKey, "missing; \(keyPath(certificateKey)) is set, and a certificate needs its private key (set both or neither)")
        case (true, false): throw error(certificateKey, "missing; \(keyPath(keyKey)) is set, and a private key needs its certificate (set both or neither)")
        case (false, false):
            return ServerTLSFiles(
                certificate: certificate, key: key, configFile: file, certificateSetting: keyPath(certificateKey), keySetting: keyPath(keyKey))
        }
    }
}

extension DatabaseConfig {
    init(reading reader: ConfigReader, folder: String, environment: [String: String]) throws {
        var reader = reader
        let url = try reader.string("url", default: "")
        if !url.isEmpty, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            throw reader.error("url", "expected postgres://user@host[:port]/database")
        }
        let passwordFile = try reader.string("password_file", default: "")
        if !url.isEmpty {
            guard let components = URLComponents(string: url) else { throw reader.error("url", "expected postgres://user@host[:port]/database") }
            guard components.password == nil else {
                throw reader.error("url", "holds a password; give it with password_file or TESSERA_DATABASE_PASSWORD, never in the config itself")
            }
        } else if !passwordFile.isEmpty {
            throw reader.error("password_file", "needs url: the embedded PostgreSQL takes no password")
        }
        self.init(
            url: url.isEmpty ? nil : url,
            stateDirectory: try reader.string("state_directory", default: "state"),
            migrationsDirectory: try reader.string("migrations_directory", default: "migrations")
        )
        self.passwordFile = passwordFile.isEmpty ? nil : GridPaths.join(folder, passwordFile)
        environmentPassword = environment["TESSERA_DATABASE_PASSWORD"]
        try reader.finish()
    }
}

extension GridServicesConfig {
    init(reading reader: ConfigReader) throws {
        var reader = reader
        name = try reader.string("name", default: "grid")
        host = try reader.string("host", default: "127.0.0.1")
        port = try reader.int("port", in: 0...65535)
        sessionLifetimeSeconds = try reader.int("session_lifetime_seconds", in: 60...(30 * 86400), default: 86400)
        let console = try reader.int("console_port", in: -1...65535, default: -1)
        consolePort = console < 0 ? nil : console
        consoleTLS = try reader.serverTLS(certificate: "console_tls_certificate", key: "console_tls_key")
        try reader.finish()
    }
}

extension PhysicsServiceConfig {
    init(reading reader: ConfigReader) throws {
        var reader = reader
        name = try reader.string("name", default: "physics")
        host = try reader.string("host", default: "127.0.0.1")
        port = try reader.int("port", in: 0...65535)
        stepRate = try reader.int("step_rate", in: 10...1000, default: 60)
        maxSubsteps = try reader.int("max_substeps", in: 1...32, default: 4)
        metricsPort = try reader.metricsPort()
        try reader.finish()
    }
}

extension ScriptServiceConfig {
    init(reading reader: ConfigReader) throws {
        var reader = reader
        name = try reader.string("name", default: "scripts")
        host = try reader.string("host", default: "127.0.0.1")
        port = try reader.int("port", in: 0...65535)
        frameBudgetMicros = try reader.int("frame_budget_micros", in: 100...100_000, default: 4000)
        sliceInstructions = try reader.int("slice_instructions", in: 100...1_000_000, default: 2000)
        metricsPort = try reader.metricsPort()
        try reader.finish()
    }
}

extension RegionNodeConfig {
    init(reading reader: ConfigReader) throws {
        var reader = reader
        name = try reader.string("name")
        host = try reader.string("host", default: "127.0.0.1")
        port = try reader.int("port", in: 0...65535)
        regions = try reader.tables("region").map(RegionConfig.init(reading:))
        guard !regions.isEmpty else { throw reader.error("region", "expected at least one [[region_node.region]]") }
        metricsPort = try reader.metricsPort()
        try reader.finish()
    }
}

extension RegionConfig {
    init(reading reader: ConfigReader) throws {
        var reader = reader
        name = try reader.string("name")
        guard !name.isEmpty, name.utf8.count <= maxNameBytes else {
            throw reader.error("name", "expected 1 to \(maxNameBytes) bytes")
        }
        let (x, y) = try reader.intPair("position", in: 0...1_000_000)
        guard let position = GridPosition(x: x, y: y) else {
            throw reader.error("position", "expected grid coordinates from 0 to \(GridPosition.maxCoordinate)")
        }
        gridPosition = position
        frameRate = try reader.int("frame_rate", in: 1...200, default: 45)
        viewDistance = try reader.double("view_distance", in: 1...256, default: 64)
        maxAvatars = try reader.int("max_avatars", in: 1...100_000, default: 2000)
        maxObjects = try reader.int("max_objects", in: 0...1_000_000, default: 15000)
        maxObjectsPerOwner = try reader.int("max_objects_per_owner", in: 0...1_000_000, default: 1000)
        spawnRadius = try reader.double("spawn_radius", in: 0...120, default: 48)
        flushIntervalSeconds = try reader.double("flush_interval_seconds", in: 0.1...3600, default: 30)
        ghostMargin = try reader.double("ghost_margin", in: 0...128, default: min(viewDistance, 128))
        let base = try reader.double("terrain_height", in: 0...1000, default: 21)
        let hills = try reader.tables("hill").map { reader in
            var reader = reader
            let hill = Terrain.Hill(
                x: Float(try reader.double("x", in: -256...512)), y: Float(try reader.double("y", in: -256...512)),
                radius: Float(try reader.double("radius", in: 1...512)), height: Float(try reader.double("height", in: -200...200)))
            try reader.finish()
            return hill
        }
        guard hills.count <= Terrain.maxHills else { throw reader.error("hill", "at most \(Terrain.maxHills) hills per region") }
        terrain = Terrain(base: Float(base), hills: hills)
        try reader.finish()
    }
}

extension ClientManagerConfig {
    init(reading reader: ConfigReader) throws {
        var reader = reader
        name = try reader.string("name")
        host = try reader.string("host", default: "127.0.0.1")
        port = try reader.int("port", in: 0...65535)
        updateRate = try reader.int("update_rate", in: 1...60, default: 10)
        maxClients = try reader.int("max_clients", in: 1...100_000, default: 5000)
        maxBytesPerTick = try reader.int("max_bytes_per_tick", in: 1024...(1 << 20), default: 65536)
        minBytesPerTick = try reader.int("min_bytes_per_tick", in: 128...(1 << 20), default: 2048)
        guard minBytesPerTick <= maxBytesPerTick else {
            throw reader.error("min_bytes_per_tick", "must not be above max_bytes_per_tick (\(maxBytesPerTick))")
        }
        maxQueuedEvents = try reader.int("max_queued_events", in: 16...1_000_000, default: 4096)
        loginTimeoutSeconds = try reader.double("login_timeout_seconds", in: 1...600, default: 10)
        writeStallSeconds = try reader.double("write_stall_seconds", in: 0.1...600, default: 10)
        requestTimeoutSeconds = try reader.double("request_timeout_seconds", in: 0.1...600, default: 10)
        maxPendingClients = try reader.int("max_pending_clients", in: 1...100_000, default: 1000)
        metricsPort = try reader.metricsPort()
        let lludp = try reader.int("lludp_port", in: 0...65535, default: -1)
        lludpPort = lludp < 0 ? nil : lludp
        let advertised = try reader.string("public_host", default: "")
        if !advertised.isEmpty, advertised.split(separator: ".").count != 4 || advertised.split(separator: ".").contains(where: { UInt8($0) == nil }) {
            throw reader.error("public_host", "expected a dotted IPv4 address (Second Life viewers reach regions by address, not by name), got \"\(advertised)\"")
        }
        publicHost = advertised.isEmpty ? nil : advertised
        tls = try reader.serverTLS(certificate: "tls_certificate", key: "tls_key")
        try reader.finish()
    }
}
