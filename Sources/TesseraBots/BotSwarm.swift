import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL
import Synchronization
import TesseraClientProtocol

/// Live counters shared by every bot, for the progress line.
final class SwarmCounters: Sendable {
    let connected = Atomic<Int>(0)
    let frames = Atomic<Int>(0)
    let updates = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
}

/// An account a bot logs in as.
public struct BotAccount: Sendable, Hashable {
    public var name: String
    public var credential: Login.Credential

    public init(name: String, credential: Login.Credential) {
        self.name = name
        self.credential = credential
    }
}

/// How a bot talks to the client manager.
public enum BotProtocol: String, Sendable, CaseIterable {
    /// Tessera's own protocol (docs/client-protocol.md), over WebSocket.
    case websocket
    /// The Second Life protocol: XML-RPC login, LLUDP circuits, the event queue (docs/sl-protocol.md).
    case lludp
}

/// N bots against one or more client managers (taken in turn): connects them at a bounded
/// rate, lets them walk and chat for the duration, and summarises what they measured.
public struct BotSwarm: Sendable {
    public struct Settings: Sendable {
        /// The client managers' WebSocket URLs; bot i connects to `urls[i % urls.count]`.
        public var urls: [String]
        /// The first of `urls`; setting it makes it the only one.
        public var url: String {
            get { urls.first ?? "" }
            set { urls = [newValue] }
        }
        public var count: Int
        /// How long to measure, after the ramp and the warm-up.
        public var duration: Duration
        /// Time after the last connection before measuring starts, so the figures describe the
        /// steady state rather than the arrival of the crowd. Failures and errors count always.
        public var warmup: Duration
        /// New connections per second while ramping up.
        public var connectRate: Int
        public var namePrefix: String
        /// Chance that a bot's next action is a chat line rather than a move.
        public var chatProbability: Double
        /// Who each bot logs in as; bot i uses `accounts[i]`. Bots past the end (all of them
        /// when empty) log in as "<namePrefix> <i>" without a password, which only a grid
        /// without grid services accepts.
        public var accounts: [BotAccount] = []
        /// Walk paths that cross region borders: each bot runs toward points around the
        /// north-east corner of the region it logged into, so its crossings can be measured.
        public var cross = false
        /// With `cross`: each bot first teleports within the region it logged into to a point
        /// 16–40 m from its north-east corner, so its crossings begin at once instead of after
        /// the run from the arrival point (about 180 m away).
        public var crossFromCorner = false
        /// Regions the bots start in, taken in turn (bot i starts in `startRegions[i % count]`);
        /// empty: the client manager's default region. LLUDP bots also take a viewer start
        /// location (`uri:Region&x&y&z`).
        public var startRegions: [String] = []
        /// Chance that a walking bot's next action drops a physical box beside it or pushes
        /// the last one it dropped (so physics can be seen happening).
        public var physicsProbability: Double = 0
        /// Chance that a bot's next action touches (a click: TouchObject start, then end) an
        /// object within 10 m of it, when there is one, so touch scripts run under load.
        public var touchProbability: Double = 0.05
        /// Chance that a bot's next action is a chat line on `scriptChannel`, heard by scripts
        /// that listen there and by no avatar.
        public var channelChatProbability: Double = 0.05
        public var scriptChannel: Int32 = 7
        /// The client protocol version WebSocket bots log in with.
        public var protocolVersion: UInt16 = clientProtocolVersion
        /// The protocols the bots speak, taken in turn (bot i speaks `protocols[i % count]`).
        public var protocols: [BotProtocol] = [.websocket]
        /// Where LLUDP bots log in (XML-RPC); nil: the HTTP port of each bot's client manager
        /// (the host and port of its URL in `urls`, path `/`).
        public var loginURI: String?
        /// Where LLUDP bots log in when `loginURI` is nil, taken in turn like `urls` (bot i
        /// uses `loginURIs[i % count]`); empty: derived from each bot's URL.
        public var loginURIs: [String] = []
        /// Idle bots: each logs in, stands still and reads and discards what it is sent (no
        /// moves, no chat, nothing decoded after its `Welcome`), to measure what an idle
        /// connection costs. WebSocket only.
        public var idle = false
        /// Local addresses idle bots connect from, taken in turn (bot i binds
        /// `sourceAddresses[i % count]`, port chosen by the system), so that many connections
        /// to one server address do not run out of ephemeral ports; empty: the system's choice.
        public var sourceAddresses: [String] = []
        /// TLS for wss:// URLs (and the https:// logins of LLUDP bots): what the bots trust
        /// (`ClientTrust.configuration(caFile:)`); nil: the system's roots.
        public var tls: TLSConfiguration?
        /// The TLS server name wss:// bots send, when not the URL's host (which cannot be an IP
        /// address: the WebSocket client sends the host as the server name).
        public var serverName: String?

