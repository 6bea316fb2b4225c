import Foundation
import Testing
import TesseraGridProtocol
import TesseraScripts
import TesseraWire
import TesseraWorld

/// Captures, restores, script time, checkpoints and fairness.
@Suite struct ScriptStateTests {
    static let counter = """
        integer count;
        default {
            state_entry() { llSetTimerEvent(1.0); }
            timer() { count++; llSay(0, (string)count + " at " + (string)llGetTime()); }
        }
        """

    @Test func timerCounterCrossingTwentyTimesNeitherRepeatsNorSkipsInScriptTime() throws {
        let key = newKey()
        var said: [String] = []
        // Each hop: 1.5 s of frames (every 1/8 s) in one engine, freeze, then resume in the
        // next engine, whose clock is far from the last one's.
        var h = ScriptHarness()
        var now = 0.0
        said += h.start([(key, Self.counter)], at: now).said()
        var hosted = 0.0
        for hop in 0..<20 {
            for _ in 0..<12 {
                now += 0.125
                hosted += 0.125
                said += h.step(now).said()
            }
            let frozen = h.step(now, frozen: [key])
            #expect(frozen.captures.count == 1)
            let capture = try #require(frozen.captures.first)
            #expect(capture.frozen)
            #expect(capture.key == key)
            #expect(h.engine.scriptCount == 0)
            // The next region's service: another engine, another clock.
            h = ScriptHarness()
            now = 1000.0 * Double(hop + 1)
            let resumed = h.step(
                now, snapshot: true, sources: [Self.counter], added: [ScriptHarness.instance(key, source: Self.counter, state: capture.state)],
                poses: [ScriptHarness.pose(key.object)])
            #expect(resumed.diagnostics.isEmpty)
            said += resumed.said()
        }
        // 20 hops × 1.5 s of script time: a tick at every whole second, each exactly once.
        #expect(hosted == 30)
        #expect(said == (1...30).map { "\($0) at \($0).000000" })
    }

    @Test func frozenScriptResumesElsewhereInTheMiddleOfAnEvent() throws {
        let a = ScriptHarness()
        let key = newKey()
        let source = """
            integer touches;
            default {
                touch_start(integer n) {
                    touches++;
                    llSay(0, "before " + (string)touches + " " + llDetectedName(0));
                    llSleep(1.0);
                    llSay(0, "after " + (string)touches + " " + llDetectedName(0));
                }
            }
            """
        _ = a.start([(key, source)])
        let touch = ScriptEventDelivery(object: key.object, name: "touch_start", arguments: [.integer(1)], detected: [ScriptHarness.alice])
        #expect(a.step(0.1, events: [touch]).said() == ["before 1 Alice Resident"])
        // A second touch waits in the queue while the first sleeps; both travel.
        let frozen = a.step(0.5, frozen: [key], events: [touch])
        let state = try #require(frozen.captures.first?.state)

        let b = ScriptHarness()
        let resumed = b.step(
            50, snapshot: true, sources: [source], added: [ScriptHarness.instance(key, source: source, state: state)],
            poses: [ScriptHarness.pose(key.object)])
        #expect(resumed.said().isEmpty)
        // Slept 0.4 s before the freeze; 0.6 s are left.
        #expect(b.step(50.5).said().isEmpty)
        #expect(b.step(50.625).said() == ["after 1 Alice Resident", "before 2 Alice Resident"])
        #expect(b.step(51.625).said() == ["after 2 Alice Resident"])
    }

    @Test func listensAndSensorRepeatTravelInTheCapture() throws {
        let a = ScriptHarness()
        let key = newKey()
        let source = """
            default {
                state_entry() { llListen(9, "", NULL_KEY, "ping"); llSensorRepeat("", NULL_KEY, AGENT, 5.0, PI, 2.0); }
                listen(integer c, string n, key k, string m) { llSay(0, "pong"); }
            }
            """
        _ = a.start([(key, source)])
        let state = try #require(a.step(0.5, frozen: [key]).captures.first?.state)
        let b = ScriptHarness()
        let resumed = b.step(
            7, snapshot: true, sources: [source], added: [ScriptHarness.instance(key, source: source, state: state)],
            poses: [ScriptHarness.pose(key.object)])
        // The region learns the restored listen's channel.
        #expect(resumed.effects.map(\.effect) == [.listenChannels([9])])
        let ping = ChatHeard(channel: 9, type: .say, speaker: UUID(), speakerName: "A", speakerObject: nil, position: Vector3(128, 128, 25), text: "ping")
        #expect(b.step(7.25, chat: [ping]).said() == ["pong"])
        // The sweep due at script time 2 comes 1.5 s after the restore.
        #expect(b.step(8.375).effects.isEmpty)
        #expect(b.step(8.5).effects.map(\.effect) == [.sensor(name: "", key: nil, kind: 1, range: 5, arc: .pi)])
    }

