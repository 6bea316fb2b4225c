import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `tessera console`: the REST console's command line (`POST /console`), interactive or one
/// command at a time (`-c`).
struct ConsoleCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The grid's admin command line, over the REST console.",
        discussion: """
            Type help for the commands. Interactive lines are kept in ~/.tessera_console_history; \
            `history` lists them and `!N` runs line N again, `!!` the last. The token comes from \
            --token, else $TESSERA_ADMIN_TOKEN, else the file `admin-token` in the config's state \
            folder (written by `tessera up`). The console's address comes from --url, else the config             (https:// when its [grid_services] has console_tls_certificate); an https console's             certificate is checked against the system's authorities and --ca-file's.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .shortAndLong, help: "Run this one command, print its answer and exit (non-zero on an error).")
    var command: String?

    @Option(help: "The console's base URL, e.g. http://127.0.0.1:9280 or https://grid.example.org:9280.")
    var url: String?

    @OptionGroup var trust: TrustOptions

    @Option(help: "An admin bearer token (tessera admin token create --user NAME).")
    var token: String?

    func run() async throws {
        let config = try? options.load()
        guard let base = url ?? config.flatMap({ config in
            config.gridServices.flatMap { services in
                services.consolePort.map { "\(services.consoleTLS == nil ? "http" : "https")://\(services.host == "0.0.0.0" ? "127.0.0.1" : services.host):\($0)" }
            }
        }) else { throw ValidationError("no console address: the config has no [grid_services] console_port; give --url") }
        let stateToken = config.flatMap { try? String(contentsOfFile: "\($0.database.stateDirectory)/admin-token", encoding: .utf8) }
        guard let bearer = (token ?? ProcessInfo.processInfo.environment["TESSERA_ADMIN_TOKEN"] ?? stateToken)?
            .trimmingCharacters(in: .whitespacesAndNewlines), !bearer.isEmpty
        else { throw ValidationError("no admin token: give --token, set TESSERA_ADMIN_TOKEN, or run tessera up (it writes state/admin-token)") }
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try trust.tlsConfiguration()
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let console = RemoteConsole(client: client, base: base, token: bearer)
        // The client is shut down however the command ends (an HTTPClient must be).
        let outcome: Result<Bool, any Error>
        do {
            if let command {
                let (ok, text) = try await console.send(command)
                FileHandle.standardOutput.write(Data(text.utf8))
                outcome = .success(ok)
            } else {
                try await interactive(console, base: base)
                outcome = .success(true)
            }
        } catch {
            outcome = .failure(error)
        }
        try? await client.shutdown()
        if try !outcome.get() { throw ExitCode(1) }
    }

    private func interactive(_ console: RemoteConsole, base: String) async throws {
        let historyPath = (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.tessera_console_history"
        var history = ((try? String(contentsOfFile: historyPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        printLine("Tessera console at \(base). Type help for the commands, quit to leave.")
        while true {
            FileHandle.standardOutput.write(Data("tessera> ".utf8))
            guard var line = readLine()?.trimmingCharacters(in: .whitespaces) else { break }
            if line.isEmpty { continue }
            if ["quit", "exit"].contains(line.lowercased()) { break }
            if line == "history" {
                for (index, entry) in history.suffix(50).enumerated() { printLine("\(history.count - min(50, history.count) + index + 1)  \(entry)") }
                continue
            }
            if line.hasPrefix("!") {
                let reference = line.dropFirst()
                let recalled = reference == "!" ? history.last : Int(reference).flatMap { $0 >= 1 && $0 <= history.count ? history[$0 - 1] : nil }
                guard let recalled else {
                    printLine("no such history line: \(line)")
                    continue
                }
                line = recalled
                printLine(line)
            }
            history.append(line)
            if history.count > 1000 { history.removeFirst(history.count - 1000) }
            try? history.joined(separator: "\n").appending("\n").write(toFile: historyPath, atomically: true, encoding: .utf8)
            do {
                let (_, text) = try await console.send(line)
                FileHandle.standardOutput.write(Data(text.utf8))
            } catch {
                printLine("error: \(error)")
            }
        }
    }
}

/// `POST /console` over HTTP: answers whether it succeeded and the text to show (the
/// console's lines, or a problem document's detail).
struct RemoteConsole {
    let client: HTTPClient
    let base: String
    let token: String

    func send(_ line: String) async throws -> (Bool, String) {
        var request = HTTPClientRequest(url: base.trimmingSuffix("/") + "/console")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        // One connection per line: the console closes connections idle for 15 s, and a line
        // typed later must not race that close on a pooled one.
        request.headers.add(name: "Connection", value: "close")
        let body = try JSONEncoder().encode(["command": line])
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(30))
        } catch {
            throw ValidationError("cannot reach the console at \(base): \(error)")
        }
        let buffer = try await response.body.collect(upTo: 16 << 20)
        let text = String(buffer: buffer)
        guard response.status == .ok else {
            let problem = try? JSONDecoder().decode(ProblemText.self, from: Data(text.utf8))
            return (false, "error \(response.status.code): \(problem?.detail ?? problem?.title ?? text)\n")
        }
        return (true, text)
    }
}

private struct ProblemText: Decodable {
    var title: String?
    var detail: String?
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
