import Foundation
import Testing
import TesseraGridProtocol
import TesseraScripts
import TesseraWire
import TesseraWorld

@Suite struct ScriptEngineTests {
    static let greeter = """
        default {
            touch_start(integer n) { llSay(0, "Hello, " + llDetectedName(0) + "!"); }
        }
        """

    @Test func greeterAnswersATouchWithTheTouchersName() {
        let h = ScriptHarness()
        let key = newKey()
        // A second script in the same object without a touch handler hears nothing.
        let quiet = ScriptKey(object: key.object, item: UUID())
        let quietSource = "default { state_entry() { } }"
        let first = h.step(
            0, snapshot: true, sources: [Self.greeter, quietSource],
            added: [ScriptHarness.instance(key, name: "greeter", source: Self.greeter), ScriptHarness.instance(quiet, source: quietSource)],
            poses: [ScriptHarness.pose(key.object)])
        #expect(first.effects.isEmpty)
        #expect(first.diagnostics.isEmpty)
        #expect(first.stats.scripts == 2)
        #expect(first.stats.running == 2)

        let touched = h.step(0.1, events: [
            ScriptEventDelivery(object: key.object, name: "touch_start", arguments: [.integer(1)], detected: [ScriptHarness.alice]),
        ])
        #expect(touched.effects == [ScriptEffectRecord(key: key, effect: .say(channel: 0, type: .say, text: "Hello, Alice Resident!"))])
        #expect(touched.stats.eventsQueued == 0)
        #expect(touched.stats.eventsDropped == 0)
    }

    @Test func detectedDataOfEveryKindReachesTheScript() {
        let h = ScriptHarness()
        let key = newKey()
        let source = """
            default {
                touch_start(integer n) {
                    llOwnerSay(llDetectedKey(0) + " " + (string)llDetectedType(0) + " " + (string)llDetectedTouchFace(0) + " "
                        + (string)llDetectedPos(0) + " " + llDetectedName(1) + "|" + (string)llDetectedTouchFace(1));
                }
            }
            """
        _ = h.start([(key, source)])
        let result = h.step(0.1, events: [
            ScriptEventDelivery(object: key.object, item: key.item, name: "touch_start", arguments: [.integer(1)], detected: [ScriptHarness.alice]),
        ])
        #expect(result.said() == ["a11ce000-0000-4000-8000-000000000001 1 2 <129.00000, 128.00000, 25.00000> |-1"])
    }

    static let listener = """
        default {
            state_entry() { llListen(5, "", NULL_KEY, ""); }
            listen(integer channel, string name, key id, string message) {
                llSay(0, name + " said " + message + " on " + (string)channel);
            }
        }
        """

    @Test func listenerObeysItsChannelAndIgnoresOthers() {
        let h = ScriptHarness()
        let key = newKey()
        let first = h.start([(key, Self.listener)])
        #expect(first.effects == [ScriptEffectRecord(key: key, effect: .listenChannels([5]))])

        let bob = UUID()
        func chat(_ channel: Int32, _ text: String, from position: Vector3 = Vector3(130, 128, 25), type: ChatType = .say, object: UUID? = nil) -> ChatHeard {
            ChatHeard(channel: channel, type: type, speaker: object ?? bob, speakerName: "Bob", speakerObject: object, position: position, text: text)
        }
        let heard = h.step(0.1, chat: [
            chat(5, "open"),
            chat(6, "wrong channel"),
            // 30 m away: beyond say's 20 m, within shout's 100 m.
            chat(5, "too far", from: Vector3(158, 128, 25)),
            chat(5, "shouted", from: Vector3(158, 128, 25), type: .shout),
            // The object never hears itself.
            chat(5, "myself", object: key.object),
        ])
        #expect(heard.said(by: key) == ["Bob said open on 5", "Bob said shouted on 5"])
    }

