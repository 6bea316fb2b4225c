import Testing
@testable import TesseraLSL

@Suite struct TypeCheckerTests {
    /// The messages for `body` placed in a `state_entry` after a few declarations.
    private func errors(_ body: String) -> [String] {
        let source = """
            integer add(integer a, integer b) { return a + b; }
            default {
                state_entry() {
                    integer i; float f; string s; key k; vector v; rotation r; list l;
                    \(body)
                }
            }
            """
        return LSLCompiler.check(source, file: "t.lsl").diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }

    @Test(arguments: [
        "f = i; s = k; k = s; f = 1;",
        "v = <1, 2, 3> * 2; f = v * v; v = v % v; v = v * r; r = r * r; v = -v;",
        "l = l + 1; l = [1] + [2.0, \"a\"]; l = 1 + l; l += v;",
        "s = \"Owner: \" + llGetOwner(); s = k + \"!\"; s = s + \"x\"; i = s == \"a\"; i = k == s; i = l == l; i = f < i;",
        "i = (integer)\"12\"; f = (float)s; s = (string)v; l = (list)r; v = (vector)s; i = (integer)f;",
        "i *= 1.5; i++; f--; v.x = 1; r.s = 0.5; f = v.z + r.s;",
        "i = add(1, 2); llSay(0, (string)add(i, i)); print(v);",
        "i = i << 2 | i & 1 ^ ~i; i = !i && i || i;",
    ])
    func wellTypedCode(body: String) {
        #expect(errors(body) == [])
    }

    @Test(arguments: [
        ("i = f;", "5:13: cannot use a float as 'i', which is integer"),
        ("s = 1;", "5:13: cannot use an integer as 's', which is string"),
        ("l = [l];", "5:14: a list cannot contain a list"),
        ("i = s + 1;", "5:15: '+' cannot apply to a string and an integer"),
        ("i = (integer)v;", "5:13: cannot cast a vector to integer"),
        ("s = k + k;", "5:15: '+' cannot apply to a key and a key"),
        ("v = v / v;", "5:15: '/' cannot apply to a vector and a vector"),
        ("i = 1 % 2.0;", "5:15: '%' cannot apply to an integer and a float"),
        ("s++;", "5:9: '++' cannot apply to a string"),
        ("f = v.s;", "5:13: 'v' is a vector and has no member '.s'"),
        ("i += 1.5;", "5:11: cannot store the float result of '+=' in 'i', which is integer"),
        ("llSay(0);", "5:9: 'llSay' takes 2 arguments, given 1"),
        ("llSay(\"0\", \"x\");", "5:15: cannot use a string as argument 1 of 'llSay', which is integer"),
        ("i = llSay(0, \"\");", "5:13: 'llSay' returns no value"),
        ("return 1;", "5:16: a value is returned where none is expected"),
        ("v = <1, \"a\", 3>;", "5:17: cannot use a string as a vector component, which is float"),
    ])
    func typeErrors(body: String, expected: String) {
        #expect(errors(body) == [expected])
    }

    @Test func functionReturns() {
        let source = "string name() { return 1; }\ninteger n() { return; }\ndefault { }"
        let messages = LSLCompiler.check(source, file: "r.lsl").diagnostics.map { "\($0.location): \($0.message)" }
        #expect(messages == [
            "r.lsl:1:24: cannot use an integer as the returned value, which is string",
            "r.lsl:2:15: 'return' needs a value of type integer",
        ])
    }
}
