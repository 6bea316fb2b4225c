import Testing
@testable import TesseraLSL

@Suite struct VMTests {
    @Test func helloWorld() throws {
        let out = try VMRun.output("""
        default { state_entry() { llOwnerSay("Hello, Avatar!"); } }
        """)
        #expect(out == ["Hello, Avatar!"])
    }

    @Test func integerLoopAndFunctions() throws {
        let out = try VMRun.output("""
        integer fib(integer n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }
        integer total;
        default {
            state_entry() {
                integer i;
                for (i = 0; i < 100; ++i) total += i;
                llOwnerSay((string)total);
                llOwnerSay((string)fib(15));
                float f = 1;
                f = f / 4;
                llOwnerSay((string)f);
                print(<1, 2, 3>);
            }
        }
        """)
        #expect(out == ["4950", "610", "0.250000", "<1.00000, 2.00000, 3.00000>"])
    }

    @Test func divisionByZeroIsAMathError() throws {
        let out = try VMRun.output("""
        default { state_entry() { integer z = 0; llOwnerSay("before"); integer x = 1 / z; llOwnerSay("after"); } }
        """)
        #expect(out == ["before", "ERROR Math Error"])
    }

    @Test func floatDivisionWithoutANumberIsAMathError() throws {
        let out = try VMRun.output("""
        default { state_entry() { float big = 1e38; big = big * 10; llOwnerSay((string)(big / 2)); llOwnerSay((string)(big / big)); } }
        """)
        #expect(out == ["Infinity", "ERROR Math Error"])
    }

    @Test func integerWraps() throws {
        let out = try VMRun.output("""
        default { state_entry() { integer m = 0x80000000; integer n = -1; llOwnerSay((string)(m / n)); llOwnerSay((string)(m - 1)); llOwnerSay((string)(m % n)); } }
        """)
        #expect(out == ["-2147483648", "2147483647", "0"])
    }

    @Test func statesTimersAndQueue() throws {
        let out = try VMRun.output("""
        integer ticks;
        default {
            state_entry() { llOwnerSay("entry default"); llSetTimerEvent(1.0); }
            timer() { ++ticks; llOwnerSay("tick " + (string)ticks); if (ticks == 2) state other; }
            state_exit() { llOwnerSay("exit default"); }
        }
        state other {
            state_entry() { llOwnerSay("entry other"); }
            timer() { llOwnerSay("other tick"); llSetTimerEvent(0); }
        }
        """)
        #expect(out == ["entry default", "tick 1", "tick 2", "exit default", "entry other", "other tick"])
    }

    @Test func endlessLoopYieldsAndMemoryBombCollides() throws {
        let host = RecordingHost()
        let endless = LSLScript(program: try VMRun.program("default { state_entry() { while (TRUE) { } } }"), host: host)
        for _ in 0..<100 { #expect(endless.run(now: 0, budget: 1000) == .yielded) }
        let bomb = try VMRun.output("default { state_entry() { list l = [1]; while (TRUE) l += l; } }")
        #expect(bomb == ["ERROR Stack-Heap Collision"])
        let recursion = try VMRun.output("integer f(integer n) { return f(n + 1); } default { state_entry() { f(0); } }")
        #expect(recursion == ["ERROR Stack-Heap Collision"])
        let strings = try VMRun.output("default { state_entry() { string s = \"ab\"; while (TRUE) s = s + s; } }")
        #expect(strings == ["ERROR Stack-Heap Collision"])
    }

    @Test func captureAfterEveryInstructionResumesIdentically() throws {
        let source = """
        list log;
        integer count = 3;
        string join(list l) { string s; integer i; for (i = 0; i < llGetListLength(l); i++) s += (string)llList2Integer(l, i) + ","; return s; }
        default {
            state_entry() { integer i; for (i = 0; i < count; i++) log += [i * i]; llOwnerSay(join(log)); llSetTimerEvent(0.5); }
            timer() { llOwnerSay("timer " + (string)llGetListLength(log)); log += [7]; if (llGetListLength(log) > 4) state done; }
        }
        state done { state_entry() { llSetTimerEvent(0); llOwnerSay("done"); } }
        """
        let program = try VMRun.program(source)
        let reference = try VMRun.output(source)
        let host = RecordingHost()
        var script = LSLScript(program: program, host: host)
        var now = 0.0
        var steps = 0
        loop: while now < 50 {
            let bytes = script.capture()
            script = try LSLScript(restoring: bytes, program: program, host: host)
            steps += 1
            switch script.run(now: now, budget: 1) {
            case .yielded: continue
            case .failed(let e): Issue.record("failed: \(e)"); break loop
            case .waiting(let until):
                guard let until else { break loop }
                now = until
            }
        }
        #expect(host.lines == reference)
        #expect(reference == ["0,1,4,", "timer 3", "timer 4", "done"])
        #expect(steps > 100)
    }
}
