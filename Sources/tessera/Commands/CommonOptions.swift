import ArgumentParser
import Foundation
import Logging
import TesseraConfig

struct ConfigOptions: ParsableArguments {
    static let defaultPath = "grid-config/local.toml"

    @Option(name: .long, help: "The grid config file; relative paths in its [database] are relative to its folder.")
    var config = Self.defaultPath

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func load() throws -> GridConfig {
        try Self.load(config)
    }

    /// The config at `path` with its `[database]` paths resolved (`GridPaths`): how every
    /// command finds the grid's state and migrations, from any working directory.
    static func load(_ path: String) throws -> GridConfig {
        do {
            return try GridConfig.load(path: path, paths: .current(configPath: path))
        } catch let error as ConfigError {
            throw ValidationError("\(error)")
        }
    }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
