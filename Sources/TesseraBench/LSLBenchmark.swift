import Foundation
import TesseraLSL

/// The same programs in LSL on Tessera's VM and in Lua 5.4 (Debian's `lua5.4`, run as a
/// subprocess in the same run): the baseline is Lua's time, the figure our speed as a fraction
/// of it (Lua time / LSL time; the aim is at least 0.5). Each Lua program times itself with
/// `os.clock()` so process start is left out; the LSL side is timed around `LSLScript.run` from
/// the first instruction of `state_entry` to the script's last event (compilation left out), in
/// thread CPU time like `os.clock()`, so other load on the machine counts on neither side.
/// Programs stay inside LSL's 64 KiB per script: strings and lists are built in chunks.
public struct LSLBenchmark: Sendable {
    public struct Program: Sendable {
        public var name: String
        public var lsl: String
        public var lua: String
    }

    public struct Result: Sendable {
        public var name: String
        public var lslMillis: Double
        public var luaMillis: Double
        /// What each side printed last (the programs print a checksum; integer ones must agree).
        public var lslOutput: String
        public var luaOutput: String
        /// Lua time / LSL time: our speed as a fraction of Lua's.
        public var ratio: Double { luaMillis / lslMillis }
    }

    public struct IdleCopies: Sendable {
        public var copies: Int
        /// Resident set growth per copy (process RSS before and after making the copies).
        public var rssBytesPerCopy: Double
        /// The captured state of one idle copy, in bytes.
        public var capturedBytesPerCopy: Int
        /// The VM's own accounting of one idle copy's memory (what `llGetUsedMemory` reports).
        public var vmUsedBytesPerCopy: Int
    }

    public var luaPath: String
    /// Instructions per slice when running the LSL side.
    public var budget: Int

    public init(luaPath: String = "lua5.4", budget: Int = 1_000_000) {
        self.luaPath = luaPath
        self.budget = budget
    }

    /// Runs `program` on both sides.
    public func run(_ program: Program) throws -> Result {
        let (lslMillis, lslOutput) = try Self.runLSL(program.lsl, name: program.name, budget: budget)
        let (luaMillis, luaOutput) = try runLua(program.lua, name: program.name)
        return Result(name: program.name, lslMillis: lslMillis, luaMillis: luaMillis, lslOutput: lslOutput, luaOutput: luaOutput)
    }

    // MARK: - LSL

    /// A host that keeps what the script says and delivers `llMessageLinked` to the script itself.
    final class Host: LSLHost {
        var lines: [String] = []

        func call(_ function: LSLFunctionDefinition, _ arguments: [LSLValue], script: LSLScript) throws(LSLRuntimeError) -> LSLValue {
            switch (function.name, arguments.first) {
            case ("llOwnerSay", .string(let text)?):
                lines.append(text)
            case ("llMessageLinked", _):
                script.post(LSLEvent("link_message", [.integer(0), arguments[1], arguments[2], arguments[3]]))
            default:
                throw LSLRuntimeError(.hostError, "the benchmark host has no \(function.name)")
            }
            return .integer(0)
        }

        func print(_ text: String, script: LSLScript) { lines.append(text) }
        func stateChanged(to state: String, script: LSLScript) {}
        func reset(script: LSLScript) {}
    }

    static func compile(_ source: String, name: String) throws -> LSLProgram {
        switch LSLProgram.compile(source, file: name + ".lsl") {
        case .success(let program): return program
        case .failure(let failure): throw LSLBenchmarkError.compile(name, failure.diagnostics.rendered(source: source))
        }
    }

    static func runLSL(_ source: String, name: String, budget: Int) throws -> (millis: Double, output: String) {
        let program = try compile(source, name: name)
        let host = Host()
        let script = LSLScript(program: program, host: host)
        var now = 0.0
        let start = threadCPUSeconds()
        loop: while true {
            switch script.run(now: now, budget: budget) {
            case .yielded: continue
            case .waiting(let until?): now = max(now, until)
            case .waiting(nil): break loop
            case .failed(let error): throw LSLBenchmarkError.runtime(name, error.message)
            }
        }
        let elapsed = threadCPUSeconds() - start
        return (elapsed * 1000, host.lines.last ?? "")
    }

    /// CPU time of the calling thread: the same kind of clock as Lua's os.clock() (process CPU
    /// time, one thread), so that other load on the machine counts on neither side.
    static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    // MARK: - Lua

