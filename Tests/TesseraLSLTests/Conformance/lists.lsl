// List functions, from their wiki pages: negative indexes count from the end; a start after the
// end ("inverted range") means everything outside the range; llList2* convert like casts;
// llParseString2List drops empty strings, llParseStringKeepNulls keeps them.

// Self-checking: one line per check ("PASS name" or "FAIL name expected "..." got "..."),
// then "DONE n passed m failed".
integer passed;
integer failed;

pass(string name)
{
    ++passed;
    llOwnerSay("PASS " + name);
}

fail(string name, string expected, string got)
{
    ++failed;
    llOwnerSay("FAIL " + name + " expected \"" + expected + "\" got \"" + got + "\"");
}

check(string name, string got, string expected)
{
    if (got == expected) pass(name);
    else fail(name, expected, got);
}

checkI(string name, integer got, integer expected)
{
    if (got == expected) pass(name);
    else fail(name, (string)expected, (string)got);
}

checkF(string name, float got, float expected)
{
    if (got == expected) pass(name);
    else fail(name, (string)expected, (string)got);
}

done()
{
    llOwnerSay("DONE " + (string)passed + " passed " + (string)failed + " failed");
}

string dump(list l)
{
    return llDumpList2String(l, ",");
}

default
{
    state_entry()
    {
        list L = [1, 2.5, "three", <4, 4, 4>, (key)"k5", ZERO_ROTATION];
        checkI("list.length", llGetListLength(L), 6);
        checkI("list.length.empty", llGetListLength([]), 0);
        checkI("list.2int", llList2Integer(L, 0), 1);
        checkI("list.2int.from_float", llList2Integer(L, 1), 2);
        checkF("list.2float.from_int", llList2Float(L, 0), 1.0);
        check("list.2str.float", llList2String(L, 1), "2.500000");
        check("list.2str.vector", llList2String(L, 3), "<4.000000, 4.000000, 4.000000>");
        check("list.2str.rotation", llList2String(L, 5), "<0.000000, 0.000000, 0.000000, 1.000000>");
        check("list.2str.negative_index", llList2String(L, -4), "three");
        check("list.2str.last", llList2String(L, -6), "1");
        check("list.2str.out_of_range", llList2String(L, 6), "");
        checkI("list.2int.out_of_range", llList2Integer(L, 99), 0);
        check("list.2key", llList2Key(L, 4), "k5");
        check("list.2key.from_string", llList2Key(L, 2), "three");
        checkI("list.2int.from_string", llList2Integer(["12abc"], 0), 12);
        checkI("list.2int.from_hex_string", llList2Integer(["0x10"], 0), 16);
        checkF("list.2float.from_string", llList2Float(["2.5x"], 0), 2.5);
        checkI("list.type.integer", llGetListEntryType(L, 0), TYPE_INTEGER);
        checkI("list.type.float", llGetListEntryType(L, 1), TYPE_FLOAT);
        checkI("list.type.string", llGetListEntryType(L, 2), TYPE_STRING);
        checkI("list.type.vector", llGetListEntryType(L, 3), TYPE_VECTOR);
        checkI("list.type.key", llGetListEntryType(L, 4), TYPE_KEY);
        checkI("list.type.rotation", llGetListEntryType(L, -1), TYPE_ROTATION);
        checkI("list.type.out_of_range", llGetListEntryType(L, 6), TYPE_INVALID);

        list N = ["a", "b", "c", "d", "e"];
        check("list.sublist", dump(llList2List(N, 1, 3)), "b,c,d");
        check("list.sublist.negative", dump(llList2List(N, -2, -1)), "d,e");
        check("list.sublist.inverted", dump(llList2List(N, 3, 1)), "a,b,d,e");
        check("list.sublist.inverted_negative", dump(llList2List(N, -1, 1)), "a,b,e");
        check("list.sublist.single", dump(llList2List(N, 2, 2)), "c");
        check("list.sublist.end_beyond", dump(llList2List(N, 3, 10)), "d,e");
        check("list.sublist.start_beyond", dump(llList2List(N, 7, 9)), "");
        check("list.delete", dump(llDeleteSubList(N, 1, 2)), "a,d,e");
        check("list.delete.inverted", dump(llDeleteSubList(N, 3, 1)), "c");
        check("list.delete.last", dump(llDeleteSubList(N, -1, -1)), "a,b,c,d");
        check("list.insert.front", dump(llListInsertList(N, ["X"], 0)), "X,a,b,c,d,e");
        check("list.insert.middle", dump(llListInsertList(N, ["X"], 2)), "a,b,X,c,d,e");
        check("list.insert.negative", dump(llListInsertList(N, ["X"], -1)), "a,b,c,d,X,e");
        check("list.insert.beyond", dump(llListInsertList(N, ["X"], 99)), "a,b,c,d,e,X");
        check("list.replace", dump(llListReplaceList(N, ["X", "Y"], 1, 2)), "a,X,Y,d,e");
        check("list.strided", dump(llList2ListStrided([1, 2, 3, 4, 5, 6], 0, -1, 2)), "1,3,5");

        checkI("list.find", llListFindList([1, 2, 3, 2], [2]), 1);
        checkI("list.find.sequence", llListFindList([1, 2, 3], [2, 3]), 1);
        checkI("list.find.wrong_order", llListFindList([1, 2, 3], [3, 2]), -1);
        checkI("list.find.type_matters", llListFindList([1], ["1"]), -1);
        checkI("list.find.string", llListFindList(N, ["d"]), 3);

        check("list.sort.ascending", dump(llListSort([3, 1, 2], 1, TRUE)), "1,2,3");
        check("list.sort.descending", dump(llListSort([3, 1, 2], 1, FALSE)), "3,2,1");
        check("list.sort.stride", dump(llListSort(["b", 2, "a", 1, "c", 3], 2, TRUE)), "a,1,b,2,c,3");
        check("list.sort.stride_descending", dump(llListSort(["b", 2, "a", 1, "c", 3], 2, FALSE)), "c,3,b,2,a,1");
        check("list.sort.case", dump(llListSort(["b", "B", "a", "A"], 1, TRUE)), "A,B,a,b");

        list P = llParseString2List("a,b,,c", [","], []);
        checkI("list.parse.drops_empty", llGetListLength(P), 3);
        check("list.parse.values", llDumpList2String(P, "|"), "a|b|c");
        P = llParseStringKeepNulls("a,b,,c", [","], []);
        checkI("list.parse_keep.length", llGetListLength(P), 4);
        check("list.parse_keep.values", llDumpList2String(P, "|"), "a|b||c");
        P = llParseStringKeepNulls(",a,", [","], []);
        checkI("list.parse_keep.edges", llGetListLength(P), 3);
        check("list.parse.spacers", llDumpList2String(llParseString2List("1+2=3", [], ["+", "="]), "|"), "1|+|2|=|3");
        check("list.parse.both", llDumpList2String(llParseString2List("a b+c", [" "], ["+"]), "|"), "a|b|+|c");
        checkI("list.parse.types", llGetListEntryType(llParseString2List("1 2", [" "], []), 0), TYPE_STRING);

        check("list.dump", llDumpList2String([1, 2.5, "x", <1, 2, 3>], "; "), "1; 2.500000; x; <1.000000, 2.000000, 3.000000>");
        check("list.dump.empty", llDumpList2String([], ","), "");
        check("list.to_csv", llList2CSV([1, 2.5, "a", <1, 2, 3>]), "1, 2.500000, a, <1.000000, 2.000000, 3.000000>");
        list C = llCSV2List("a,b,c");
        checkI("list.from_csv.length", llGetListLength(C), 3);
        C = llCSV2List("<1,2,3>,x");
        checkI("list.from_csv.vector_kept", llGetListLength(C), 2);
        check("list.from_csv.vector_text", llList2String(C, 0), "<1,2,3>");
        checkI("list.from_csv.type", llGetListEntryType(llCSV2List("1"), 0), TYPE_STRING);

        checkF("list.stat.mean", llListStatistics(LIST_STAT_MEAN, [1, 2, 3, 4]), 2.5);
        checkF("list.stat.sum", llListStatistics(LIST_STAT_SUM, [1, 2, 3, 4]), 10.0);
        checkF("list.stat.min", llListStatistics(LIST_STAT_MIN, [3, 1, 2]), 1.0);
        checkF("list.stat.max", llListStatistics(LIST_STAT_MAX, [3, 1, 2]), 3.0);
        checkF("list.stat.range", llListStatistics(LIST_STAT_RANGE, [3, 1, 2]), 2.0);
        checkF("list.stat.median", llListStatistics(LIST_STAT_MEDIAN, [3, 1, 2]), 2.0);
        checkF("list.stat.num_count", llListStatistics(LIST_STAT_NUM_COUNT, [1, "a", 2.0]), 2.0);
        checkF("list.stat.ignores_strings", llListStatistics(LIST_STAT_MEAN, [1, "a", 3]), 2.0);

        list G = [1];
        G += 2;
        G += [3, 4];
        G = "zero" + G;
        check("list.append", dump(G), "zero,1,2,3,4");
        G = G + G;
        checkI("list.self_append", llGetListLength(G), 10);
        done();
    }
}
