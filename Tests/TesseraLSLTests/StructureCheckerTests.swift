import Testing
@testable import TesseraLSL

@Suite struct StructureCheckerTests {
    private func messages(_ source: String) -> [String] {
        LSLCompiler.check(source, file: "s.lsl").diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }

    @Test func constantGlobalInitializersCompile() {
        let source = """
            integer a = 3;
            integer b = -7;
            float f = -2.5;
            integer c = CHANGED_INVENTORY;
            integer d = a;
            string s = "text";
            key k = NULL_KEY;
            vector v = <1, -2, a>;
            rotation r = ZERO_ROTATION;
            list l = [1, -2.0, "x", <0, 0, 1>, d, PI];
            default { state_entry() { } }
            """
        #expect(messages(source) == [])
    }

    @Test(arguments: [
        ("string s = (string)1;", "1:12: the initial value of global 's' must be a constant: a literal, a built-in constant, a global or a vector, rotation or list of those"),
        ("float f = llFabs(-1.0);", "1:11: the initial value of global 'f' must be a constant: a literal, a built-in constant, a global or a vector, rotation or list of those"),
        ("string s = \"a\" + \"b\";", "1:16: the initial value of global 's' must be a constant: a literal, a built-in constant, a global or a vector, rotation or list of those"),
        ("vector v = <1, 2, 1 + 2>;", "1:21: the initial value of global 'v' must be a constant: a literal, a built-in constant, a global or a vector, rotation or list of those"),
        ("float f = -PI;", "1:11: the initial value of global 'f' must be a constant: a literal, a built-in constant, a global or a vector, rotation or list of those"),
        ("integer i = (3);", "1:13: the initial value of global 'i' must be a constant: a literal, a built-in constant, a global or a vector, rotation or list of those"),
    ])
    func nonConstantGlobalInitializers(global: String, expected: String) {
        #expect(messages(global + "\ndefault { state_entry() { } }") == [expected])
    }

    @Test func everyPathReturns() {
        let source = """
            integer a(integer x) { if (x) return 1; else return 2; }
            integer b(integer x) { return x; llOwnerSay("after"); }
            integer c(integer x) { { return x; } }
            integer d(integer x) { do { return x; } while (x); }
            integer e(integer x) { if (x) { return 1; } else if (x > 1) { return 2; } else { return 3; } }
            string f() { return ""; @skip; }
            default { state_entry() { } }
            """
        #expect(messages(source) == [])
    }

