import Testing
@testable import TesseraLSL

/// The JSON built-ins (LSL wiki "Json", llJsonGetValue, llJsonSetValue, llList2Json, llJson2List).
/// The `JSON_*` constants are noncharacters, which Swift does not allow in literals.
private func jsonConstant(_ code: UInt32) -> LSLValue { .string(String(Character(Unicode.Scalar(code)!))) }

@Suite struct LibraryJSONTests {
    let invalid = jsonConstant(0xFDD0)
    let object = jsonConstant(0xFDD1)
    let array = jsonConstant(0xFDD2)
    let number = jsonConstant(0xFDD3)
    let string = jsonConstant(0xFDD4)
    let null = jsonConstant(0xFDD5)
    let yes = jsonConstant(0xFDD6)
    let no = jsonConstant(0xFDD7)
    let delete = jsonConstant(0xFDD8)
    let document = s(#"{"a": [1, 2.5, {"b": "c\"d"}], "t": true, "f": false, "n": null, "s": "x\/y\u00e9"}"#)

    @Test func gettingValues() throws {
        #expect(try lsl("llJsonGetValue", document, l(s("a"), i(2), s("b"))) == s("c\"d"))
        #expect(try lsl("llJsonGetValue", document, l(s("a"), i(0))) == s("1"))
        #expect(try lsl("llJsonGetValue", document, l(s("a"), i(1))) == s("2.5"))
        #expect(try lsl("llJsonGetValue", document, l(s("a"), s("1"))) == s("2.5"))
        #expect(try lsl("llJsonGetValue", document, l(s("a"))) == s(#"[1, 2.5, {"b": "c\"d"}]"#))
        #expect(try lsl("llJsonGetValue", document, l(s("s"))) == s("x/yé"))
        #expect(try lsl("llJsonGetValue", document, l(s("t"))) == yes)
        #expect(try lsl("llJsonGetValue", document, l(s("f"))) == no)
        #expect(try lsl("llJsonGetValue", document, l(s("n"))) == null)
        #expect(try lsl("llJsonGetValue", document, l(s("missing"))) == invalid)
        #expect(try lsl("llJsonGetValue", document, l(s("a"), i(3))) == invalid)
        #expect(try lsl("llJsonGetValue", document, l(i(0))) == invalid)
        #expect(try lsl("llJsonGetValue", s("[1, 2"), l(i(0))) == invalid)
        #expect(try lsl("llJsonGetValue", s(#""text""#), l()) == s("text"))
    }

    @Test func valueTypes() throws {
        #expect(try lsl("llJsonValueType", document, l()) == object)
        #expect(try lsl("llJsonValueType", document, l(s("a"))) == array)
        #expect(try lsl("llJsonValueType", document, l(s("a"), i(0))) == number)
        #expect(try lsl("llJsonValueType", document, l(s("s"))) == string)
        #expect(try lsl("llJsonValueType", document, l(s("t"))) == yes)
        #expect(try lsl("llJsonValueType", document, l(s("f"))) == no)
        #expect(try lsl("llJsonValueType", document, l(s("n"))) == null)
        #expect(try lsl("llJsonValueType", document, l(s("zz"))) == invalid)
        #expect(try lsl("llJsonValueType", s("{oops}"), l()) == invalid)
    }

    @Test func listsToJSON() throws {
        #expect(try lsl("llList2Json", array, l(i(1), f(2.5), s("a"), s("true"), yes, s("[1]"), s("2"), s(""), v(1, 2, 3)))
            == s(#"[1,2.500000,"a",true,true,[1],"2","","<1.000000, 2.000000, 3.000000>"]"#))
        #expect(try lsl("llList2Json", object, l(s("a"), i(1), s("b"), s("x\"y"))) == s(#"{"a":1,"b":"x\"y"}"#))
        #expect(try lsl("llList2Json", object, l(s("a"))) == invalid)
        #expect(try lsl("llList2Json", s("nonsense"), l()) == invalid)
        #expect(try lsl("llList2Json", array, l()) == s("[]"))
        #expect(try lsl("llList2Json", array, l(s(" a/b\tc\n"))) == s(#"["a\/b\tc"]"#))
    }

    @Test func jsonToLists() throws {
        #expect(try lsl("llJson2List", s(#"[1, 2.5, "a", true, null, [3, 4], {"k": 1}]"#))
            == l(i(1), f(2.5), s("a"), yes, null, s("[3, 4]"), s(#"{"k": 1}"#)))
        #expect(try lsl("llJson2List", s(#"{"a": 1, "b": "x"}"#)) == l(s("a"), i(1), s("b"), s("x")))
        #expect(try lsl("llJson2List", s("[]")) == l())
        #expect(try lsl("llJson2List", s("")) == l())
        #expect(try lsl("llJson2List", s("42")) == l(i(42)))
        #expect(try lsl("llJson2List", s("[99999999999, -99999999999]")) == l(i(2147483647), i(-2147483648)))
        #expect(try lsl("llJson2List", s("[1,")) == l(invalid))
        #expect(try lsl("llJson2List", s("plain")) == l(s("plain")))
    }

    @Test func wikiExamples() throws {
        // llJsonSetValue
        let test = s(#"[9,"<1,1,1>",false,{"A":8,"Z":9}]"#)
        #expect(try lsl("llJsonSetValue", test, l(i(0)), s("10")) == s(#"[10,"<1,1,1>",false,{"A":8,"Z":9}]"#))
        #expect(try lsl("llJsonSetValue", test, l(i(2)), yes) == s(#"[9,"<1,1,1>",true,{"A":8,"Z":9}]"#))
        #expect(try lsl("llJsonSetValue", test, l(i(3), s("A")), s("3")) == s(#"[9,"<1,1,1>",false,{"A":3,"Z":9}]"#))
        #expect(try lsl("llJsonSetValue", test, l(i(-1)), s("Hello")) == s(#"[9,"<1,1,1>",false,{"A":8,"Z":9},"Hello"]"#))
        // llList2Json
        #expect(try lsl("llList2Json", array, l(s("89556747-24cb-43ed-920b-47caed15465f"))) == s(#"["89556747-24cb-43ed-920b-47caed15465f"]"#))
        #expect(try lsl("llList2Json", object, l(s("pi"), f(3.14), s("set"), s("[1,2,3]"), s("status"), s("ok")))
            == s(#"{"pi":3.140000,"set":[1,2,3],"status":"ok"}"#))
        #expect(try lsl("llList2Json", array, l(i(0), f(3.14), s("[1,2,3]"), s("{}"))) == s("[0,3.140000,[1,2,3],{}]"))
        // Strings are read as JSON: quotes must be added to keep words as strings.
        let words = try lsl("llList2Json", array, l(s("bacon"), s("true"), s("false"), s("null")))
        #expect(try lsl("llJson2List", words) == l(s("bacon"), yes, no, null))
        let quoted = try lsl("llList2Json", array, l(s("\"bacon\""), s("\"true\""), s("\"false\""), s("\"null\"")))
        #expect(try lsl("llJson2List", quoted) == l(s("bacon"), s("true"), s("false"), s("null")))
    }

    @Test func settingValues() throws {
        #expect(try lsl("llJsonSetValue", s(#"{"a":1}"#), l(s("b")), s("2")) == s(#"{"a":1,"b":2}"#))
        #expect(try lsl("llJsonSetValue", s(#"{"a":1}"#), l(s("a")), s("x")) == s(#"{"a":"x"}"#))
        #expect(try lsl("llJsonSetValue", s(#"{"a":1,"b":2}"#), l(s("a")), delete) == s(#"{"b":2}"#))
        #expect(try lsl("llJsonSetValue", s("[1,2]"), l(i(-1)), s("3")) == s("[1,2,3]"))
        #expect(try lsl("llJsonSetValue", s("[1,2]"), l(i(2)), s("3")) == s("[1,2,3]"))
        #expect(try lsl("llJsonSetValue", s("[1,2]"), l(i(0)), s("true")) == s("[true,2]"))
        #expect(try lsl("llJsonSetValue", s("[1,2]"), l(i(0)), delete) == s("[2]"))
        #expect(try lsl("llJsonSetValue", s("[1,2]"), l(i(5)), s("3")) == invalid)
        #expect(try lsl("llJsonSetValue", s(#"{"a":1}"#), l(i(1)), s("3")) == invalid)
        // JSON_APPEND (or 0) where there is no array puts an array there.
        #expect(try lsl("llJsonSetValue", s(#"{"a":1}"#), l(i(0)), s("3")) == s("[3]"))
        #expect(try lsl("llJsonSetValue", s(#"{"a":{"b":2}}"#), l(s("a"), i(-1)), s("3")) == s(#"{"a":[3]}"#))
        #expect(try lsl("llJsonSetValue", s(""), l(s("a"), i(0)), s("x")) == s(#"{"a":["x"]}"#))
        #expect(try lsl("llJsonSetValue", s(#"{"a":{"b":[1]}}"#), l(s("a"), s("b"), i(-1)), s(#"{"c":null}"#)) == s(#"{"a":{"b":[1,{"c":null}]}}"#))
        #expect(try lsl("llJsonSetValue", s(#"{"a":1}"#), l(s("a")), yes) == s(#"{"a":true}"#))
        #expect(try lsl("llJsonSetValue", s("anything"), l(), s("5")) == s("5"))
    }
}
