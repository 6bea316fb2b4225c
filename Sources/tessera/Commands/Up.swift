import Foundation
import ArgumentParser
import Logging
import NIOPosix
import ServiceLifecycle
import TesseraLocalGrid
import TesseraMetrics

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole grid of a config on this machine.",
        discussion: """
            Starts every region node and client manager that the config describes, in one \
            process over loopback sockets (the physics and script services as child processes, \
            started again when they end), prints the URLs clients connect to (one per client manager; the \
            demo bots are spread over them all), and stops \
            cleanly on Ctrl-C or SIGTERM. With [scripts], the first start puts scripted demo \
            objects in the regions. With --bots, that many bots walk around and chat.
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Bots to run inside the grid, walking and chatting (0 for none).")
    var bots = 0

    func run() async throws {
        let config = try options.load()
        // Before any node exists: metric objects made earlier would record nothing.
        TesseraMetrics.bootstrap()
        let logger = options.logger("tessera.up")
        // The physics service runs as a process of its own (this executable, `tessera physics`),
        // started again by `tessera up` whenever it ends.
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(atPath: config.database.stateDirectory, withIntermediateDirectories: true)
        let physics = PhysicsProcess(
            executable: executable, configPath: options.config, logPath: "\(config.database.stateDirectory)/physics.log")
        // So does the script service (`tessera scripts`).
        let scripts = ScriptsProcess(
            executable: executable, configPath: options.config, logPath: "\(config.database.stateDirectory)/scripts.log")
        let grid = try LocalGrid(
            config: config, group: MultiThreadedEventLoopGroup.singleton, bots: bots, logger: logger, physicsProcess: physics,
            scriptsProcess: scripts, seedingScriptDemo: true, output: printLine)
        let services = ServiceGroup(configuration: .init(
            services: [.init(service: grid, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await services.run()
        printLine("Tessera grid stopped.")
    }
}

/// Writes a line to standard output unbuffered, so progress shows even when piped.
@Sendable func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
