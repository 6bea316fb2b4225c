import Foundation
import Testing
import TesseraLSL

/// The conformance suite: self-checking LSL scripts in `Conformance/` (written from the LSL
/// wiki's stated semantics), each run to its end on the VM in script time, its output (one line
/// per `llOwnerSay` or `print`, then `ERROR <message>` when it stops with a run-time error)
/// compared with `name.expected`.
enum Conformance {
    static let directory: URL = Bundle.module.url(forResource: "Conformance", withExtension: nil)!

    /// Every script that has an expected output, by name (without `.lsl`).
    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".expected") }.map { String($0.dropLast(".expected".count)) }.sorted()
    }()

    /// Every `.lsl` file, whether or not it has an expected output.
    static let allScripts: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".lsl") }.map { String($0.dropLast(".lsl".count)) }.sorted()
    }()

    static func source(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name + ".lsl"), encoding: .utf8)
    }

    static func expected(_ name: String) throws -> [String] {
        let text = try String(contentsOf: directory.appendingPathComponent(name + ".expected"), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The compiled program, or an issue recorded with every diagnostic.
    static func compile(_ name: String) throws -> LSLProgram? {
        let source = try source(name)
        switch LSLProgram.compile(source, file: name + ".lsl") {
        case .success(let program):
            return program
        case .failure(let failure):
            Issue.record("\(name).lsl does not compile:\n\(failure.diagnostics.rendered(source: source))")
            return nil
        }
    }

    /// Expected and actual output side by side, every line marked: `  ` same, `- ` expected
    /// only, `+ ` actual only (a line-by-line diff, aligned on the longest common subsequence).
    static func diff(expected: [String], actual: [String]) -> String {
        let n = expected.count, m = actual.count
        var lcs = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = expected[i] == actual[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, expected[i] == actual[j] {
                out.append("  " + expected[i]); i += 1; j += 1
            } else if j < m, i == n || lcs[i][j + 1] >= lcs[i + 1][j] {
                out.append("+ " + actual[j]); j += 1
            } else {
                out.append("- " + expected[i]); i += 1
            }
        }
        return out.joined(separator: "\n")
    }
}

/// A host for tests: collects what the script says (`llOwnerSay`, `print`) as lines, delivers
/// `llMessageLinked` to the script itself at once (as a `link_message` from link 0), and refuses
/// every other world function with a run-time error naming it.
final class ConformanceHost: LSLHost {
    var lines: [String] = []
    /// Posts the script refused (queue full, or no handler in its state).
    var refusedPosts = 0
    var states: [String] = []

    func call(_ function: LSLFunctionDefinition, _ arguments: [LSLValue], script: LSLScript) throws(LSLRuntimeError) -> LSLValue {
        switch function.name {
        case "llOwnerSay":
            guard case .string(let text) = arguments.first else {
                throw LSLRuntimeError(.hostError, "llOwnerSay got \(arguments)")
            }
            lines.append(text)
            return .integer(0)
        case "llMessageLinked":
            guard arguments.count == 4, case .integer(let number) = arguments[1], case .string(let text) = arguments[2],
                  case .key(let id) = arguments[3]
            else { throw LSLRuntimeError(.hostError, "llMessageLinked got \(arguments)") }
            if !script.post(LSLEvent("link_message", [.integer(0), .integer(number), .string(text), .key(id)])) {
                refusedPosts += 1
            }
            return .integer(0)
        default:
            throw LSLRuntimeError(.hostError, "the conformance host has no \(function.name)")
        }
    }

    func print(_ text: String, script: LSLScript) {
        lines.append(text)
    }

    func stateChanged(to state: String, script: LSLScript) {
        states.append(state)
    }

    func reset(script: LSLScript) {}
}

/// Runs one script in script time: the clock jumps to whatever the script waits for.
struct ScriptDriver {
    var script: LSLScript
    let program: LSLProgram
    let host: ConformanceHost
    var now = 0.0
    var finished = false
    var slices = 0

    init(program: LSLProgram, host: ConformanceHost = ConformanceHost()) {
        self.program = program
        self.host = host
        self.script = LSLScript(program: program, host: host)
    }

    /// One slice of at most `budget` instructions. Returns what `run` said.
    @discardableResult
    mutating func step(budget: Int) -> LSLRunResult {
        let result = script.run(now: now, budget: budget)
        slices += 1
        switch result {
        case .yielded:
            break
        case .waiting(let until):
            if let until { now = max(now, until) } else { finished = true }
        case .failed(let error):
            host.lines.append("ERROR \(error.message)")
            finished = true
        }
        return result
    }

    /// Runs until the script has nothing left to do or fails; "TIMEOUT" after `maxSlices`.
    mutating func runToEnd(budget: Int, maxSlices: Int = 2_000_000, afterEachSlice: (inout ScriptDriver) -> Void = { _ in }) -> [String] {
        while !finished {
            if slices >= maxSlices {
                host.lines.append("TIMEOUT after \(slices) slices")
                break
            }
            step(budget: budget)
            afterEachSlice(&self)
        }
        return host.lines
    }
}

@Suite struct ConformanceTests {
    @Test func everyScriptIsListed() {
        #expect(Conformance.names.count >= 20)
        #expect(Conformance.allScripts.contains("endless_loop"))
        for name in Conformance.names {
            #expect(Conformance.allScripts.contains(name), "\(name).expected has no \(name).lsl")
        }
    }

    /// The front end (parser, names, types) accepts every script of the suite.
    @Test(arguments: Conformance.allScripts)
    func frontEndAccepts(_ name: String) throws {
        let source = try Conformance.source(name)
        let (script, diagnostics) = LSLCompiler.check(source, file: name + ".lsl")
        #expect(script != nil && diagnostics.isEmpty, "\(diagnostics.rendered(source: source))")
    }

    /// Each script's whole output equals its `.expected`.
    @Test(arguments: Conformance.names)
    func output(_ name: String) throws {
        guard let program = try Conformance.compile(name) else { return }
        var driver = ScriptDriver(program: program)
        let actual = driver.runToEnd(budget: 1000)
        let expected = try Conformance.expected(name)
        if actual != expected {
            Issue.record("\(name).lsl output differs (- expected, + actual):\n\(Conformance.diff(expected: expected, actual: actual))")
        }
    }

    /// Seventy link messages into a queue of 64: six refused and counted.
    @Test func droppedEventsAreCounted() throws {
        guard let program = try Conformance.compile("queue") else { return }
        var driver = ScriptDriver(program: program)
        _ = driver.runToEnd(budget: 1000)
        #expect(driver.host.refusedPosts == 6)
        #expect(driver.script.droppedEvents == 6)
    }

    /// The capture round trip: run the script one instruction per slice, and after every slice
    /// capture its whole state, rebuild the script from the bytes and carry on with the rebuilt
    /// one. The output is the uninterrupted run's, and capturing a just-restored script gives the
    /// same bytes.
    @Test(arguments: ["roundtrip", "states", "queue", "timers", "logic", "integers", "evalorder", "casts", "lists", "error_in_second_event"])
    func captureAfterEveryInstruction(_ name: String) throws {
        guard let program = try Conformance.compile(name) else { return }
        var plain = ScriptDriver(program: program)
        let uninterrupted = plain.runToEnd(budget: 1000)
        let expected = try Conformance.expected(name)
        if uninterrupted != expected {
            Issue.record("\(name).lsl output differs (- expected, + actual):\n\(Conformance.diff(expected: expected, actual: uninterrupted))")
        }

        var driver = ScriptDriver(program: program)
        var unstableCaptures = 0
        var restoreFailures: [String] = []
        let resumed = driver.runToEnd(budget: 1, maxSlices: 20_000_000) { current in
            guard !current.finished else { return }
            let bytes = current.script.capture()
            do {
                let restored = try LSLScript(restoring: bytes, program: program, host: current.host)
                if restored.capture() != bytes { unstableCaptures += 1 }
                current.script = restored
            } catch {
                restoreFailures.append("slice \(current.slices): \(error)")
                current.finished = true
            }
        }
        #expect(restoreFailures.isEmpty, "\(restoreFailures.prefix(3))")
        #expect(unstableCaptures == 0, "a restored script captured different bytes \(unstableCaptures) times")
        #expect(driver.slices >= 20)
        if resumed != uninterrupted {
            Issue.record("\(name).lsl captured run differs (- uninterrupted, + captured):\n\(Conformance.diff(expected: uninterrupted, actual: resumed))")
        }
    }

    /// Bytes of another program, or garbage, are refused with an error, never a crash.
    @Test func captureOfAnotherProgramIsRefused() throws {
        guard let roundtrip = try Conformance.compile("roundtrip"), let casts = try Conformance.compile("casts") else { return }
        var driver = ScriptDriver(program: roundtrip)
        driver.step(budget: 50)
        let bytes = driver.script.capture()
        #expect(throws: LSLCaptureError.self) { _ = try LSLScript(restoring: bytes, program: casts, host: ConformanceHost()) }
        #expect(throws: LSLCaptureError.self) { _ = try LSLScript(restoring: Array(bytes.prefix(bytes.count / 2)), program: roundtrip, host: ConformanceHost()) }
        #expect(throws: LSLCaptureError.self) { _ = try LSLScript(restoring: [1, 2, 3], program: roundtrip, host: ConformanceHost()) }
    }

    /// An endless loop yields at every slice and never stops a normal script beside it, run
    /// round-robin with the same budget: the normal one finishes with its expected output.
    @Test func endlessLoopYieldsToOthers() throws {
        guard let endlessProgram = try Conformance.compile("endless_loop"),
              let normalProgram = try Conformance.compile("logic") else { return }
        var endless = ScriptDriver(program: endlessProgram)
        var normal = ScriptDriver(program: normalProgram)
        var endlessYields = 0
        var rounds = 0
        while !normal.finished && rounds < 1_000_000 {
            rounds += 1
            if endless.step(budget: 500) == .yielded { endlessYields += 1 }
            normal.step(budget: 500)
        }
        let expected = try Conformance.expected("logic")
        #expect(normal.finished)
        if normal.host.lines != expected {
            Issue.record("the normal script's output differs (- expected, + actual):\n\(Conformance.diff(expected: expected, actual: normal.host.lines))")
        }
        #expect(endlessYields == rounds, "the endless loop stopped yielding")
        #expect(!endless.finished)
        #expect(endless.host.lines == ["looping"])
        // And it keeps going: another thousand slices, every one yielded.
        var more = 0
        for _ in 0..<1000 {
            if endless.step(budget: 500) == .yielded { more += 1 }
        }
        #expect(more == 1000)
    }

    /// The memory bomb fails with "Stack-Heap Collision" while a normal script beside it
    /// finishes with its expected output.
    @Test func memoryBombFailsAlone() throws {
        guard let bombProgram = try Conformance.compile("error_memory_bomb"),
              let normalProgram = try Conformance.compile("logic") else { return }
        var bomb = ScriptDriver(program: bombProgram)
        var normal = ScriptDriver(program: normalProgram)
        var rounds = 0
        var bombResult: LSLRunResult?
        while (!normal.finished || !bomb.finished) && rounds < 1_000_000 {
            rounds += 1
            if !bomb.finished { bombResult = bomb.step(budget: 200) }
            if !normal.finished { normal.step(budget: 200) }
        }
        let expected = try Conformance.expected("logic")
        #expect(bombResult == .failed(.stackHeapCollision))
        #expect(bomb.host.lines == ["before", "ERROR Stack-Heap Collision"])
        if normal.host.lines != expected {
            Issue.record("the normal script's output differs (- expected, + actual):\n\(Conformance.diff(expected: expected, actual: normal.host.lines))")
        }
    }

    /// Many copies of one program run independently: each has its own globals and output.
    @Test func copiesShareTheProgramNotTheState() throws {
        guard let program = try Conformance.compile("logic") else { return }
        let expected = try Conformance.expected("logic")
        var drivers = (0..<5).map { _ in ScriptDriver(program: program) }
        var rounds = 0
        while drivers.contains(where: { !$0.finished }) && rounds < 1_000_000 {
            rounds += 1
            for index in drivers.indices where !drivers[index].finished { drivers[index].step(budget: 37) }
        }
        for (index, driver) in drivers.enumerated() where driver.host.lines != expected {
            Issue.record("copy \(index) differs (- expected, + actual):\n\(Conformance.diff(expected: expected, actual: driver.host.lines))")
        }
    }
}
