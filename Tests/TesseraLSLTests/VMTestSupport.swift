@testable import TesseraLSL

/// A host that records what a script says and answers world functions with zero values.
final class RecordingHost: LSLHost {
    var lines: [String] = []
    var stateChanges: [String] = []
    var resets = 0

    func call(_ function: LSLFunctionDefinition, _ arguments: [LSLValue], script: LSLScript) throws(LSLRuntimeError) -> LSLValue {
        switch function.name {
        case "llOwnerSay", "llSay", "llShout", "llWhisper":
            if case .string(let text) = arguments.last { lines.append(text) }
        default: break
        }
        return function.returnType.map { LSLValue.zero(of: $0) } ?? .integer(0)
    }

    func print(_ text: String, script: LSLScript) { lines.append(text) }
    func stateChanged(to state: String, script: LSLScript) { stateChanges.append(state) }
    func reset(script: LSLScript) { resets += 1 }
}

enum VMRun {
    struct CompileError: Error, CustomStringConvertible {
        var description: String
    }

    static func program(_ source: String) throws -> LSLProgram {
        switch LSLProgram.compile(source, file: "test.lsl") {
        case .success(let program): return program
        case .failure(let failure): throw CompileError(description: failure.diagnostics.rendered(source: source))
        }
    }

    /// Runs the script in script time until it has nothing left to do (or `limit` seconds);
    /// a run-time error ends the output with `ERROR <message>`.
    static func output(_ source: String, budget: Int = 10_000, limit: Double = 100, events: [(Double, LSLEvent)] = []) throws -> [String] {
        let host = RecordingHost()
        let script = LSLScript(program: try program(source), host: host)
        drive(script, host: host, budget: budget, limit: limit, events: events)
        return host.lines
    }

    static func drive(_ script: LSLScript, host: RecordingHost, budget: Int, limit: Double, events: [(Double, LSLEvent)] = []) {
        var now = 0.0
        var pending = events.sorted { $0.0 < $1.0 }
        while now <= limit {
            while let first = pending.first, first.0 <= now {
                script.post(first.1)
                pending.removeFirst()
            }
            switch script.run(now: now, budget: budget) {
            case .yielded: continue
            case .failed(let error):
                host.lines.append("ERROR \(error.message)")
                return
            case .waiting(let until):
                let next = [until, pending.first?.0].compactMap { $0 }.min()
                guard let next else { return }
                now = max(now, next)
            }
        }
    }
}
