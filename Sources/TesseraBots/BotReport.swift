import TesseraWorld
import Histogram

/// What one bot measured.
struct BotReport: Sendable {
    var welcomed = false
    var stayedToTheEnd = false
    var errors: [String] = []
    var latencyMicros = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    /// From a movement change sent to the first update of the own avatar showing it (`MoveTimer`).
    var moveLatencyMicros = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    var moveTimer = MoveTimer()
    var frames = 0
    var entityUpdates = 0
    var bytesIn = 0
    var chatHeard = 0
    /// Avatar (object motion) updates and the bytes that carried them: EntityUpdate messages
    /// for WebSocket bots, ImprovedTerseObjectUpdate datagrams for LLUDP bots.
    var avatarUpdates = 0
    var avatarUpdateBytes = 0
    /// Whether the bot saw an avatar of a bot of the swarm that uses another protocol.
    var sawOtherProtocol = false
    /// Crossings (border hand-offs that reached the client), those that failed, and each one's
    /// latency: from the moment the avatar left the old square to the first update of the new root.
    var crossings = 0
    var crossingFailures = 0
    var crossingMicros = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    /// The avatar's world position (metres from the grid's origin), as last seen.
    var worldPosition: SIMD2<Double>?
    /// The world position of the south-west corner of the region the bot logged into.
    var homeOrigin: SIMD2<Double>?
    /// Where the avatar is in its region's metres, as last seen.
    var localPosition: Vector3?
    /// The physical boxes this bot dropped and still knows of (newest last).
    var droppedBoxes: [LocalID] = []
    /// Objects within `Bot.touchReach` of the avatar, as last looked (every few frames).
    var nearbyObjects: [LocalID] = []
}

/// The swarm's summary, printed as text or (`--json`) as one JSON object.
public struct BotSummary: Sendable, Codable, Hashable {
    public struct Latency: Sendable, Codable, Hashable {
        public var p50: Double
        public var p99: Double
        public var max: Double
    }

    /// How the bots spoke: "websocket", "lludp", or both joined by "+".
    public var `protocol`: String
    public var bots: Int
    public var connected: Int
    public var failed: Int
    public var errors: Int
    /// The measured window, after the ramp and the warm-up.
    public var durationS: Double
    public var warmupS: Double
    public var latencyMs: Latency
    /// From a movement change sent to the first update of the bot's own avatar showing it, for
    /// both protocols (LLUDP bots' `latency_ms` is this too: their updates carry no frame time).
    public var moveLatencyMs: Latency
    /// Entity enters and updates received per second, all bots together.
    public var updatesPerS: Double
    public var framesPerS: Double
    public var bytesInPerBotPerS: Double
    public var chatHeard: Int
    public var crossings: Int
    public var crossingFailures: Int
    public var crossingMs: Latency
    /// Bytes of avatar updates per update (EntityUpdate messages for WebSocket bots;
    /// ImprovedTerseObjectUpdate datagrams divided by their object blocks for LLUDP bots).
    public var bytesPerAvatarUpdate: Double
    /// Bots that saw an avatar of a bot of the swarm that uses another protocol.
    public var sawOtherProtocol: Int
    /// The first few error descriptions, for a human to read.
    public var errorSamples: [String]
    /// Bots that did not stay to the end, by why: the first error the server sent them (an
    /// `Error` message or a close frame), else the first error the bot saw (a connection that
    /// failed), with the text of the reason as the key.
    public var closedReasons: [String: Int]
    /// Bots that did not stay to the end and were told no reason and saw no error.
    public var closedWithoutReason: Int

    enum CodingKeys: String, CodingKey {
        case `protocol`, bots, connected, failed, errors
        case durationS = "duration_s"
        case warmupS = "warmup_s"
        case latencyMs = "latency_ms"
        case moveLatencyMs = "move_latency_ms"
        case updatesPerS = "updates_per_s"
        case framesPerS = "frames_per_s"
        case bytesInPerBotPerS = "bytes_in_per_bot_per_s"
        case chatHeard = "chat_heard"
        case crossings
        case crossingFailures = "crossing_failures"
        case crossingMs = "crossing_ms"
        case bytesPerAvatarUpdate = "bytes_per_avatar_update"
        case sawOtherProtocol = "saw_other_protocol"
        case errorSamples = "error_samples"
        case closedReasons = "closed_reasons"
        case closedWithoutReason = "closed_without_reason"
    }