        public init(
            url: String, count: Int, duration: Duration, warmup: Duration = .zero, connectRate: Int = 250,
            namePrefix: String = "Bot", chatProbability: Double = 0.1
        ) {
            urls = [url]
            self.count = count
            self.duration = duration
            self.warmup = warmup
            self.connectRate = connectRate
            self.namePrefix = namePrefix
            self.chatProbability = chatProbability
        }
    }

    /// What the progress callback sees, about once a second.
    public struct Progress: Sendable {
        public var elapsedSeconds: Double
        public var connected: Int
        public var framesPerSecond: Double
        public var updatesPerSecond: Double
        public var errors: Int
    }

    public let settings: Settings
    let group: EventLoopGroup
    let logger: Logger

    public init(settings: Settings, group: EventLoopGroup, logger: Logger) {
        self.settings = settings
        self.group = group
        self.logger = logger
    }

    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async -> BotSummary {
        if settings.idle { return await runIdle(progress: progress) }
        let counters = SwarmCounters()
        let start = ContinuousClock.now
        let rampSeconds = Double(settings.count) / Double(max(settings.connectRate, 1))
        let measureFrom = start + .seconds(rampSeconds) + settings.warmup
        let deadline = measureFrom + settings.duration
        let protocols = settings.protocols.isEmpty ? [BotProtocol.websocket] : settings.protocols
        // Each bot's name by protocol, so a bot can tell the avatars of the other protocol.
        var names: [BotProtocol: Set<String>] = [:]
        for index in 0..<settings.count {
            names[protocols[index % protocols.count], default: []].insert(account(index).name)
        }
        let urls = settings.urls.isEmpty ? [""] : settings.urls
        let http: HTTPClient? = protocols.contains(.lludp) ? Self.httpClient(group: group, bots: settings.count, tls: settings.tls) : nil
        let reports = await withTaskGroup(of: BotReport?.self) { tasks -> [BotReport] in
            tasks.addTask {
                await reportProgress(counters: counters, start: start, until: deadline, progress)
                return nil
            }
            for index in 0..<settings.count {
                try? await Task.sleep(until: start + .seconds(Double(index) / Double(max(settings.connectRate, 1))))
                let account = account(index)
                let startRegion = settings.startRegions.isEmpty ? "" : settings.startRegions[index % settings.startRegions.count]
                let spoken = protocols[index % protocols.count]
                let others = names.filter { $0.key != spoken }.reduce(into: Set<String>()) { $0.formUnion($1.value) }
                let url = urls[index % urls.count]
                switch spoken {
                case .websocket:
                    let bot = Bot(
                        account: account, url: url, settings: settings, startRegion: startRegion,
                        measureFrom: measureFrom, deadline: deadline, counters: counters, group: group,
                        otherProtocolNames: others, logger: logger
                    )
                    tasks.addTask { await bot.run() }
                case .lludp:
                    guard let http else { continue }
                    let bot = LLUDPBot(
                        account: account, loginURI: settings.loginURI ?? (settings.loginURIs.isEmpty ? Self.loginURI(for: url) : settings.loginURIs[index % settings.loginURIs.count]), settings: settings, startRegion: startRegion,
                        measureFrom: measureFrom, deadline: deadline, counters: counters, group: group, http: http,
                        otherProtocolNames: others, logger: logger
                    )
                    tasks.addTask { await bot.run() }
                }
            }
            var reports: [BotReport] = []
            for await report in tasks {
                if let report { reports.append(report) }
            }
            return reports
        }
        let measured = ContinuousClock.now - measureFrom
        try? await http?.shutdown()
        var spoken: [String] = []
        for item in protocols where !spoken.contains(item.rawValue) { spoken.append(item.rawValue) }
        return BotSummary(reports: reports, duration: measured.seconds, warmup: settings.warmup.seconds, protocol: spoken.joined(separator: "+"))
    }