    @Test func aPathWithoutReturn() {
        let source = """
            integer a(integer x) { if (x) return 1; }
            integer b(integer x) { while (TRUE) { return x; } }
            string c() { llOwnerSay("none"); }
            float d(integer x) { if (x) { return 1.0; } else { x = 2; } }
            default { state_entry() { } }
            """
        #expect(messages(source) == [
            "1:1: not all code paths of 'a' return a value (it returns integer)",
            "2:1: not all code paths of 'b' return a value (it returns integer)",
            "3:1: not all code paths of 'c' return a value (it returns string)",
            "4:1: not all code paths of 'd' return a value (it returns float)",
        ])
    }

    @Test func declarationAloneAsABody() {
        let source = """
            default {
                state_entry() {
                    integer x;
                    if (x) integer y = 1;
                    else string s;
                    while (x) float f;
                    for (x = 0; x < 2; x++) key k;
                    do vector v; while (x);
                    if (x) { integer fine; }
                }
            }
            """
        let expected = [
            "4:16: the declaration of 'y' needs its own scope: put the body of 'if' in { }",
            "5:14: the declaration of 's' needs its own scope: put the body of 'else' in { }",
            "6:19: the declaration of 'f' needs its own scope: put the body of 'while' in { }",
            "7:33: the declaration of 'k' needs its own scope: put the body of 'for' in { }",
            "8:12: the declaration of 'v' needs its own scope: put the body of 'do' in { }",
        ]
        #expect(messages(source) == expected)
    }

    @Test func duplicateNames() {
        let source = """
            integer g;
            float g;
            f() { }
            f(integer a) { }
            integer llSay;
            llAbs() { }
            integer two(integer p, string p) { return 1; }
            integer f2;
            f2() { }
            default {
                state_entry() {
                    integer x;
                    string x;
                    { integer x; integer g; }
                    @here;
                    @here;
                }
                state_entry() { }
                touch_start(integer n) { integer n; }
            }
            state other { state_entry() { } }
            state other { state_entry() { } }
            """
        #expect(messages(source) == [
            "2:1: 'g' is already declared at line 1",
            "4:1: 'f' is already declared at line 3",
            "5:1: 'llSay' is a built-in function and cannot be declared again",
            "6:1: 'llAbs' is a built-in function and cannot be declared again",
            "7:24: 'p' is already declared in this scope at line 7",
            "9:1: 'f2' is already declared at line 8",
            "13:9: 'x' is already declared in this scope at line 12",
            "16:9: label 'here' is already defined at line 15",
            "18:5: 'state_entry' is already handled in state 'default' at line 11",
            "19:30: 'n' is already declared in this scope at line 19",
            "22:1: state 'other' is already defined at line 21",
        ])
    }

    @Test func reservedNames() {
        let source = """
            integer PI = 3;
            integer timer;
            default { state_entry() { string TRUE; } touch_start(integer listen) { } }
            """
        #expect(messages(source) == [
            "1:1: 'PI' is a built-in constant and cannot be declared",
            "2:1: 'timer' is the name of an event and cannot be declared",
            "3:27: 'TRUE' is a built-in constant and cannot be declared",
            "3:54: 'listen' is the name of an event and cannot be declared",
        ])
    }

    @Test func localsShadowGlobalsAndOuterLocals() {
        let source = """
            integer count;
            integer f(integer count) { return count; }
            default {
                state_entry() {
                    string count = "local";
                    { integer count = 2; llOwnerSay((string)count); }
                    llOwnerSay(count);
                }
            }
            """
        #expect(messages(source) == [])
    }

    @Test func stateChangesInFunctions() {
        let source = """
            go() { state other; }
            maybe(integer x) { if (x) state other; else { state default; } }
            loop(integer x) { while (x) { state other; } }
            default { state_entry() { state other; } }
            state other { state_entry() { if (TRUE) state default; } }
            """
        #expect(messages(source) == [
            "1:8: a user function cannot change state ('state other'), except inside an 'if' or 'else'",
            "3:31: a user function cannot change state ('state other'), except inside an 'if' or 'else'",
        ])
    }

    @Test func eventHandlerSignatures() {
        let source = """
            default {
                touch_start(integer total) { }
                listen(integer channel, string name, key id, string message) { }
                timer(integer extra) { }
                changed(string change) { }
                collision_start() { }
            }
            """
        #expect(messages(source) == [
            "4:5: 'timer' takes ()",
            "5:5: 'changed' takes (integer changes)",
            "6:5: 'collision_start' takes (integer num_detected)",
        ])
    }

    @Test func manySyntaxErrorsInOneFile() {
        let source = """
            integer a = ;
            integer b = 2;
            f( { }
            default {
                state_entry() {
                    llSay(0, "one")
                    integer x = 1 +;
                    llSay(0 "two");
                    if (x { x = 2; }
                    x = 3;
                }
                touch_start(integer n { }
                timer() { llOwnerSay(; }
            }
            """
        let (script, diagnostics) = LSLCompiler.check(source, file: "many.lsl")
        #expect(script == nil)
        #expect(diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" } == [
            "1:13: expected an expression, found ';'",
            "3:4: expected a parameter type, found '{'",
            "7:9: expected ';' after expression, found 'integer'",
            "8:17: expected ',' or ')' after the arguments of 'llSay', found string literal",
            "9:15: expected ')' after the condition of 'if', found '{'",
            "12:27: expected ',' or ')' in the parameter list, found '{'",
            "13:26: expected an expression, found ';'",
        ])
    }

    @Test func statesOutOfPlace() {
        let source = "state early { timer() { } }\ndefault { }\nstate default { }\nstate a { timer() { } }\ndefault { }\nstate b { timer() { }\n"
        #expect(messages(source) == [
            "1:1: the 'default' state must come before any other state, found 'state'",
            "3:7: the 'default' state is defined twice, found 'default'",
            "5:1: the 'default' state is defined twice, found 'default'",
            "7:1: expected '}' to close the state, found end of file",
        ])
    }

    /// Recovery always moves on: every prefix of a real script, and the script with each line
    /// left out, is checked to the end (an error for each broken prefix, none for the whole).
    @Test func recoveryEndsOnEveryPrefix() {
        let source = RealScripts.door
        #expect(LSLCompiler.check(source, file: "door.lsl").diagnostics.isEmpty)
        var prefix = ""
        for character in source.dropLast(2) {
            prefix.append(character)
            let (script, diagnostics) = LSLCompiler.check(prefix, file: "door.lsl")
            #expect(script == nil && !diagnostics.isEmpty, "\(prefix.count) characters")
        }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        for index in lines.indices {
            var without = lines
            without.remove(at: index)
            _ = LSLCompiler.check(without.joined(separator: "\n"), file: "door.lsl")
        }
    }
}
