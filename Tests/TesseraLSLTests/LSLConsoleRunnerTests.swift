import Testing
@testable import TesseraLSL

/// The runner's clock and event delivery, with a stand-in script that answers `run` from a list
/// and records what it was given.
@Suite struct LSLConsoleRunnerTests {
    final class StandIn: LSLConsoleRunnable {
        var answers: [LSLRunResult]
        var log: [String] = []
        /// Called at each run, before the answer (a world function the script would call).
        var onRun: ((Double) -> Void)?

        init(_ answers: [LSLRunResult]) {
            self.answers = answers
        }

        func post(_ event: LSLEvent) -> Bool {
            log.append("post \(event.name)\(event.arguments.isEmpty ? "" : " " + event.arguments.map(LSLConsoleHost.describe).joined(separator: " "))")
            return true
        }

        func run(now: Double, budget: Int) -> LSLRunResult {
            log.append("run at \(now) budget \(budget)")
            onRun?(now)
            return answers.isEmpty ? .waiting(until: nil) : answers.removeFirst()
        }
    }

    @Test func nothingToDoEndsTheRun() {
        let script = StandIn([.waiting(until: nil)])
        let host = LSLConsoleHost { _ in }
        let outcome = LSLConsoleRunner(script: script, host: host, events: []).run(maxSeconds: 60, budget: 100)
        #expect(outcome == .finished(at: 0))
        #expect(script.log == ["run at 0.0 budget 100"])
    }

    @Test func theClockJumpsToTimersAndScriptedEvents() throws {
        let script = StandIn([.waiting(until: 1.5), .yielded, .waiting(until: 10), .waiting(until: 10), .waiting(until: 10), .waiting(until: nil)])
        let host = LSLConsoleHost { _ in }
        let events = try LSLEventsFile.parse("at 4 touch_start Alice\nat 3 event changed 1\n", file: "e")
        let runner = LSLConsoleRunner(script: script, host: host, events: events)
        let outcome = runner.run(maxSeconds: 60, budget: 50)
        #expect(outcome == .finished(at: 10))
        #expect(script.log == [
            "run at 0.0 budget 50",
            "run at 1.5 budget 50",
            "run at 1.501 budget 50",
            "post changed 1", "run at 3.0 budget 50",
            "post touch_start 1", "run at 4.0 budget 50",
            "run at 10.0 budget 50",
        ])
        #expect(host.detected.map(\.name) == ["Alice"])
    }

    @Test func chatBecomesListenOnlyWhenHeard() throws {
        let script = StandIn([])
        let lines = Lines()
        let host = LSLConsoleHost { lines.append($0) }
        script.onRun = { now in
            if now == 0 {
                _ = host.perform(LSLDefinitions.functions["llListen"]!, .init(values: [.integer(5), .string(""), .key(""), .string("open")]))
            }
        }
        let events = try LSLEventsFile.parse("at 1 say 5 Alice close\nat 2 say 5 Alice open\nat 3 say 0 Alice open\n", file: "e")
        let outcome = LSLConsoleRunner(script: script, host: host, events: events).run(maxSeconds: 60, budget: 10)
        #expect(outcome == .finished(at: 3))
        let alice = host.avatarKey(for: "Alice")
        #expect(script.log == [
            "run at 0.0 budget 10",
            "run at 1.0 budget 10",
            "post listen 5 \"Alice\" \"\(alice)\" \"open\"", "run at 2.0 budget 10",
            "run at 3.0 budget 10",
        ])
        #expect(lines.lines == ["llListen: handle 1 on channel 5, message \"open\""])
    }

    @Test func eventsCausedByWorldFunctionsArePostedAtOnce() {
        let script = StandIn([.waiting(until: nil), .waiting(until: nil)])
        let host = LSLConsoleHost { _ in }
        script.onRun = { now in
            if script.log.count == 1 {
                _ = host.perform(LSLDefinitions.functions["llRequestPermissions"]!, .init(values: [.key(host.ownerKey), .integer(4)]))
            }
        }
        let outcome = LSLConsoleRunner(script: script, host: host, events: []).run(maxSeconds: 60, budget: 10)
        #expect(outcome == .finished(at: 0))
        #expect(script.log == ["run at 0.0 budget 10", "post run_time_permissions 4", "run at 0.0 budget 10"])
    }

    @Test func theLimitStopsTimersAndEndlessWork() {
        let timers = StandIn([.waiting(until: 30), .waiting(until: 90)])
        let host = LSLConsoleHost { _ in }
        #expect(LSLConsoleRunner(script: timers, host: host, events: []).run(maxSeconds: 60, budget: 10) == .limitReached(at: 60))
        #expect(timers.log == ["run at 0.0 budget 10", "run at 30.0 budget 10"])

        let busy = StandIn(Array(repeating: .yielded, count: 100))
        let outcome = LSLConsoleRunner(script: busy, host: host, events: []).run(maxSeconds: 0.0105, budget: 10)
        #expect(outcome == .limitReached(at: 0.0105))
        // Each slice takes 1 ms of script time: slices at 0, 0.001, … 0.010, and the 11th ends past the limit.
        #expect(busy.log.filter { $0.hasPrefix("run") }.count == 11)
    }

    @Test func aRunTimeErrorEndsTheRun() {
        let script = StandIn([.waiting(until: 2), .failed(.mathError)])
        let host = LSLConsoleHost { _ in }
        #expect(LSLConsoleRunner(script: script, host: host, events: []).run(maxSeconds: 60, budget: 10) == .failed(.mathError, at: 2))
    }

    final class Lines: @unchecked Sendable {
        var lines: [String] = []
        func append(_ line: String) { lines.append(line) }
    }
}
