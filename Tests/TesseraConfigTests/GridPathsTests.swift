import Foundation
import Testing
import TesseraConfig

/// Issue 13, contract item 8: every command finds the grid's state and migrations the same way
/// from the config, whatever directory it runs in (docs/configuration.md, "Paths").
@Suite struct GridPathsTests {
    /// A scratch folder tree; `folders` are made under it.
    static func scratch(_ folders: [String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-paths-\(UUID().uuidString)").path
        for folder in folders { try FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true) }
        return root
    }

    @Test("a relative state_directory is relative to the config's folder, not the working directory; an absolute one stays")
    func stateFolder() {
        let paths = GridPaths(configDirectory: "/srv/grid/grid-config", executableDirectory: nil, currentDirectory: "/home/op")
        #expect(DatabaseConfig(stateDirectory: "state").resolved(with: paths, isDirectory: { _ in false }).stateDirectory == "/srv/grid/grid-config/state")
        #expect(DatabaseConfig(stateDirectory: "../state").resolved(with: paths, isDirectory: { _ in false }).stateDirectory == "/srv/grid/state")
        #expect(DatabaseConfig(stateDirectory: "/var/lib/tessera").resolved(with: paths, isDirectory: { _ in false }).stateDirectory == "/var/lib/tessera")
    }

    @Test("migrations: beside the config first, then beside the executable (up to three folders up, or share/tessera), then the working directory")
    func migrationsSearchOrder() throws {
        let root = try Self.scratch(["repo/grid-config", "repo/migrations", "repo/.build/x86_64-unknown-linux-gnu/release", "elsewhere/migrations", "usr/bin", "usr/share/tessera/migrations", "etc/tessera"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A SwiftPM build run from another directory: found at the package root, not in the working directory.
        let build = GridPaths(configDirectory: "\(root)/repo/grid-config", executableDirectory: "\(root)/repo/.build/x86_64-unknown-linux-gnu/release", currentDirectory: "\(root)/elsewhere")
        #expect(DatabaseConfig().resolved(with: build).migrationsDirectory == "\(root)/repo/migrations")
        // An install in usr/bin with its migrations in usr/share/tessera, and the config in etc.
        let installed = GridPaths(configDirectory: "\(root)/etc/tessera", executableDirectory: "\(root)/usr/bin", currentDirectory: "\(root)/elsewhere")
        #expect(DatabaseConfig().resolved(with: installed).migrationsDirectory == "\(root)/usr/share/tessera/migrations")
        // A migrations folder beside the config wins.
        try FileManager.default.createDirectory(atPath: "\(root)/etc/tessera/migrations", withIntermediateDirectories: true)
        #expect(DatabaseConfig().resolved(with: installed).migrationsDirectory == "\(root)/etc/tessera/migrations")
        // Nothing beside the config or the executable: the working directory's.
        let bare = GridPaths(configDirectory: "\(root)/repo/grid-config", executableDirectory: "\(root)/opt/tessera/bin", currentDirectory: "\(root)/elsewhere")
        #expect(DatabaseConfig().resolved(with: bare).migrationsDirectory == "\(root)/elsewhere/migrations")
        // Nowhere: the config-relative path, so the migrator's error names where it should be.
        let nowhere = GridPaths(configDirectory: "\(root)/etc", executableDirectory: "\(root)/opt/tessera/bin", currentDirectory: "\(root)/usr")
        #expect(DatabaseConfig().resolved(with: nowhere).migrationsDirectory == "\(root)/etc/migrations")
        // An absolute migrations_directory is the only candidate.
        #expect(DatabaseConfig(migrationsDirectory: "/opt/m").resolved(with: build, isDirectory: { _ in false }).migrationsDirectory == "/opt/m")
        #expect(build.migrationCandidates("/opt/m") == ["/opt/m"])
    }

    @Test("the repository's local config, read from another working directory, names the repository's state/ and migrations/")
    func repositoryConfigFromElsewhere() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let path = "\(repository)/grid-config/local.toml"
        let paths = GridPaths(
            configDirectory: "\(repository)/grid-config", executableDirectory: "\(repository)/.build/release", currentDirectory: "/")
        let config = try GridConfig.load(path: path, paths: paths)
        #expect(config.database.stateDirectory == "\(repository)/state")
        #expect(config.database.migrationsDirectory == "\(repository)/migrations")
        #expect(FileManager.default.fileExists(atPath: "\(config.database.migrationsDirectory)/0001_accounts.sql"))
        // `current` takes the config's folder from the path as given, relative or not.
        #expect(GridPaths.current(configPath: path).configDirectory == "\(repository)/grid-config")
    }
}
