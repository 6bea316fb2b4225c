import Testing
@testable import TesseraLSL

@Suite struct DiagnosticTests {
    private func report(_ source: String, file: String = "bad.lsl") -> String {
        let (script, diagnostics) = LSLCompiler.check(source, file: file)
        #expect(script == nil)
        return diagnostics.rendered(source: source)
    }

    @Test func missingSemicolon() {
        #expect(report("default {\n    state_entry() {\n        llSay(0, \"hi\")\n    }\n}\n") == """
            bad.lsl:4:5: error: expected ';' after expression, found '}'
                }
                ^
            """)
    }

    @Test func stateBeforeDefault() {
        #expect(report("state one { }\ndefault { }") == """
            bad.lsl:1:1: error: the 'default' state must come before any other state, found 'state'
            state one { }
            ^
            """)
    }

    @Test func noDefaultState() {
        #expect(report("integer x;\n") == """
            bad.lsl:2:1: error: expected the 'default' state, found end of file

            ^
            """)
    }

    @Test func badTokenInsideAnExpression() {
        #expect(report("default { touch_start(integer n) { integer x = 1 + * 2; } }") == """
            bad.lsl:1:52: error: expected an expression, found '*'
            default { touch_start(integer n) { integer x = 1 + * 2; } }
                                                               ^
            """)
    }

    @Test func globalAfterStates() {
        #expect(report("default { }\ninteger late;") == """
            bad.lsl:2:1: error: expected 'state' or end of file, found 'integer'
            integer late;
            ^
            """)
    }

    @Test func caretFollowsTabs() {
        #expect(report("default {\n\tstate_entry() {\n\t\tx = 1\n\t}\n}") == """
            bad.lsl:4:2: error: expected ';' after expression, found '}'
            \t}
            \t^
            """)
    }

    @Test func lexicalError() {
        #expect(report("default { state_entry() { llSay(0, \"open); } }") == """
            bad.lsl:1:36: error: unterminated string literal
            default { state_entry() { llSay(0, "open); } }
                                               ^
            """)
    }

    @Test func unknownFunctionIsNamed() {
        #expect(report("default {\n    state_entry() {\n        llSayHello(0, \"hi\");\n    }\n}") == """
            bad.lsl:3:9: error: unknown function 'llSayHello'
                    llSayHello(0, "hi");
                    ^
            """)
    }

    @Test func unknownNamesOfEveryKind() {
        let source = """
            integer a = b;
            f() { integer local; }
            default {
                touch_start(integer n) { n = local + n; jump nowhere; state missing; }
                not_an_event() { }
            }
            """
        let (_, diagnostics) = LSLCompiler.check(source, file: "n.lsl")
        #expect(diagnostics.map { "\($0.location): \($0.message)" } == [
            "n.lsl:1:13: unknown variable or constant 'b'",
            "n.lsl:4:34: unknown variable or constant 'local'",
            "n.lsl:4:45: unknown label 'nowhere'",
            "n.lsl:4:59: unknown state 'missing'",
            "n.lsl:5:5: unknown event 'not_an_event'",
        ])
    }

    @Test func scopesEndWithTheirBlock() {
        let source = "default { state_entry() { { integer i; } i = 2; for (;;) { integer j; } } }"
        let (_, diagnostics) = LSLCompiler.check(source, file: "s.lsl")
        #expect(diagnostics.map(\.message) == ["unknown variable or constant 'i'"])
    }

    @Test func userFunctionsAndGlobalsResolveAnywhere() {
        let source = "integer n;\nint() { later(); }\nlater() { n = PI_BY_TWO > 1; }\ndefault { }"
        #expect(LSLCompiler.check(source, file: "ok.lsl").diagnostics.isEmpty)
    }
}