    init(reports: [BotReport], duration: Double, warmup: Double, protocol name: String = "websocket") {
        self.protocol = name
        var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        for report in reports { latency.add(report.latencyMicros) }
        let seconds = max(duration, 0.001)
        bots = reports.count
        connected = reports.filter(\.welcomed).count
        failed = reports.filter { !$0.welcomed || !$0.stayedToTheEnd }.count
        errors = reports.reduce(0) { $0 + $1.errors.count }
        durationS = duration
        warmupS = warmup
        let empty = latency.totalCount == 0
        latencyMs = Latency(
            p50: empty ? 0 : Double(latency.valueAtPercentile(50)) / 1000,
            p99: empty ? 0 : Double(latency.valueAtPercentile(99)) / 1000,
            max: empty ? 0 : Double(latency.maxRecorded) / 1000
        )
        var moves = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        for report in reports { moves.add(report.moveLatencyMicros) }
        let noMoves = moves.totalCount == 0
        moveLatencyMs = Latency(
            p50: noMoves ? 0 : Double(moves.valueAtPercentile(50)) / 1000,
            p99: noMoves ? 0 : Double(moves.valueAtPercentile(99)) / 1000,
            max: noMoves ? 0 : Double(moves.maxRecorded) / 1000
        )
        updatesPerS = Double(reports.reduce(0) { $0 + $1.entityUpdates }) / seconds
        framesPerS = Double(reports.reduce(0) { $0 + $1.frames }) / seconds
        bytesInPerBotPerS = Double(reports.reduce(0) { $0 + $1.bytesIn }) / seconds / Double(max(reports.count, 1))
        chatHeard = reports.reduce(0) { $0 + $1.chatHeard }
        var crossing = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        for report in reports { crossing.add(report.crossingMicros) }
        crossings = reports.reduce(0) { $0 + $1.crossings }
        crossingFailures = reports.reduce(0) { $0 + $1.crossingFailures }
        let none = crossing.totalCount == 0
        crossingMs = Latency(
            p50: none ? 0 : Double(crossing.valueAtPercentile(50)) / 1000,
            p99: none ? 0 : Double(crossing.valueAtPercentile(99)) / 1000,
            max: none ? 0 : Double(crossing.maxRecorded) / 1000
        )
        let avatarUpdates = reports.reduce(0) { $0 + $1.avatarUpdates }
        bytesPerAvatarUpdate = avatarUpdates == 0 ? 0 : Double(reports.reduce(0) { $0 + $1.avatarUpdateBytes }) / Double(avatarUpdates)
        sawOtherProtocol = reports.filter(\.sawOtherProtocol).count
        errorSamples = Array(reports.flatMap(\.errors).prefix(10))
        closedReasons = [:]
        closedWithoutReason = 0
        for report in reports where !report.stayedToTheEnd {
            let told = report.errors.first { $0.hasPrefix("server error") || $0.hasPrefix("closed by server") }
            if let reason = told ?? report.errors.first {
                closedReasons[reason, default: 0] += 1
            } else {
                closedWithoutReason += 1
            }
        }
    }

    /// Idle bots' summary: no latency or updates are measured, only who logged in and held on.
    /// `failed` counts the bots not welcomed or closed before the end.
    init(idleBots: Int, welcomed: Int, held: Int, errors: Int, bytesIn: Int, frames: Int, duration: Double, warmup: Double, errorSamples: [String]) {
        let none = Latency(p50: 0, p99: 0, max: 0)
        self.protocol = "websocket-idle"
        bots = idleBots
        connected = welcomed
        failed = idleBots - held
        self.errors = errors
        durationS = duration
        warmupS = warmup
        latencyMs = none
        moveLatencyMs = none
        updatesPerS = 0
        let seconds = max(duration, 0.001)
        framesPerS = Double(frames) / seconds
        bytesInPerBotPerS = Double(bytesIn) / seconds / Double(max(idleBots, 1))
        chatHeard = 0
        crossings = 0
        crossingFailures = 0
        crossingMs = none
        bytesPerAvatarUpdate = 0
        sawOtherProtocol = 0
        self.errorSamples = errorSamples
        closedReasons = [:]
        closedWithoutReason = 0
    }

    public var isClean: Bool { failed == 0 && errors == 0 && crossingFailures == 0 }
}
