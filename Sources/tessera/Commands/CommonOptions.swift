import ArgumentParser
import Logging
import TesseraConfig

struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The grid config file.")
    var config = "grid-config/local.toml"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func load() throws -> GridConfig {
        do {
            return try GridConfig.load(path: config)
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
