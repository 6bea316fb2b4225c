import Testing
@testable import TesseraLSL

/// The library and the casts and operators as scripts see them, run by the VM.
@Suite struct LibraryScriptTests {
    @Test func aScriptUsingTheLibrary() throws {
        let lines = try VMRun.output(#"""
            default {
                state_entry() {
                    list l = llParseString2List("a,b;c", [",", ";"], []);
                    llOwnerSay(llDumpList2String(l, "|"));
                    llOwnerSay(llList2CSV(llListSort([3, 1, 2], 1, TRUE)));
                    llOwnerSay(llGetSubString("abcdefghij", -4, 2));
                    llOwnerSay((string)llStringLength("héllo"));
                    llOwnerSay((string)1.5 + " " + (string)<1, 2, 3> + " " + (string)[2.5, <1, 2, 3>]);
                    llOwnerSay((string)((integer)"0x1F" + (integer)"  42abc"));
                    llOwnerSay((string)((vector)"<1, 2, 3>" * 2));
                    llOwnerSay(llMD5String("Hello, Avatar!", 0));
                    llOwnerSay(llJsonGetValue(llList2Json(JSON_OBJECT, ["a", 1, "b", "x"]), ["b"]));
                    llOwnerSay((string)([1, 2, 3] != [1]));
                    key k = NULL_KEY;
                    if (k) llOwnerSay("null key is true"); else llOwnerSay("null key is false");
                    llOwnerSay((string)llListStatistics(LIST_STAT_MEAN, [1, 2, 3, 4]));
                    llOwnerSay((string)(-2147483648 / -1));
                    float zero = 0.0;
                    llOwnerSay((string)(1.0 / zero));
                }
            }
            """#)
        #expect(lines == [
            "a|b|c",
            "1, 2, 3",
            "abcghij",
            "5",
            "1.500000 <1.00000, 2.00000, 3.00000> 2.500000<1.000000, 2.000000, 3.000000>",
            "73",
            "<2.00000, 4.00000, 6.00000>",
            "112abd47ceaae1c05a826828650434a6",
            "x",
            "2",
            "null key is false",
            "2.500000",
            "-2147483648",
            "ERROR Math Error",
        ])
    }
}
