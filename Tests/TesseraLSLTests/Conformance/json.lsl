// JSON functions, from their wiki pages: llList2Json writes no spaces, floats with six
// decimals, strings quoted unless they are JSON arrays or objects themselves; llJsonGetValue
// returns the text of a value (JSON_INVALID when the path does not exist, the JSON_TRUE /
// JSON_FALSE / JSON_NULL constants for those literals); llJsonSetValue keeps the order of keys and
// appends new ones; JSON_APPEND adds to an array, JSON_DELETE removes.

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

string typeName(string t)
{
    if (t == JSON_INVALID) return "invalid";
    if (t == JSON_OBJECT) return "object";
    if (t == JSON_ARRAY) return "array";
    if (t == JSON_NUMBER) return "number";
    if (t == JSON_STRING) return "string";
    if (t == JSON_NULL) return "null";
    if (t == JSON_TRUE) return "true";
    if (t == JSON_FALSE) return "false";
    return "text:" + t;
}

default
{
    state_entry()
    {
        check("json.array", llList2Json(JSON_ARRAY, [1, 2.5, "a", TRUE]), "[1,2.500000,\"a\",1]");
        check("json.object", llList2Json(JSON_OBJECT, ["a", 1, "b", "x"]), "{\"a\":1,\"b\":\"x\"}");
        check("json.nested_text", llList2Json(JSON_ARRAY, ["[1,2]", "{\"k\":3}"]), "[[1,2],{\"k\":3}]");
        check("json.escape", llList2Json(JSON_ARRAY, ["a\"b"]), "[\"a\\\"b\"]");
        check("json.empty_array", llList2Json(JSON_ARRAY, []), "[]");

        string j = "{\"a\":[1,2,{\"b\":\"c\"}],\"t\":true,\"f\":false,\"n\":null,\"o\":{\"p\":1}}";
        check("json.get.path", llJsonGetValue(j, ["a", 2, "b"]), "c");
        check("json.get.index", llJsonGetValue(j, ["a", 1]), "2");
        check("json.get.missing", typeName(llJsonGetValue(j, ["zz"])), "invalid");
        check("json.get.index_beyond", typeName(llJsonGetValue(j, ["a", 5])), "invalid");
        check("json.get.true", typeName(llJsonGetValue(j, ["t"])), "true");
        check("json.get.false", typeName(llJsonGetValue(j, ["f"])), "false");
        check("json.get.null", typeName(llJsonGetValue(j, ["n"])), "null");
        check("json.get.object_text", llJsonGetValue(j, ["o"]), "{\"p\":1}");

        check("json.type.root", typeName(llJsonValueType(j, [])), "object");
        check("json.type.array", typeName(llJsonValueType(j, ["a"])), "array");
        check("json.type.number", typeName(llJsonValueType(j, ["a", 0])), "number");
        check("json.type.string", typeName(llJsonValueType(j, ["a", 2, "b"])), "string");
        check("json.type.true", typeName(llJsonValueType(j, ["t"])), "true");
        check("json.type.missing", typeName(llJsonValueType(j, ["nope"])), "invalid");
        check("json.type.not_json", typeName(llJsonValueType("{bad", [])), "invalid");

        check("json.set.new_key", llJsonSetValue("{\"a\":1}", ["b"], "2"), "{\"a\":1,\"b\":2}");
        check("json.set.replace", llJsonSetValue("{\"a\":1}", ["a"], "x"), "{\"a\":\"x\"}");
        check("json.set.append", llJsonSetValue("[1,2]", [JSON_APPEND], "3"), "[1,2,3]");
        check("json.set.index", llJsonSetValue("[1,2]", [0], "9"), "[9,2]");
        check("json.set.delete", llJsonSetValue("{\"a\":1,\"b\":2}", ["a"], JSON_DELETE), "{\"b\":2}");
        check("json.set.true", llJsonSetValue("{}", ["k"], JSON_TRUE), "{\"k\":true}");

        list l = llJson2List("[1,\"a\",2.5]");
        checkI("json.to_list.length", llGetListLength(l), 3);
        checkI("json.to_list.integer", llGetListEntryType(l, 0), TYPE_INTEGER);
        checkI("json.to_list.string", llGetListEntryType(l, 1), TYPE_STRING);
        checkI("json.to_list.float", llGetListEntryType(l, 2), TYPE_FLOAT);
        checkF("json.to_list.float_value", llList2Float(l, 2), 2.5);
        check("json.to_list.object", llDumpList2String(llJson2List("{\"a\":1,\"b\":\"x\"}"), ","), "a,1,b,x");
        done();
    }
}