    /// Idle bots (`Settings.idle`): connected at the rate, held open until the deadline, then
    /// closed with 1000. No task per bot: each is one channel and a handler's few fields.
    private func runIdle(progress: @escaping @Sendable (Progress) -> Void) async -> BotSummary {
        let counters = SwarmCounters()
        let tally = IdleTally(counters: counters)
        let start = ContinuousClock.now
        let rate = Double(max(settings.connectRate, 1))
        let measureFrom = start + .seconds(Double(settings.count) / rate) + settings.warmup
        let deadline = measureFrom + settings.duration
        let urls = settings.urls.isEmpty ? [""] : settings.urls
        let channels = IdleChannels()
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await reportProgress(counters: counters, start: start, until: deadline, progress) }
            // Connections are started by a few tasks in parallel, each at its share of the rate.
            let starters = min(settings.count, 16)
            for starter in 0..<starters {
                tasks.addTask {
                    for index in stride(from: starter, to: settings.count, by: starters) {
                        try? await Task.sleep(until: start + .seconds(Double(index) / rate))
                        let source = settings.sourceAddresses.isEmpty ? nil : settings.sourceAddresses[index % settings.sourceAddresses.count]
                        let bot = IdleBot(
                            account: account(index), url: urls[index % urls.count],
                            startRegion: settings.startRegions.isEmpty ? "" : settings.startRegions[index % settings.startRegions.count],
                            sourceAddress: source, group: group, tally: tally)
                        if let channel = await bot.start() { channels.add(channel) }
                    }
                }
            }
            await tasks.waitForAll()
        }
        // Frames and bytes count over the measured window only.
        try? await Task.sleep(until: measureFrom)
        let bytesBefore = tally.bytesIn.load(ordering: .relaxed)
        let framesBefore = tally.frames.load(ordering: .relaxed)
        try? await Task.sleep(until: deadline)
        let bytesIn = tally.bytesIn.load(ordering: .relaxed) - bytesBefore
        let frames = tally.frames.load(ordering: .relaxed) - framesBefore
        // Still welcomed and open at the deadline: the bots that held on to the end.
        let held = tally.welcomed.load(ordering: .relaxed) - tally.lost.load(ordering: .relaxed)
        let open = channels.all
        for channel in open { channel.pipeline.fireUserInboundEventTriggered(IdleBotStop()) }
        for channel in open { try? await channel.closeFuture.get() }
        return BotSummary(
            idleBots: settings.count, welcomed: tally.welcomed.load(ordering: .relaxed), held: held,
            errors: tally.failures.load(ordering: .relaxed), bytesIn: bytesIn,
            frames: frames, duration: settings.duration.seconds,
            warmup: settings.warmup.seconds, errorSamples: tally.errorSamples)
    }

    /// Bot i's account: `accounts[i]`, else "<namePrefix> <i+1>" without a password.
    private func account(_ index: Int) -> BotAccount {
        index < settings.accounts.count
            ? settings.accounts[index] : BotAccount(name: "\(settings.namePrefix) \(index + 1)", credential: .password(""))
    }

    /// Client manager URLs from `--url` values: each may hold several, separated by commas
    /// (blanks around them ignored). Throws on an empty list or a URL that is not ws:// or wss://.
    public static func urls(from values: [String]) throws -> [String] {
        let urls = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !urls.isEmpty else { throw BotSettingsError("--url names no URL") }
        for url in urls {
            guard let parts = URLComponents(string: url), parts.scheme == "ws" || parts.scheme == "wss", parts.host?.isEmpty == false else {
                throw BotSettingsError("--url \(url) is not a ws:// or wss:// URL")
            }
        }
        return urls
    }

    /// Source addresses from `--source-addresses`: comma-separated IPv4 addresses or ranges
    /// `A-B` within one /24 (`127.0.0.2-127.0.0.50`).
    public static func sourceAddresses(from text: String) throws -> [String] {
        var addresses: [String] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let ends = item.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard ends.count <= 2, let first = IPv4(ends[0]), let last = IPv4(ends.last!) else {
                throw BotSettingsError("--source-addresses: \(item) is not an IPv4 address or a range A-B")
            }
            guard first.prefix == last.prefix, first.last <= last.last else {
                throw BotSettingsError("--source-addresses: the range \(item) must stay within one /24 and go upwards")
            }
            for host in first.last...last.last { addresses.append("\(first.prefix).\(host)") }
        }
        guard !addresses.isEmpty else { throw BotSettingsError("--source-addresses names no address") }
        return addresses
    }

    /// Loopback source addresses for `count` connections to a loopback server: about 1,000 per
    /// address from 127.0.0.2 on (at most 253), so ephemeral ports never run out.
    public static func loopbackSources(count: Int) -> [String] {
        let needed = min(253, max(1, (count + 999) / 1000))
        return (0..<needed).map { "127.0.0.\($0 + 2)" }
    }

    private struct IPv4 {
        var prefix: String
        var last: Int

        init?(_ text: String) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4, parts.allSatisfy({ $0.count <= 3 && UInt8($0) != nil }), let last = Int(parts[3]) else { return nil }
            prefix = parts[0..<3].joined(separator: ".")
            self.last = last
        }
    }

    /// `http://host:port/` of a WebSocket URL such as `ws://host:port/ws`.
    static func loginURI(for url: String) -> String {
        guard var parts = URLComponents(string: url) else { return url }
        parts.scheme = parts.scheme == "wss" ? "https" : "http"
        parts.path = "/"
        parts.query = nil
        return parts.string ?? url
    }

    /// One HTTP client for every LLUDP bot of the swarm: logins, seeds and event-queue long
    /// polls (one held poll per bot and region, so the pool allows several per bot).
    static func httpClient(group: EventLoopGroup, bots: Int, tls: TLSConfiguration?) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        if let tls { configuration.tlsConfiguration = tls }
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(16, bots * 3))
        configuration.timeout = .init(connect: .seconds(10))
        return HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
    }

    private func reportProgress(counters: SwarmCounters, start: ContinuousClock.Instant, until deadline: ContinuousClock.Instant, _ progress: @Sendable (Progress) -> Void) async {
        var lastFrames = 0
        var lastUpdates = 0
        var last = start
        while ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(until: min(last + .seconds(2), deadline))
            let now = ContinuousClock.now
            let frames = counters.frames.load(ordering: .relaxed)
            let updates = counters.updates.load(ordering: .relaxed)
            let seconds = max((now - last).seconds, 0.001)
            progress(Progress(
                elapsedSeconds: (now - start).seconds,
                connected: counters.connected.load(ordering: .relaxed),
                framesPerSecond: Double(frames - lastFrames) / seconds,
                updatesPerSecond: Double(updates - lastUpdates) / seconds,
                errors: counters.errors.load(ordering: .relaxed)
            ))
            lastFrames = frames
            lastUpdates = updates
            last = now
        }
    }
}

/// A bad bot setting, described for the command line.
public struct BotSettingsError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// The channels of a swarm's idle bots, closed at its end.
final class IdleChannels: Sendable {
    private let channels = Mutex<[Channel]>([])

    func add(_ channel: Channel) {
        channels.withLock { $0.append(channel) }
    }

    var all: [Channel] { channels.withLock { $0 } }
}