    /// Runs the Lua program, which prints its result and then `TIME <seconds>` (os.clock).
    func runLua(_ source: String, name: String) throws -> (millis: Double, output: String) {
        let file = NSTemporaryDirectory() + "tessera-bench-\(name.replacingOccurrences(of: " ", with: "-"))-\(UUID().uuidString.prefix(8)).lua"
        try source.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [luaPath, file]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw LSLBenchmarkError.lua("cannot run \(luaPath): \(error) (apt-get install lua5.4)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw LSLBenchmarkError.lua("\(luaPath) \(name) failed: \(text)") }
        var lines = text.split(separator: "\n").map(String.init)
        guard let last = lines.popLast(), last.hasPrefix("TIME "), let seconds = Double(last.dropFirst(5)) else {
            throw LSLBenchmarkError.lua("\(name) printed no TIME line: \(text)")
        }
        return (seconds * 1000, lines.last ?? "")
    }

    // MARK: - Idle copies

    /// Makes `copies` copies of a small idle script (its `state_entry` run, waiting for a touch)
    /// and measures what each costs beyond the shared program.
    public static func idleCopies(_ copies: Int = 1000) throws -> IdleCopies {
        let program = try compile(idleScript, name: "idle")
        let host = Host()
        var scripts: [LSLScript] = []
        scripts.reserveCapacity(copies)
        // One copy first, so that everything made once per program or per process is counted
        // before the measurement starts.
        let first = LSLScript(program: program, host: host)
        _ = first.run(now: 0, budget: 10_000)
        let before = residentBytes()
        for _ in 0..<copies {
            let script = LSLScript(program: program, host: host)
            _ = script.run(now: 0, budget: 10_000)
            scripts.append(script)
        }
        let after = residentBytes()
        let captured = scripts.last?.capture().count ?? 0
        let used = scripts.last?.usedMemory ?? 0
        withExtendedLifetime((scripts, first, host)) {}
        return IdleCopies(
            copies: copies, rssBytesPerCopy: Double(after - before) / Double(copies), capturedBytesPerCopy: captured,
            vmUsedBytesPerCopy: used)
    }

    /// The process's resident set in bytes (Linux: /proc/self/statm).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static let idleScript = """
        // A door: a few globals, two states, waits for touches.
        integer isOpen;
        float openedAt;
        string label = "door";

        default
        {
            state_entry()
            {
                isOpen = FALSE;
                label = "door " + (string)isOpen;
            }

            touch_start(integer total)
            {
                state open;
            }
        }

        state open
        {
            state_entry()
            {
                isOpen = TRUE;
                openedAt = llGetTime();
            }

            touch_start(integer total)
            {
                state default;
            }
        }
        """
}

public enum LSLBenchmarkError: Error, CustomStringConvertible {
    case compile(String, String)
    case runtime(String, String)
    case lua(String)

    public var description: String {
        switch self {
        case .compile(let name, let diagnostics): "benchmark program \(name) does not compile:\n\(diagnostics)"
        case .runtime(let name, let message): "benchmark program \(name) failed: \(message)"
        case .lua(let message): message
        }
    }
}

extension LSLBenchmark {
    /// The programs, each the same work in both languages.
    public static let programs: [Program] = [
        Program(
            name: "integer loop",
            lsl: """
                default
                {
                    state_entry()
                    {
                        integer sum;
                        integer i;
                        for (i = 0; i < 10000000; ++i) sum += i;
                        llOwnerSay((string)sum);
                    }
                }
                """,
            lua: """
                local t0 = os.clock()
                local sum = 0
                for i = 0, 9999999 do sum = sum + i end
                local t1 = os.clock()
                -- LSL integers are 32-bit and wrap: the same sum, wrapped once at the end.
                sum = sum & 0xFFFFFFFF
                if sum >= 0x80000000 then sum = sum - 0x100000000 end
                print(sum)
                print("TIME " .. (t1 - t0))
                """),
        Program(
            name: "float math",
            lsl: """
                default
                {
                    state_entry()
                    {
                        float x = 1.0;
                        float acc = 0.0;
                        integer i;
                        for (i = 0; i < 1000000; ++i)
                        {
                            x = x * 0.999999 + 0.5;
                            acc += llSqrt(x) * 0.001;
                        }
                        llOwnerSay((string)acc);
                    }
                }
                """,
            lua: """
                local t0 = os.clock()
                local sqrt = math.sqrt
                local x, acc = 1.0, 0.0
                for i = 0, 999999 do
                    x = x * 0.999999 + 0.5
                    acc = acc + sqrt(x) * 0.001
                end
                local t1 = os.clock()
                print(string.format("%f", acc))
                print("TIME " .. (t1 - t0))
                """),
        Program(
            name: "string building",
            lsl: """
                default
                {
                    state_entry()
                    {
                        // 100,000 appends in chunks of 1,000 (a whole 100,000 would not fit in 64 KiB).
                        string s;
                        integer total;
                        integer i;
                        for (i = 0; i < 100000; ++i)
                        {
                            s += (string)i;
                            if (i % 1000 == 999)
                            {
                                total += llStringLength(s);
                                s = "";
                            }
                        }
                        llOwnerSay((string)total);
                    }
                }
                """,
            lua: """
                local t0 = os.clock()
                local s, total = "", 0
                for i = 0, 99999 do
                    s = s .. tostring(i)
                    if i % 1000 == 999 then
                        total = total + #s
                        s = ""
                    end
                end
                local t1 = os.clock()
                print(total)
                print("TIME " .. (t1 - t0))
                """),
        Program(
            name: "list operations",
            lsl: """
                default
                {
                    state_entry()
                    {
                        // 100,000 appends and reads, in lists of 1,000 (64 KiB per script).
                        integer sum;
                        integer round;
                        for (round = 0; round < 100; ++round)
                        {
                            list l = [];
                            integer i;
                            for (i = 0; i < 1000; ++i) l += [round * 1000 + i];
                            for (i = 0; i < 1000; ++i) sum += llList2Integer(l, i);
                        }
                        llOwnerSay((string)sum);
                    }
                }
                """,
            lua: """
                local t0 = os.clock()
                local insert = table.insert
                local sum = 0
                for round = 0, 99 do
                    local t = {}
                    for i = 0, 999 do insert(t, round * 1000 + i) end
                    for i = 1, 1000 do sum = sum + t[i] end
                end
                local t1 = os.clock()
                sum = sum & 0xFFFFFFFF
                if sum >= 0x80000000 then sum = sum - 0x100000000 end
                print(sum)
                print("TIME " .. (t1 - t0))
                """),
        Program(
            name: "function calls",
            lsl: """
                integer fib(integer n)
                {
                    if (n < 2) return n;
                    return fib(n - 1) + fib(n - 2);
                }

                default
                {
                    state_entry()
                    {
                        llOwnerSay((string)fib(27));
                    }
                }
                """,
            lua: """
                local function fib(n)
                    if n < 2 then return n end
                    return fib(n - 1) + fib(n - 2)
                end
                local t0 = os.clock()
                local r = fib(27)
                local t1 = os.clock()
                print(r)
                print("TIME " .. (t1 - t0))
                """),
        Program(
            name: "state event loop",
            lsl: """
                // Two states bouncing 100,000 times: each state_entry posts a link message to
                // itself, and its link_message handler changes state.
                integer bounces;

                default
                {
                    state_entry()
                    {
                        llMessageLinked(LINK_THIS, bounces, "", NULL_KEY);
                    }

                    link_message(integer sender, integer number, string text, key id)
                    {
                        if (++bounces < 100000) state other;
                        llOwnerSay((string)bounces);
                    }
                }

                state other
                {
                    state_entry()
                    {
                        llMessageLinked(LINK_THIS, bounces, "", NULL_KEY);
                    }

                    link_message(integer sender, integer number, string text, key id)
                    {
                        if (++bounces < 100000) state default;
                        llOwnerSay((string)bounces);
                    }
                }
                """,
            lua: """
                -- The same machine: a FIFO event queue, two states with entry/exit and a
                -- link_message handler each; a state change clears the queue.
                local queue, head, tail = {}, 1, 0
                local function post(event, number)
                    tail = tail + 1
                    queue[tail] = {event, number}
                end
                local bounces, result = 0, nil
                local states = {}
                local current
                local pending
                states.default = {
                    state_entry = function() post("link_message", bounces) end,
                    link_message = function(number)
                        bounces = bounces + 1
                        if bounces < 100000 then pending = "other" return end
                        result = bounces
                    end,
                }
                states.other = {
                    state_entry = function() post("link_message", bounces) end,
                    link_message = function(number)
                        bounces = bounces + 1
                        if bounces < 100000 then pending = "default" return end
                        result = bounces
                    end,
                }
                local t0 = os.clock()
                current = states.default
                current.state_entry()
                while head <= tail do
                    local e = queue[head]
                    queue[head] = nil
                    head = head + 1
                    local handler = current[e[1]]
                    if handler then handler(e[2]) end
                    if pending then
                        if current.state_exit then current.state_exit() end
                        queue, head, tail = {}, 1, 0
                        current = states[pending]
                        pending = nil
                        current.state_entry()
                    end
                end
                local t1 = os.clock()
                print(result)
                print("TIME " .. (t1 - t0))
                """),
    ]
}
