import ArgumentParser
import Foundation
import TesseraLSL

struct LSLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsl",
        abstract: "Check and run LSL scripts.",
        discussion: "docs/lsl.md describes the language as Tessera runs it, the console host and the events file.",
        subcommands: [Check.self, Run.self]
    )

    /// The text of a script or events file; a clear error when it cannot be read or is not UTF-8.
    static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(path): cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("\(path): is not UTF-8 text")
        }
        return text
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Compiles one file, printing its diagnostics to standard error; nil when it has errors.
    static func compile(_ path: String) throws -> LSLProgram? {
        let source = try readText(path)
        switch LSLProgram.compile(source, file: path) {
        case .success(let program):
            return program
        case .failure(let failure):
            printError(failure.diagnostics.rendered(source: source))
            return nil
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile scripts and print their diagnostics.",
            discussion: "Exits 1 when any file has an error or cannot be read."
        )

        @Argument(help: "LSL script files.")
        var files: [String]

        func run() throws {
            var failed = false
            for path in files {
                do {
                    if try LSLCommand.compile(path) == nil { failed = true }
                } catch let error as ValidationError {
                    LSLCommand.printError("error: \(error.message)")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one script with a pretend object, in script time.",
            discussion: """
                Chat, print and what the world functions do go to standard output, one line each; \
                diagnostics, run-time errors and the limit notice to standard error. Exits 1 on a \
                compile or run-time error.
                """
        )

        @Argument(help: "The LSL script.")
        var file: String

        @Option(help: "An events file: touches, chat and other events at script times (docs/lsl.md).")
        var events: String?

        @Option(help: "Stop after this many seconds of script time.")
        var maxSeconds: Double = 60

        @Option(help: "Instructions per slice.")
        var budget: Int = 10_000

        @Option(help: "Seed of the script's random numbers.")
        var seed: UInt64 = 0

        func validate() throws {
            guard maxSeconds > 0, maxSeconds.isFinite else { throw ValidationError("--max-seconds must be more than 0") }
            guard budget > 0 else { throw ValidationError("--budget must be more than 0") }
        }

        func run() throws {
            var scripted: [LSLScriptedEvent] = []
            if let events {
                do {
                    scripted = try LSLEventsFile.parse(try LSLCommand.readText(events), file: events)
                } catch let error as LSLEventsFileError {
                    LSLCommand.printError("error: \(error)")
                    throw ExitCode(1)
                }
            }
            guard let program = try LSLCommand.compile(file) else { throw ExitCode(1) }
            let host = LSLConsoleHost { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            let script = LSLScript(program: program, host: host, seed: seed)
            let runner = LSLConsoleRunner(script: script, host: host, events: scripted)
            switch runner.run(maxSeconds: maxSeconds, budget: budget) {
            case .finished:
                break
            case .limitReached(let time):
                LSLCommand.printError("stopped at the limit: \(String(format: "%g", time)) seconds of script time (--max-seconds)")
            case .failed(let error, _):
                LSLCommand.printError("Script run-time error: \(error.message)")
                throw ExitCode(1)
            }
        }
    }
}