    @Test func listenFiltersAndListenControl() {
        let h = ScriptHarness()
        let key = newKey()
        let source = """
            integer handle;
            default {
                state_entry() { handle = llListen(7, "Bob", NULL_KEY, "go"); }
                listen(integer channel, string name, key id, string message) {
                    llSay(0, "heard " + message);
                    if (message == "go") llListenControl(handle, FALSE);
                }
                touch_start(integer n) { llListenControl(handle, TRUE); }
            }
            """
        _ = h.start([(key, source)])
        func chat(_ name: String, _ text: String) -> ChatHeard {
            ChatHeard(channel: 7, type: .say, speaker: UUID(), speakerName: name, speakerObject: nil, position: Vector3(128, 129, 25), text: text)
        }
        let first = h.step(0.1, chat: [chat("Carol", "go"), chat("Bob", "stop"), chat("Bob", "go")])
        #expect(first.said() == ["heard go"])
        #expect(first.effects.last?.effect == .listenChannels([]))
        let off = h.step(0.2, chat: [chat("Bob", "go")])
        #expect(off.said().isEmpty)
        let on = h.step(0.3, events: [ScriptEventDelivery(object: key.object, name: "touch_start", arguments: [.integer(1)])])
        #expect(on.effects == [ScriptEffectRecord(key: key, effect: .listenChannels([7]))])
        let again = h.step(0.4, chat: [chat("Bob", "go")])
        #expect(again.said() == ["heard go"])
    }

