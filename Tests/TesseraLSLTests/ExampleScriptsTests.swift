import Foundation
import Testing
@testable import TesseraLSL

/// The scripts and events files of examples/lsl/ (docs/lsl.md, "tessera lsl check / run").
@Suite struct ExampleScriptsTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/lsl")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test(arguments: ["door.lsl", "greeter.lsl", "countdown.lsl", "touch-counter.lsl"])
    func compilesClean(name: String) throws {
        let source = try Self.text(name)
        let (script, diagnostics) = LSLCompiler.check(source, file: name)
        #expect(diagnostics.rendered(source: source) == "")
        #expect(script != nil)
    }

    @Test(arguments: ["door.events", "greeter.events", "touch-counter.events"])
    func eventsFilesParse(name: String) throws {
        let events = try LSLEventsFile.parse(try Self.text(name), file: name)
        #expect(!events.isEmpty)
    }
}

/// Scripts run by the console runner in script time, as `tessera lsl run` runs them.
@Suite struct ConsoleRunTests {
    final class Lines {
        var lines: [String] = []
    }

    static func run(_ source: String, events: String = "", maxSeconds: Double = 60, budget: Int = 10_000) throws -> (outcome: LSLConsoleRunner.Outcome, lines: [String]) {
        let program: LSLProgram
        switch LSLProgram.compile(source, file: "run.lsl") {
        case .success(let compiled): program = compiled
        case .failure(let failure):
            Issue.record("\(failure.diagnostics.rendered(source: source))")
            return (.finished(at: -1), [])
        }
        let lines = Lines()
        let host = LSLConsoleHost { lines.lines.append($0) }
        let script = LSLScript(program: program, host: host)
        let runner = LSLConsoleRunner(script: script, host: host, events: try LSLEventsFile.parse(events, file: "run.events"))
        let outcome = runner.run(maxSeconds: maxSeconds, budget: budget)
        return (outcome, lines.lines)
    }

    @Test func touchCounter() throws {
        let (outcome, lines) = try Self.run(try ExampleScriptsTests.text("touch-counter.lsl"), events: try ExampleScriptsTests.text("touch-counter.events"))
        #expect(outcome == .finished(at: 2.5))
        #expect(lines == [
            "llSetText: text is now \"Touched 0 times\", color <0.00000, 1.00000, 0.00000>, alpha 1.00000",
            "Object: Alice touched me. Total: 1",
            "llSetText: text is now \"Touched 1 times\", color <0.00000, 1.00000, 0.00000>, alpha 1.00000",
            "Object: Bob Resident touched me. Total: 2",
            "llSetText: text is now \"Touched 2 times\", color <0.00000, 1.00000, 0.00000>, alpha 1.00000",
            "Object: Alice touched me. Total: 3",
            "llSetText: text is now \"Touched 3 times\", color <0.00000, 1.00000, 0.00000>, alpha 1.00000",
            "Object [owner]: Three more touches.",
        ])
    }

    @Test func greeterListensAndTheListensEndWithItsState() throws {
        let (outcome, lines) = try Self.run(try ExampleScriptsTests.text("greeter.lsl"), events: try ExampleScriptsTests.text("greeter.events"))
        #expect(outcome == .finished(at: 7))
        #expect(lines == [
            "llListen: handle 1 on channel 0, message \"hello\"",
            "llListen: handle 2 on channel 7, key 0f0e0d0c-0000-4000-8000-0000000000a1",
            "llSetText: text is now \"Say hello!\", color <1.00000, 1.00000, 1.00000>, alpha 1.00000",
            "Object: Hello, Alice!",
            "Object [owner]: Unknown command: dance",
            "Object [owner]: Going quiet.",
            "llSetText: text is now \"\", color <0.00000, 0.00000, 0.00000>, alpha 0.00000",
            "llListen: handle 3 on channel 7, key 0f0e0d0c-0000-4000-8000-0000000000a1, message \"wake\"",
            "Object [owner]: Awake again.",
            "llListen: handle 4 on channel 0, message \"hello\"",
            "llListen: handle 5 on channel 7, key 0f0e0d0c-0000-4000-8000-0000000000a1",
            "llSetText: text is now \"Say hello!\", color <1.00000, 1.00000, 1.00000>, alpha 1.00000",
            "Object: Hello, Bob!",
        ])
    }

    @Test func doorOpensOnTouchAndClosesByItsTimer() throws {
        let (outcome, lines) = try Self.run(try ExampleScriptsTests.text("door.lsl"), events: try ExampleScriptsTests.text("door.events"))
        // The last touch's llSetRot has SL's forced delay of 0.2 s.
        #expect(outcome == .finished(at: 12.2))
        let open = "llSetRot: rotation is now <0.00000, 0.00000, 0.70711, 0.70711>"
        let closed = "llSetRot: rotation is now <0.00000, 0.00000, 0.00000, 1.00000>"
        #expect(lines == [
            "llSetObjectName: name is now \"Door\"",
            "Door [owner]: Door ready.",
            open, "Door: The door swings open.",
            closed, "Door: The door closes.",
            open, "Door: The door swings open.",
            closed, "Door: The door closes.",
        ])
    }

    @Test func countdownChangesStatesOnItsTimer() throws {
        let (outcome, lines) = try Self.run(try ExampleScriptsTests.text("countdown.lsl"))
        #expect(outcome == .finished(at: 3))
        #expect(lines == [
            "Object [owner]: Counting down from 3.",
            "Object [owner]: 2...",
            "Object [owner]: 1...",
            "Object shouts: RING!",
            "llSetColor: every face color is now <1.00000, 0.00000, 0.00000>",
            "Object [owner]: Done after 3 seconds.",
        ])
    }

    @Test func timersRunInScriptTimeUpToTheLimit() throws {
        let source = """
            integer n;
            default { state_entry() { llSetTimerEvent(10); } timer() { n++; llOwnerSay("tick " + (string)n); } }
            """
        let (outcome, lines) = try Self.run(source, maxSeconds: 35)
        #expect(outcome == .limitReached(at: 35))
        #expect(lines == ["Object [owner]: tick 1", "Object [owner]: tick 2", "Object [owner]: tick 3"])
    }

    @Test func permissionsAreGrantedAtOnce() throws {
        let source = """
            default {
                state_entry() { llRequestPermissions(llGetOwner(), PERMISSION_TAKE_CONTROLS); }
                run_time_permissions(integer granted) { llOwnerSay("granted " + (string)granted); }
            }
            """
        let (outcome, lines) = try Self.run(source)
        #expect(outcome == .finished(at: 0))
        #expect(lines == ["llRequestPermissions: Owner grants 0x00000004", "Object [owner]: granted 4"])
    }

    @Test func aMathErrorStopsTheRun() throws {
        let source = "default { state_entry() { integer x; llOwnerSay(\"before\"); llOwnerSay((string)(1 / x)); } }"
        let (outcome, lines) = try Self.run(source, events: "at 5 touch_start Alice")
        #expect(outcome == .failed(.mathError, at: 0))
        #expect(lines == ["Object [owner]: before"])
    }

    @Test func anEndlessLoopReachesTheLimit() throws {
        let (outcome, lines) = try Self.run("default { state_entry() { integer i; while (TRUE) { i++; } } }", maxSeconds: 0.5, budget: 1_000)
        #expect(outcome == .limitReached(at: 0.5))
        #expect(lines == [])
    }
}
