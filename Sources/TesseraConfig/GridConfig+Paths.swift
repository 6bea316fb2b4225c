import Foundation

/// Where relative paths of a config are resolved (docs/configuration.md, "Paths"): against the
/// folder of the config file, so every command given the same `--config` finds the same state
/// and migrations from any working directory. Migrations belong to the installed executable
/// rather than to the grid, so a relative `migrations_directory` is also looked for beside the
/// executable before the working directory.
public struct GridPaths: Sendable, Equatable {
    /// The folder of the config file, absolute.
    public var configDirectory: String
    /// The folder of the running executable (symbolic links resolved), when known.
    public var executableDirectory: String?
    /// The working directory, the last place a relative migrations folder is looked for.
    public var currentDirectory: String

    public init(configDirectory: String, executableDirectory: String?, currentDirectory: String) {
        self.configDirectory = configDirectory
        self.executableDirectory = executableDirectory
        self.currentDirectory = currentDirectory
    }

    /// The paths of this process for the config file at `configPath`.
    public static func current(configPath: String) -> GridPaths {
        let currentDirectory = FileManager.default.currentDirectoryPath
        let config = URL(fileURLWithPath: configPath, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let executableDirectory = executable.path == "/proc/self/exe" ? Bundle.main.executableURL?.resolvingSymlinksInPath() : executable
        return GridPaths(
            configDirectory: config.standardizedFileURL.deletingLastPathComponent().path,
            executableDirectory: executableDirectory?.deletingLastPathComponent().path,
            currentDirectory: currentDirectory)
    }

    /// A relative `path` against the config's folder; an absolute one as it is.
    public func resolve(_ path: String) -> String {
        Self.join(configDirectory, path)
    }

    /// Where a relative migrations folder `path` is looked for, in order: the config's folder;
    /// the executable's folder and its three parents (`.build/release/tessera` and
    /// `.build/<triple>/release/tessera` reach the package), each also with `share/tessera/`
    /// (`/usr/local/bin/tessera` reaches `/usr/local/share/tessera/migrations`); the working
    /// directory. An absolute path is the only candidate.
    public func migrationCandidates(_ path: String) -> [String] {
        guard !path.hasPrefix("/") else { return [path] }
        var candidates = [resolve(path)]
        if let executableDirectory {
            var folder = URL(fileURLWithPath: executableDirectory, isDirectory: true)
            for _ in 0...3 {
                candidates.append(Self.join(folder.path, path))
                candidates.append(Self.join(folder.appendingPathComponent("share/tessera").path, path))
                folder = folder.deletingLastPathComponent()
            }
        }
        candidates.append(Self.join(currentDirectory, path))
        var seen = Set<String>()
        return candidates.filter { seen.insert($0).inserted }
    }

    static func join(_ base: String, _ path: String) -> String {
        guard !path.hasPrefix("/") else { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return URL(fileURLWithPath: base, isDirectory: true).appendingPathComponent(path).standardizedFileURL.path
    }
}

extension DatabaseConfig {
    /// The state folder against the config's folder, and the first migrations candidate that
    /// is a folder (the config-relative one when none is, so the error names it).
    public func resolved(with paths: GridPaths, isDirectory: (String) -> Bool = DatabaseConfig.isDirectory) -> DatabaseConfig {
        var resolved = self
        resolved.stateDirectory = paths.resolve(stateDirectory)
        let candidates = paths.migrationCandidates(migrationsDirectory)
        resolved.migrationsDirectory = candidates.first(where: isDirectory) ?? paths.resolve(migrationsDirectory)
        return resolved
    }

    public static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}

extension GridConfig {
    /// Reads a config file like `load(path:)` and resolves its `[database]` paths and its
    /// certificate and key paths (`GridPaths`): what every command of the executable uses.
    public static func load(path: String, paths: GridPaths) throws -> GridConfig {
        var config = try load(path: path)
        config.database = config.database.resolved(with: paths)
        config.resolveCertificatePaths(with: paths)
        return config
    }

    /// The client managers' and the console's certificate and key paths against the config's folder.
    public mutating func resolveCertificatePaths(with paths: GridPaths) {
        for index in clientManagers.indices { clientManagers[index].tls = clientManagers[index].tls?.resolved(with: paths) }
        if let files = gridServices?.consoleTLS { gridServices?.consoleTLS = files.resolved(with: paths) }
    }
}
