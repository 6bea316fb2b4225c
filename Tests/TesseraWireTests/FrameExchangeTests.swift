import Testing
import TesseraWire

/// `#expect` for a value a mutating call returns (the macro cannot capture `inout` values).
func check<T: Equatable>(_ got: T, _ expected: T, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(got == expected, comment, sourceLocation: sourceLocation)
}

/// The generic frame exchange as a pure state machine (docs/service-exchange.md): every step is
/// driven by hand with frame numbers, so each rule has an exact expectation.
@Suite("The frame exchange state machine")
struct FrameExchangeTests {
    private static func attached(at frame: UInt64 = 10, maxInFlight: UInt64 = 4) -> FrameExchange {
        var exchange = FrameExchange(configured: true, maxInFlight: maxInFlight)
        exchange.attach(at: frame)
        return exchange
    }

    @Test("without a service it starts as none, configured as lost; either sends nothing until attached")
    func initialStates() {
        var none = FrameExchange(configured: false)
        #expect(none.status.state == .none)
        check(none.send(frame: 5), nil)
        check(none.lose(), false)
        #expect(none.status.state == .none, "not lost: there is nothing to lose")
        none.attach(at: 5)
        check(none.send(frame: 5), .init(snapshot: true, framesCovered: 1), "a harness playing the service may attach it")
        var lost = FrameExchange(configured: true)
        #expect(lost.status == ServiceLinkStatus(state: .lost))
        check(lost.send(frame: 1), nil, "nothing goes out before the link is up")
        #expect(lost.status.held == 0, "and nothing is counted held")
        check(lost.receive(answerTo: 1, at: 2), .notAttached)
        #expect(lost.status.stale == 0)
    }

    @Test("the first frame after attach is a snapshot; the next ones are deltas covering one frame each")
    func snapshotThenDeltas() {
        var exchange = Self.attached(at: 10)
        #expect(exchange.status.state == .attached && exchange.needsSnapshot)
        #expect(exchange.inFlight == 0)
        check(exchange.send(frame: 10), .init(snapshot: true, framesCovered: 1))
        #expect(exchange.snapshotFrame == 10)
        #expect(exchange.inFlight == 1)
        check(exchange.send(frame: 11), .init(snapshot: false, framesCovered: 1))
        check(exchange.send(frame: 11), nil, "a frame number goes out once")
        #expect(exchange.status.framesSent == 2)
        #expect(exchange.status.snapshots == 1)
    }

    @Test("an attach between frames: the snapshot covers the frames since the one before the attach")
    func attachBetweenFrames() {
        var exchange = Self.attached(at: 10)
        check(exchange.send(frame: 11), .init(snapshot: true, framesCovered: 2))
    }

