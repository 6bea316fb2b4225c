import Testing
@testable import TesseraLSL

@Suite struct ScriptParserTests {
    private func parsed(_ source: String) throws -> Script {
        let (script, diagnostics) = Parser.parse(source, file: "s.lsl")
        #expect(diagnostics.isEmpty, "\(diagnostics.rendered(source: source))")
        return try #require(script)
    }

    @Test func everyStatementKindPrintsBack() throws {
        let source = """
            integer g = 1 + 2;
            string name;
            float half(float x) { return x / 2; }
            go() { return; }
            default {
                state_entry() {
                    ;
                    { integer i = 0; }
                    vector v;
                    v.x = 1;
                    if (g) g--; else if (!g) ++g; else { }
                    while (g < 10) g += 1;
                    do g -= 1; while (g > 0);
                    for (g = 0, v.y = 1; g < 3; g++, v.y *= 2) llSay(0, (string)g);
                    for (;;) jump out;
                    @out;
                    print("x");
                    state other;
                }
                touch_start(integer n) { state default; }
            }
            state other { state_exit() { } }
            """
        let expected = """
            integer g = (1 + 2);
            string name;
            float half(float x)
            {
                return (x / 2);
            }
            go()
            {
                return;
            }
            default
            {
                state_entry()
                {
                    ;
                    {
                        integer i = 0;
                    }
                    vector v;
                    (v.x = 1);
                    if (g)
                        (g--);
                    else
                        if ((!g))
                            (++g);
                        else
                            {
                            }
                    while ((g < 10))
                        (g += 1);
                    do
                        (g -= 1);
                    while ((g > 0));
                    for ((g = 0), (v.y = 1); (g < 3); (g++), (v.y *= 2))
                        llSay(0, ((string)g));
                    for (; ; )
                        jump out;
                    @out;
                    print("x");
                    state other;
                }
                touch_start(integer n)
                {
                    state default;
                }
            }
            state other
            {
                state_exit()
                {
                }
            }
            """
        #expect(SyntaxPrinter.print(try parsed(source)) == expected)
    }

    @Test func statesAndEventsInOrder() throws {
        let script = try parsed("""
            default { state_entry() {} timer() {} }
            state open { touch_start(integer n) {} listen(integer c, string n, key id, string m) {} }
            state closed { }
            """)
        #expect(script.states.map(\.name) == ["default", "open", "closed"])
        #expect(script.states[1].events.map(\.name) == ["touch_start", "listen"])
        #expect(script.states[1].events[1].parameters.map(\.type) == [.integer, .string, .key, .string])
        #expect(script.states[1].location.description == "s.lsl:2:1")
    }

    @Test func globalsAndFunctions() throws {
        let script = try parsed("""
            vector offset = <0, 0, 1>;
            list items = ["a", 1];
            key owner;
            integer add(integer a, integer b) { return a + b; }
            default { }
            """)
        #expect(script.globals.map(\.name) == ["offset", "items", "owner"])
        #expect(script.globals.map(\.type) == [.vector, .list, .key])
        #expect(script.globals[2].initializer == nil)
        #expect(script.functions.map(\.name) == ["add"])
        #expect(script.functions[0].returnType == .integer)
        #expect(script.functions[0].parameters.map(\.name) == ["a", "b"])
    }
}
