import NIOCore
import TesseraClientProtocol
import TesseraWorld

/// How a front end delivers what a session's ticks produce.
protocol SessionTransport: Sendable {
    associatedtype Sink: ClientFrameSink
    /// A fresh sink for one tick.
    func makeSink() -> Sink
    /// The most bytes one tick may carry (the per-client budget).
    func budget() -> Int
    /// Sends what one tick produced; false when the client is gone or gave up.
    func send(_ sink: Sink) async -> Bool
    /// Called every tick whether or not there was anything to send (resends, keep-alives);
    /// false when the transport found the client gone.
    func idle() async -> Bool
    /// Ends the session with `request` (announcing an error first where the protocol can).
    func close(_ request: CloseRequest) async
    /// Whether the session may rest when its view is still (`SessionRest`): false for a
    /// transport that needs `idle()` every tick.
    var mayRest: Bool { get }
}

extension SessionTransport {
    var mayRest: Bool { false }
}

/// The writing side of one session, whatever its protocol: every tick it drains the mailbox,
/// enforces the login and join deadlines, lets the client's `ClientView` decide what to send
/// within the transport's budget, and performs the close.
struct SessionTicker<Transport: SessionTransport> {
    let session: ClientSession
    let manager: ClientManager
    let transport: Transport
    /// How long the client has to log in (a WebSocket client: `login_timeout_seconds` from the
    /// connection; a viewer: from its XML-RPC login until its CompleteAgentMovement).
    var loginTimeoutSeconds: Double? = nil
    /// What the client failed to send in time, for the close reason.
    var loginStep = "Login"

    func run() async {
        let settings = manager.settings
        let clock = ContinuousClock()
        let interval = Duration.seconds(1) / settings.updateRate
        let loginTimeout = loginTimeoutSeconds ?? settings.loginTimeoutSeconds
        let loginDeadline = clock.now + .milliseconds(Int64(loginTimeout * 1000))
        let joinTimeout = Duration.milliseconds(Int64(settings.loginTimeoutSeconds * 2000))
        // Spread clients over the tick so their frames do not all leave at once.
        var next = clock.now + interval * Double.random(in: 0..<1)
        var view = ClientView()
        view.updateRate = settings.updateRate
        var budget = AdaptiveBudget(floor: settings.minBytesPerTick, ceiling: settings.maxBytesPerTick)
        let intervalSeconds = 1 / Double(max(1, settings.updateRate))
        let loop = manager.timerLoop
        var rest = SessionRest(updateRate: settings.updateRate, enabled: transport.mayRest)
        while true {
            // Woken early when a region change's first view is in (it goes out at once). A
            // session whose view has been still rests (`SessionRest`): it sleeps longer and is
            // woken by whatever could change its view.
            let restingOn = rest.shouldRest ? session.route : nil
            restingOn?.rest(session.mailbox)
            let until = restingOn == nil ? next : clock.now + SessionRest.restInterval
            await session.mailbox.sleep(until: NIODeadline.now() + .nanoseconds(Int64((until - clock.now) / .nanoseconds(1))), on: loop, resting: restingOn != nil)
            restingOn?.endRest(session.mailbox)
            if Task.isCancelled { return }
            // Woken before the rest was over: something may change the view; tick at the rate.
            if restingOn != nil, clock.now < until { rest.woke() }
            if clock.now >= next { next = max(next + interval, clock.now) }
            let (events, closure) = session.mailbox.drain()
            manager.metrics.queueDepth.record(events.count)
            var sentFrame = false
            defer { rest.tick(quiet: events.isEmpty && !sentFrame && closure == nil) }
            if session.phase == .awaitingLogin, clock.now > loginDeadline {
                return await transport.close(CloseRequest(code: .notLoggedIn, reason: "no \(loginStep) within \(loginTimeout) s"))
            }
            if session.phase == .joining, let started = session.joinStarted, clock.now > started + joinTimeout {
                return await transport.close(CloseRequest(code: .regionUnavailable, reason: "the region did not admit the avatar in time"))
            }
            if let closure, closure.peerGone { return }
            if let table = session.route?.snapshot() ?? (events.isEmpty ? nil : EntityTable()) {
                view.protocolVersion = session.protocolVersion
                var sink = transport.makeSink()
                let deferredBefore = view.deferredUpdates
                let lateBefore = view.lateRefreshes
                // A transport may shut the budget for a tick (0: a viewer that does not track
                // its new region yet); the adapted budget is kept for when it opens again.
                let ceiling = transport.budget()
                if ceiling > 0, ceiling != budget.ceiling { budget.setCeiling(ceiling) }
                if view.buildFrame(events: events, table: table, maxBytes: ceiling > 0 ? budget.current : 0, into: &sink) > 0 {
                    let started = clock.now
                    guard await transport.send(sink) else { return }
                    let waited = (clock.now - started) / .seconds(1)
                    let before = budget.current
                    budget.record(bytes: sink.bytesWritten, waited: waited, interval: intervalSeconds)
                    if budget.current < before {
                        manager.stats.budgetCuts.add(1, ordering: .relaxed)
                        manager.metrics.budgetCuts.increment()
                    }
                    sentFrame = true
                    manager.stats.framesSent.add(1, ordering: .relaxed)
                    manager.stats.bytesSent.add(sink.bytesSent, ordering: .relaxed)
                    manager.metrics.sent(bytes: sink.bytesSent)
                }
                let late = view.lateRefreshes - lateBefore
                if late > 0 {
                    manager.stats.lateRefreshes.add(late, ordering: .relaxed)
                    manager.metrics.lateRefreshes.increment(by: late)
                }
                let deferred = view.deferredUpdates - deferredBefore
                if deferred > 0 {
                    manager.stats.deferredUpdates.add(deferred, ordering: .relaxed)
                    manager.metrics.deferredUpdates.increment(by: deferred)
                }
            }
            guard await transport.idle() else { return }
            if let closure {
                if closure.code == .tooSlow {
                    manager.stats.slowClientsClosed.add(1, ordering: .relaxed)
                    manager.metrics.slowCloses.increment()
                }
                return await transport.close(closure)
            }
        }
    }
}

/// When an idle session rests: after `quietSeconds` of ticks that sent nothing (no events, no
/// update), its writer stops ticking at the update rate and sleeps up to `restInterval`, woken
/// at once by an event or close request for it, a command from its client, or any change to
/// the entities of its root region (`RegionRoute.rest`). Nothing it would have sent is
/// delayed; an idle connection costs one wake-up a second instead of `update_rate`.
struct SessionRest {
    static let quietSeconds = 1
    static let restInterval = Duration.seconds(1)
    let quietTicksToRest: Int
    let enabled: Bool
    private var quietTicks = 0

    init(updateRate: Int, enabled: Bool = true) {
        quietTicksToRest = max(1, updateRate * Self.quietSeconds)
        self.enabled = enabled
    }

    var shouldRest: Bool { enabled && quietTicks >= quietTicksToRest }

    mutating func tick(quiet: Bool) {
        quietTicks = quiet ? min(quietTicks + 1, quietTicksToRest) : 0
    }

    /// A rest ended: back to ticking at the update rate, for at least `quietSeconds`.
    mutating func woke() {
        quietTicks = 0
    }
}