    @Test("at most maxInFlight frames unanswered; past it frames are held and counted, and the next frame sent covers them")
    func inFlightWindow() {
        var exchange = Self.attached(at: 10)
        let sent = (10...19).compactMap { exchange.send(frame: $0) }
        #expect(sent.count == 4, "the snapshot and three deltas")
        #expect(exchange.status.held == 6)
        #expect(exchange.inFlight == 4)
        check(exchange.receive(answerTo: 11, at: 20), .late)
        #expect(exchange.inFlight == 2)
        check(exchange.send(frame: 20), .init(snapshot: false, framesCovered: 7), "frames 14...20")
        #expect(exchange.status == {
            var status = ServiceLinkStatus(state: .attached)
            status.framesSent = 5
            status.late = 1
            status.held = 6
            status.snapshots = 1
            return status
        }())
    }

    @Test("a snapshot goes even when the window is full")
    func snapshotIgnoresWindow() {
        var exchange = Self.attached(at: 10, maxInFlight: 2)
        _ = exchange.send(frame: 10)
        _ = exchange.send(frame: 11)
        check(exchange.send(frame: 12), nil)
        exchange.requestSnapshot()
        check(exchange.send(frame: 13), .init(snapshot: true, framesCovered: 2))
        #expect(exchange.status.held == 1)
        #expect(exchange.status.snapshots == 2)
        #expect(exchange.inFlight == 4, "frames 10...13 since the last answered one, the held frame 12 among them")
    }

    @Test("on time: answered in time for the frame after; late: later; stale: older, repeated, before the snapshot or never sent")
    func answerRules() {
        var exchange = Self.attached(at: 10)
        for frame: UInt64 in 10...13 { _ = exchange.send(frame: frame) }
        check(exchange.receive(answerTo: 10, at: 11), .onTime)
        check(exchange.receive(answerTo: 11, at: 11), .onTime, "before the next frame: on time too")
        check(exchange.receive(answerTo: 12, at: 15), .late)
        check(exchange.receive(answerTo: 12, at: 15), .stale, "a repeat")
        check(exchange.receive(answerTo: 10, at: 15), .stale, "older than one applied")
        check(exchange.receive(answerTo: 14, at: 15), .stale, "frame 14 was never sent")
        check(exchange.receive(answerTo: 13, at: 15), .late)
        #expect(exchange.lastAnsweredFrame == 13)
        // A snapshot makes answers to the frames before it stale, even unapplied ones.
        _ = exchange.send(frame: 16)
        exchange.requestSnapshot()
        _ = exchange.send(frame: 17)
        #expect(exchange.snapshotFrame == 17)
        check(exchange.receive(answerTo: 16, at: 18), .stale)
        check(exchange.receive(answerTo: 17, at: 18), .onTime)
        #expect(exchange.status.onTime == 3)
        #expect(exchange.status.late == 2)
        #expect(exchange.status.stale == 4)
    }

    @Test("before its snapshot went out, an attachment applies no answer")
    func noAnswerBeforeSnapshot() {
        var exchange = Self.attached(at: 10)
        check(exchange.receive(answerTo: 9, at: 10), .stale)
        check(exchange.receive(answerTo: 10, at: 10), .stale)
        #expect(exchange.status.stale == 2)
    }

    @Test("loss counts once, stops sending and answers; the next attach starts again from a snapshot")
    func lossAndReattach() {
        var exchange = Self.attached(at: 10)
        _ = exchange.send(frame: 10)
        _ = exchange.send(frame: 11)
        check(exchange.lose(), true)
        check(exchange.lose(), false, "already lost")
        #expect(exchange.status.state == .lost && exchange.status.losses == 1)
        #expect(exchange.inFlight == 0)
        check(exchange.send(frame: 12), nil)
        check(exchange.receive(answerTo: 11, at: 12), .notAttached)
        exchange.requestSnapshot()
        #expect(!exchange.needsSnapshot, "nothing to snapshot while lost")
        exchange.attach(at: 30)
        check(exchange.receive(answerTo: 11, at: 30), .stale, "an answer from the old connection")
        check(exchange.send(frame: 30), .init(snapshot: true, framesCovered: 1))
        check(exchange.receive(answerTo: 30, at: 31), .onTime)
        #expect(exchange.status.snapshots == 2 && exchange.status.framesSent == 3)
    }

    @Test("frame 0 attaches like any other (the frame before wraps)")
    func attachAtFrameZero() {
        var exchange = Self.attached(at: 0)
        #expect(exchange.inFlight == 0)
        check(exchange.send(frame: 0), .init(snapshot: true, framesCovered: 1))
        check(exchange.send(frame: 1), .init(snapshot: false, framesCovered: 1))
        check(exchange.receive(answerTo: 0, at: 1), .onTime)
        #expect(exchange.inFlight == 1)
    }
}

@Suite("The answer watch")
struct AnswerWatchTests {
    @Test("overdue when the oldest unanswered frame waited longer than the timeout")
    func overdue() {
        var watch = AnswerWatch(timeout: 2)
        #expect(!watch.isOverdue(now: 100), "nothing in flight")
        watch.sent(1, at: 10)
        watch.sent(2, at: 11)
        watch.sent(3, at: 12)
        #expect(!watch.isOverdue(now: 11.5))
        #expect(!watch.isOverdue(now: 12), "exactly the timeout is not overdue")
        #expect(watch.isOverdue(now: 12.5))
        watch.answered(2)
        #expect(watch.unanswered == 1, "an answer covers the frames sent before it")
        #expect(!watch.isOverdue(now: 13.5))
        #expect(watch.isOverdue(now: 14.25))
        watch.answered(1)
        #expect(watch.unanswered == 1, "an older answer changes nothing")
        watch.answered(3)
        #expect(watch.unanswered == 0)
        #expect(!watch.isOverdue(now: 1000))
    }

    @Test("a new connection starts with nothing in flight; the record is bounded")
    func resetAndBound() {
        var watch = AnswerWatch(timeout: 1)
        for frame in 0..<UInt64(AnswerWatch.capacity + 10) { watch.sent(frame, at: Double(frame)) }
        #expect(watch.unanswered == AnswerWatch.capacity)
        #expect(watch.isOverdue(now: 1.5), "the oldest still decides")
        watch.reset()
        #expect(watch.unanswered == 0)
        #expect(!watch.isOverdue(now: 5000))
    }
}
