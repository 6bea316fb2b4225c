import ArgumentParser
import Foundation
import NIOPosix
import Logging
import TesseraBots
import TesseraClientProtocol
import TesseraGridProtocol
import TesseraWire
import TesseraConfig
import TesseraLocalGrid

struct Bots: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Connect bots through a client manager and measure what they see.",
        discussion: """
            Each bot logs in, walks random paths and sometimes chats. Bots measure update \
            latency (receive time minus the region frame time each update carries), updates \
            and bytes received. With --protocol lludp the bots are Second Life viewers: they log \
            in through XML-RPC at the client manager's login URI and speak LLUDP; their latency is \
            from a movement change sent to the first update of their own avatar showing it \
            (docs/benchmarks.md). Prints progress while running and a summary at the end; exits \
            non-zero when any bot failed or saw a protocol error. Bots are spread in turn over the \
            client managers of --url (several, comma-separated or repeated), by default over every \
            client manager of the config. With --idle they log in and stand still, reading and \
            discarding what they are sent, to measure what idle connections cost \
            (scripts/bench-idle.sh).
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Client manager URLs, comma-separated or repeated; bots are spread over them in turn (default: every client manager of the config).")
    var url: [String] = []

    @Option(help: "Number of bots.")
    var count = 10

    @Option(help: "Seconds to measure, after the last bot has connected and the warm-up.")
    var duration = 30.0

    @Option(help: "Seconds after the last connection before measuring starts.")
    var warmup = 5.0

    @Option(help: "New connections per second while ramping up.")
    var connectRate = 250

    @Option(help: "Chance that a bot's next action is a chat line.")
    var chat = 0.1

    @Flag(help: "Print the summary as one JSON object on standard output.")
    var json = false

    @Option(help: "Bots log in as \"<prefix> 1\" ... \"<prefix> N\".")
    var namePrefix = "Bot"

    @Option(help: "Chance that a bot's next action drops a physical crate beside it or shoves the last one (0...1).")
    var physics = 0.0

    @Flag(help: "Walk paths that cross region borders and measure the crossings (with --physics, crates are dropped and shoved on the way).")
    var cross = false

    @Flag(help: "With --cross: each bot first teleports within its region to 16–40 m from the north-east corner, so it crosses from the start.")
    var crossFromCorner = false

    @Option(help: "How the bots talk: websocket, lludp (Second Life viewers), or both (taken in turn).")
    var `protocol` = "websocket"

    @Option(help: "XML-RPC login URI for LLUDP bots (default: the client manager's, http://host:port/).")
    var loginURI: String?

    @Option(help: "Client protocol version the WebSocket bots log in with (3...7; default the newest).")
    var protocolVersion: UInt16 = clientProtocolVersion

    @Option(help: "Password of the LLUDP bots' accounts \"<prefix> 1\" ... \"<prefix> N\" (create them with `tessera user create`).")
    var password: String?

    @Flag(help: "Idle bots: log in, stand still, read and discard; no moves, no chat, nothing measured but who held on (WebSocket only).")
    var idle = false

    @OptionGroup var trust: TrustOptions

    @Option(help: "Local IPv4 addresses idle bots connect from, taken in turn: a list and ranges within one /24 (127.0.0.2-127.0.0.50); default for a loopback client manager: about 1,000 bots per address from 127.0.0.2.")
    var sourceAddresses: String?

    func validate() throws {
        let most = idle ? 100_000 : 10_000
        guard count > 0, count <= most else { throw ValidationError("--count must be within 1...\(most)\(idle ? "" : " (1...100000 with --idle)")") }
        if idle, self.protocol != "websocket" { throw ValidationError("--idle bots speak WebSocket only, not --protocol \(self.protocol)") }
        if sourceAddresses != nil, !idle { throw ValidationError("--source-addresses is for --idle bots") }
        if crossFromCorner, !cross { throw ValidationError("--cross-from-corner is for --cross bots") }
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        guard (0...1).contains(chat) else { throw ValidationError("--chat must be within 0...1") }
        guard supportedClientProtocolVersions.contains(protocolVersion) else {
            throw ValidationError("--protocol-version must be within \(supportedClientProtocolVersions), got \(protocolVersion)")
        }
        guard protocols != nil else { throw ValidationError("--protocol must be websocket, lludp or both, got \(self.protocol)") }
    }

    var protocols: [BotProtocol]? {
        switch self.protocol {
        case "both": [.websocket, .lludp]
        default: BotProtocol(rawValue: self.protocol).map { [$0] }
        }
    }

    func run() async throws {
        let config = try options.load()
        let targets: [String]
        let protocols = self.protocols ?? [.websocket]
        var logins: [String] = []
        if !url.isEmpty {
            do { targets = try BotSwarm.urls(from: url) } catch { throw ValidationError("\(error)") }
        } else {
            targets = config.clientManagers.map(\.url)
            if protocols.contains(.lludp), loginURI == nil {
                for manager in config.clientManagers {
                    guard manager.lludpPort != nil else {
                        throw ValidationError("client manager \(manager.name) of \(options.config) has no lludp_port: it does not speak LLUDP")
                    }
                    // The XML-RPC login is on the client manager's HTTP port.
                    logins.append("\(manager.tls == nil ? "http" : "https")://\(manager.publicHost ?? manager.host):\(manager.port)/")
                }
            }
        }
        if idle, let secure = targets.first(where: { $0.hasPrefix("wss:") }) {
            throw ValidationError("--idle bots speak ws:// only, not \(secure)")
        }
        var logger = options.logger("tessera.bots")
        logger.logLevel = max(logger.logLevel, .warning)
        var settings = BotSwarm.Settings(
            url: targets[0], count: count, duration: .seconds(duration), warmup: .seconds(warmup),
            connectRate: connectRate, namePrefix: namePrefix, chatProbability: chat
        )
        settings.urls = targets
        settings.tls = try trust.tlsConfiguration()
        settings.cross = cross
        settings.crossFromCorner = crossFromCorner
        settings.protocolVersion = protocolVersion
        settings.protocols = protocols
        settings.loginURI = loginURI
        settings.loginURIs = logins
        settings.idle = idle
        if idle {
            // Spread over every region of the config, as the idle benchmark's avatars must be.
            settings.startRegions = config.regions.map(\.name)
            if let sourceAddresses {
                do { settings.sourceAddresses = try BotSwarm.sourceAddresses(from: sourceAddresses) } catch { throw ValidationError("\(error)") }
            } else if targets.allSatisfy({ URLComponents(string: $0)?.host?.hasPrefix("127.") == true }) {
                settings.sourceAddresses = BotSwarm.loopbackSources(count: count)
            }
        }
        guard (0...1).contains(physics) else { throw ValidationError("--physics must be within 0...1, got \(physics)") }
        settings.physicsProbability = physics
        if let services = config.gridServices {
            // WebSocket bots log in with session tokens from the grid services; LLUDP bots
            // log in as viewers do, with the password of accounts made beforehand.
            var accounts = protocols.contains(.websocket) && count > Int(GridCall.maxBotSessions)
                ? try await chunkedBotAccounts(host: services.host, port: services.port, secret: config.grid.secret, logger: logger)
                : protocols.contains(.websocket)
                ? try await botAccounts(host: services.host, port: services.port, secret: config.grid.secret, logger: logger) : []
            if protocols.contains(.lludp) {
                guard let password else { throw ValidationError("LLUDP bots need --password: the password of the accounts \"\(namePrefix) 1\" ... \"\(namePrefix) \(count)\"") }
                if accounts.isEmpty { accounts = (0..<count).map { BotAccount(name: "\(namePrefix) \($0 + 1)", credential: .password(password)) } }
                for index in accounts.indices where protocols[index % protocols.count] == .lludp {
                    accounts[index] = BotAccount(name: accounts[index].name, credential: .password(password))
                }
            }
            settings.accounts = accounts
        } else if let password {
            settings.accounts = (0..<count).map { BotAccount(name: "\(namePrefix) \($0 + 1)", credential: .password(password)) }
        }
        let swarm = BotSwarm(settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let stderr = FileHandle.standardError
        stderr.write(Data("\(count)\(idle ? " idle" : "") bots → \(targets.joined(separator: ", ")): ramp at \(connectRate)/s, warm-up \(warmup) s, measure \(duration) s\n".utf8))
        let summary = await swarm.run { progress in
            let line = String(
                format: "t=%5.1fs connected=%d frames/s=%.0f updates/s=%.0f errors=%d\n",
                progress.elapsedSeconds, progress.connected, progress.framesPerSecond, progress.updatesPerSecond, progress.errors
            )
            stderr.write(Data(line.utf8))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            printLine(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            printLine(summary.text)
        }
        if !summary.isClean { throw ExitCode(1) }
    }
}

extension Bots {
    /// Accounts and sessions for the bots, from the grid services (as an operator tool that
    /// holds the grid secret): bots log in with session tokens, so a load test measures the
    /// world, not the password hash.
    func botAccounts(host: String, port: Int, secret: String, logger: Logger) async throws -> [BotAccount] {
        try await botAccounts(host: host, port: port, secret: secret, prefix: namePrefix, count: count, logger: logger)
    }

    /// More bots than one call makes (`GridCall.maxBotSessions`): accounts "<prefix>1 1" …,
    /// "<prefix>2 1" …, one call per block of at most that many.
    func chunkedBotAccounts(host: String, port: Int, secret: String, logger: Logger) async throws -> [BotAccount] {
        let block = Int(GridCall.maxBotSessions)
        var accounts: [BotAccount] = []
        for (number, first) in stride(from: 0, to: count, by: block).enumerated() {
            accounts += try await botAccounts(
                host: host, port: port, secret: secret, prefix: "\(namePrefix)\(number + 1)", count: min(block, count - first), logger: logger)
        }
        return accounts
    }

    func botAccounts(host: String, port: Int, secret: String, prefix: String, count: Int, logger: Logger) async throws -> [BotAccount] {
        let tls = try options.load().toolTLS(logger: logger)
        let client = GridClient(
            host: host, port: port, hello: Hello(role: .tool, nodeName: GridConfig.toolNodeName("tessera-bots", tls: tls), gridSecret: secret),
            group: MultiThreadedEventLoopGroup.singleton, callTimeout: .seconds(300), tls: tls?.dialing(.grid), logger: logger)
        try await client.start(patience: .seconds(5))
        defer { client.stop() }
        guard case .sessions(let grants) = try await client.call(.botSessions(prefix: prefix, count: UInt32(count))) else {
            throw ValidationError("the grid services answered the bot sessions call with something else")
        }
        return grants.map { BotAccount(name: $0.name, credential: .sessionToken($0.token)) }
    }
}

extension BotSummary {
    var text: String {
        var lines = [
            "protocol: \(self.protocol)  bots: \(bots)  connected: \(connected)  failed: \(failed)  errors: \(errors)",
            String(format: "latency ms: p50 %.1f  p99 %.1f  max %.1f", latencyMs.p50, latencyMs.p99, latencyMs.max),
            String(format: "move latency ms: p50 %.1f  p99 %.1f  max %.1f", moveLatencyMs.p50, moveLatencyMs.p99, moveLatencyMs.max),
            String(format: "updates/s: %.0f  frames/s: %.0f  bytes in per bot per s: %.0f  chat heard: %d", updatesPerS, framesPerS, bytesInPerBotPerS, chatHeard),
            String(format: "bytes per avatar update: %.1f  bots that saw the other protocol: %d", bytesPerAvatarUpdate, sawOtherProtocol),
            String(format: "crossings: %d  crossing failures: %d  crossing ms: p50 %.1f  p99 %.1f  max %.1f",
                   crossings, crossingFailures, crossingMs.p50, crossingMs.p99, crossingMs.max),
        ]
        for (reason, bots) in closedReasons.sorted(by: { $0.key < $1.key }) { lines.append("closed early (\(bots) bots): \(reason)") }
        if closedWithoutReason > 0 { lines.append("closed early without a reason: \(closedWithoutReason) bots") }
        lines += errorSamples.map { "error: \($0)" }
        return lines.joined(separator: "\n")
    }
}