    @Test func compileErrorsAreDiagnosedAndTheScriptStaysStopped() {
        let h = ScriptHarness()
        let key = newKey()
        let source = "default {\n    state_entry() { llSay(0, missing); }\n}\n"
        let result = h.step(
            0, snapshot: true, sources: [source], added: [ScriptHarness.instance(key, name: "broken", source: source)],
            poses: [ScriptHarness.pose(key.object)])
        #expect(result.diagnostics == [
            ScriptDiagnostic(key: key, owner: ScriptHarness.owner, compile: true, lines: ["broken:2:30: error: unknown variable or constant 'missing'"]),
        ])
        #expect(result.stats.scripts == 1)
        #expect(result.stats.running == 0)
        #expect(result.effects.isEmpty)
        // Events to it are dropped; a start does not revive it.
        let later = h.step(0.1, control: [ScriptControl(key: key, action: .start)], events: [
            ScriptEventDelivery(object: key.object, name: "touch_start", arguments: [.integer(1)]),
        ])
        #expect(later.stats.running == 0)
        #expect(later.effects.isEmpty)
        #expect(later.diagnostics.isEmpty)
    }

    @Test func runTimeErrorsAreReportedOnce() {
        let h = ScriptHarness()
        let key = newKey()
        let source = "default { state_entry() { integer z; llSay(0, (string)(1 / z)); } }"
        let result = h.start([(key, source)])
        #expect(result.diagnostics == [
            ScriptDiagnostic(key: key, owner: ScriptHarness.owner, compile: false, lines: ["script: Script run-time error: Math Error"]),
        ])
        #expect(result.stats.running == 0)
        #expect(h.step(0.1).diagnostics.isEmpty)
    }

    @Test func unimplementedWorldFunctionsStopTheScriptNamingThem() {
        let h = ScriptHarness()
        let key = newKey()
        let result = h.start([(key, #"default { state_entry() { llPlaySound("bell", 1.0); llSetObjectDesc("x"); llSay(0, "after"); } }"#)])
        #expect(result.said().isEmpty)
        #expect(result.diagnostics.map(\.lines) == [["script: Script run-time error: llSetObjectDesc is not available to scripts in this grid yet"]])
    }

    @Test func chatIsRateLimitedPerScript() {
        let h = ScriptHarness()
        let key = newKey()
        let source = """
            default {
                touch_start(integer n) { integer i; for (i = 0; i < 30; i++) llSay(0, (string)i); }
            }
            """
        _ = h.start([(key, source)])
        let touch = ScriptEventDelivery(object: key.object, name: "touch_start", arguments: [.integer(1)])
        let first = h.step(0.1, events: [touch])
        #expect(first.said() == (0..<20).map(String.init))
        #expect(first.stats.chatDropped == 10)
        #expect(first.diagnostics.map(\.lines) == [["script: too much chat: 1 message(s) dropped (at most 20 at once, 5.0 per second)"]])
        // Two seconds of script time later the bucket holds ten more.
        let second = h.step(2.1, events: [touch])
        #expect(second.said() == (0..<10).map(String.init))
        #expect(second.stats.chatDropped == 30)
        // The owner is warned once a minute.
        #expect(second.diagnostics.isEmpty)
    }

    @Test func sensorRequestBecomesAnEffectAndItsAnswerReachesLlDetectedName() {
        let h = ScriptHarness()
        let key = newKey()
        let source = """
            default {
                state_entry() { llSensor("", NULL_KEY, AGENT, 20.0, PI); }
                sensor(integer n) { llSay(0, (string)n + " saw " + llDetectedName(0)); }
                no_sensor() { llSay(0, "nobody"); }
            }
            """
        let first = h.start([(key, source)])
        #expect(first.effects == [ScriptEffectRecord(key: key, effect: .sensor(name: "", key: nil, kind: 1, range: 20, arc: .pi))])
        let carol = DetectedInfo(key: UUID(), name: "Carol", owner: UUID(), kind: DetectedInfo.agent, position: Vector3(140, 128, 25))
        let answer = h.step(0.1, events: [
            ScriptEventDelivery(object: key.object, item: key.item, name: "sensor", arguments: [.integer(1)], detected: [carol]),
        ])
        #expect(answer.said() == ["1 saw Carol"])
        let none = h.step(0.2, events: [ScriptEventDelivery(object: key.object, item: key.item, name: "no_sensor")])
        #expect(none.said() == ["nobody"])
    }

    @Test func sensorRepeatSweepsOnItsPeriodInScriptTime() {
        let h = ScriptHarness()
        let key = newKey()
        let result = h.start([(key, #"default { state_entry() { llSensorRepeat("Ball", NULL_KEY, PASSIVE, 10.0, PI, 1.0); } }"#)])
        let sweep = ScriptEffectRecord(key: key, effect: .sensor(name: "Ball", key: nil, kind: 4, range: 10, arc: .pi))
        #expect(result.effects == [sweep])
        var sweeps: [Double] = []
        for step in 1...40 {
            let now = Double(step) * 0.125
            if h.step(now).effects.contains(sweep) { sweeps.append(now) }
        }
        #expect(sweeps == [1, 2, 3, 4, 5])
    }

    @Test func worldFunctionsBecomeEffectsInOrder() {
        let h = ScriptHarness()
        let key = newKey()
        let source = """
            default {
                state_entry() {
                    llSetText("Hi", <1, 0.5, 2>, 0.5);
                    llSetPos(llGetPos() + <30, 0, 0>);
                    llSetColor(<0, 1, 0>, ALL_SIDES);
                    llSetAlpha(0.25, ALL_SIDES);
                    llSetStatus(STATUS_PHYSICS, TRUE);
                    llApplyImpulse(<0, 0, 5>, FALSE);
                    llRezObject("Ball", llGetPos() + <0, 0, 1>, <1, 0, 0>, ZERO_ROTATION, 42);
                    llRezObject("Ball", llGetPos() + <0, 0, 20>, ZERO_VECTOR, ZERO_ROTATION, 1);
                    llOwnerSay(llGetRegionName() + " " + llGetObjectName() + " " + llGetScriptName() + " " + (string)llGetStatus(STATUS_PHYSICS)
                        + " " + (string)llGetNumberOfPrims() + " " + llGetDate() + " " + (string)llGetUnixTime() + " " + (string)llGetPos());
                    llDie();
                    llSay(0, "never");
                }
            }
            """
        // llSetPos sleeps 0.2 s and each llRezObject 0.1 s (script time): the script finishes
        // in a later frame.
        let first = h.start([(key, source)], at: 10)
        var effects = first.effects
        var diagnostics = first.diagnostics
        for now in [10.25, 10.5, 10.75] {
            let result = h.step(now)
            effects += result.effects
            diagnostics += result.diagnostics
        }
        #expect(effects.map(\.effect) == [
            .setText(text: "Hi", color: Vector3(1, 0.5, 1), alpha: 0.5),
            .setPosition(Vector3(138, 128, 25)),
            .setColor(Vector3(0, 1, 0), alpha: 1),
            .setColor(Vector3(0, 1, 0), alpha: 0.25),
            .setPhysical(true),
            .applyImpulse(Vector3(0, 0, 5)),
            .rez(item: "Ball", position: Vector3(138, 128, 26), velocity: Vector3(1, 0, 0), rotation: .identity, parameter: 42),
            .ownerSay(text: "Testland Thing script 1 1 2026-01-01 1767225610 <138.00000, 128.00000, 25.00000>"),
            .die,
        ])
        #expect(diagnostics.isEmpty)
    }

    @Test func eventsAndChatFollowTheScriptsCurrentState() {
        let h = ScriptHarness()
        let key = newKey()
        let source = """
            default {
                state_entry() { llListen(3, "", NULL_KEY, ""); }
                listen(integer c, string n, key k, string m) { state quiet; }
            }
            state quiet {
                state_entry() { llSay(0, "quiet"); }
                touch_start(integer n) { llSay(0, "touched"); }
            }
            """
        _ = h.start([(key, source)])
        let result = h.step(0.1, chat: [ChatHeard(channel: 3, type: .say, speaker: UUID(), speakerName: "A", speakerObject: nil, position: Vector3(128, 128, 25), text: "x")])
        // The change of state ends the listen.
        #expect(result.effects.map(\.effect) == [.listenChannels([]), .say(channel: 0, type: .say, text: "quiet")])
        let touched = h.step(0.2, events: [ScriptEventDelivery(object: key.object, name: "touch_start", arguments: [.integer(1)])])
        #expect(touched.said() == ["touched"])
    }

    @Test func controlStopsStartsAndResets() {
        let h = ScriptHarness()
        let key = newKey()
        let source = """
            integer n;
            default {
                state_entry() { llSay(0, "start"); }
                touch_start(integer t) { n++; llSay(0, (string)n); }
            }
            """
        #expect(h.start([(key, source)]).said() == ["start"])
        let touch = ScriptEventDelivery(object: key.object, name: "touch_start", arguments: [.integer(1)])
        #expect(h.step(0.1, events: [touch]).said() == ["1"])
        let stopped = h.step(0.2, control: [ScriptControl(key: key, action: .stop)], events: [touch])
        #expect(stopped.said().isEmpty)
        #expect(stopped.stats.running == 0)
        #expect(h.step(0.3, control: [ScriptControl(key: key, action: .start)], events: [touch]).said() == ["2"])
        #expect(h.step(0.4, control: [ScriptControl(key: key, action: .reset)]).said() == ["start"])
        #expect(h.step(0.5, events: [touch]).said() == ["1"])
    }
}

@Suite struct ScriptEventPriorityTests {
    static let loop = "default { state_entry() { integer i; while (TRUE) { i = i + 1; } } }"

    @Test("a script an event reaches runs in the same frame even when endless loops fill the budget; the loops still take turns")
    func eventsGoFirst() {
        // Each clock read costs 1 ms of a 4 ms budget: about four slices a frame for fifty loops.
        let h = ScriptHarness(settings: ScriptEngineSettings(frameBudgetNanos: 4_000_000), tick: 1_000_000)
        let greeter = newKey()
        let loops = (0..<50).map { _ in newKey() }
        _ = h.start([(greeter, ScriptEngineTests.greeter)] + loops.map { ($0, Self.loop) })
        for frame in 1...5 { _ = h.step(Double(frame) * 0.022) }
        let touched = h.step(0.2, events: [
            ScriptEventDelivery(object: greeter.object, name: "touch_start", arguments: [.integer(1)], detected: [ScriptHarness.alice]),
        ])
        #expect(touched.said(by: greeter) == ["Hello, Alice Resident!"], "answered in the frame that brought the touch")
        // The loops' round-robin goes on from where it was: over the next frames they all take turns,
        // so the top-scripts list fills with loops that have run.
        var last = touched
        for frame in 1...40 { last = h.step(0.2 + Double(frame) * 0.022) }
        let loopItems = Set(loops.map(\.item))
        let top = last.stats.topScripts.filter { loopItems.contains($0.key.item) && $0.micros > 0 }
        #expect(top.count >= ScriptRegionStats.maxTop - 1, "loops keep taking turns: \(top.count) of the top scripts")
    }
}