    @Test func badCaptureBytesGiveADiagnosticAndAFreshStart() {
        let h = ScriptHarness()
        let key = newKey()
        let source = #"default { state_entry() { llSay(0, "fresh"); } }"#
        let result = h.step(
            0, snapshot: true, sources: [source], added: [ScriptHarness.instance(key, name: "door", source: source, state: [1, 2, 3, 4, 5])],
            poses: [ScriptHarness.pose(key.object)])
        #expect(result.diagnostics.map(\.lines) == [["door: the saved state could not be restored (not a script service capture); the script starts fresh"]])
        #expect(result.diagnostics.first?.compile == false)
        #expect(result.said() == ["fresh"])
    }

    @Test func aCaptureOfAnotherProgramIsRefused() throws {
        let a = ScriptHarness()
        let key = newKey()
        let one = "integer a; default { state_entry() { a = 1; } }"
        let two = #"default { state_entry() { llSay(0, "two"); } }"#
        _ = a.start([(key, one)])
        let state = try #require(a.step(0.1, frozen: [key]).captures.first?.state)
        let b = ScriptHarness()
        let result = b.step(
            0, snapshot: true, sources: [two], added: [ScriptHarness.instance(key, source: two, state: state)], poses: [ScriptHarness.pose(key.object)])
        #expect(result.diagnostics.map(\.lines) == [["script: the saved state could not be restored (the captured state belongs to another script); the script starts fresh"]])
        #expect(result.said() == ["two"])
    }

    @Test func checkpointsComeWithinTwoSecondsOfRunningAndOnlyWhenAScriptRan() {
        let h = ScriptHarness()
        let busy = newKey()
        let idle = newKey()
        _ = h.start([(busy, Self.counter), (idle, "default { state_entry() { } }")])
        var busyAt: [Double] = []
        var idleAt: [Double] = []
        for step in 1...80 {
            let now = Double(step) * 0.125
            for capture in h.step(now).captures {
                #expect(!capture.frozen)
                if capture.key == busy { busyAt.append(now) }
                if capture.key == idle { idleAt.append(now) }
            }
        }
        // The idle script ran once (state_entry): one checkpoint, within 2 s.
        #expect(idleAt.count == 1)
        #expect(idleAt[0] <= 2)
        // The busy one ticks every second: a checkpoint every 2 s.
        #expect(busyAt.count == 5)
        #expect(busyAt[0] <= 2)
        for (earlier, later) in zip(busyAt, busyAt.dropFirst()) { #expect(later - earlier == 2) }
    }

    static let ticker = """
        integer n;
        default {
            state_entry() { llSetTimerEvent(0.25); }
            timer() { n++; llSay(0, (string)n); }
        }
        """

    /// The ticker's (frame, text) over `frames` frames of 1/32 s, beside `neighbours`; and what
    /// the neighbours said.
    static func ticks(beside neighbours: [String], frames: Int) -> (ticks: [String], others: Int, result: ScriptResult?) {
        let h = ScriptHarness()
        let ticker = newKey()
        var scripts = [(ticker, Self.ticker)]
        for source in neighbours { scripts.append((newKey(), source)) }
        var ticks: [String] = []
        var others = 0
        var last: ScriptResult?
        for step in 0..<frames {
            let now = Double(step) / 32
            let result = step == 0 ? h.start(scripts, at: now) : h.step(now)
            ticks += result.said(by: ticker).map { "\(step):\($0)" }
            others += result.said().count - result.said(by: ticker).count
            last = result
        }
        return (ticks, others, last)
    }

    @Test func anEndlessLoopAndAChatFloodLeaveANeighboursTimingUntouched() throws {
        let alone = Self.ticks(beside: [], frames: 320).ticks
        let loop = "default { state_entry() { integer i; while (TRUE) { i++; } } }"
        let flood = #"default { state_entry() { while (TRUE) { llSay(1, "spam"); } } }"#
        let (beside, floodSaid, last) = Self.ticks(beside: [loop, flood], frames: 320)
        // 9.97 s at 4 ticks a second.
        #expect(alone.count == 39)
        #expect(alone.first == "8:1")
        #expect(beside == alone)
        let result = try #require(last)
        // The flood said its burst and its refill (20 + 5 per second × 9.97 s), and no more.
        #expect(floodSaid == 69)
        #expect(result.stats.chatDropped > 0)
        // Every frame stopped at the budget: 4 slices of 1 ms each.
        #expect(result.runMicros == 4000)
        #expect(result.stats.topScripts.count == 3)
    }

    @Test func theQueueHoldsSixtyFourEventsAndCountsTheRest() {
        let h = ScriptHarness()
        let key = newKey()
        let source = "default { state_entry() { while (TRUE) { } } touch_start(integer n) { } }"
        _ = h.start([(key, source)])
        let touches = (0..<70).map { _ in ScriptEventDelivery(object: key.object, name: "touch_start", arguments: [.integer(1)]) }
        let result = h.step(0.1, events: touches)
        #expect(result.stats.eventsQueued == 64)
        #expect(result.stats.eventsDropped == 6)
    }
}
