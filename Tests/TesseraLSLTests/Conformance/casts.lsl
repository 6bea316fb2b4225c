// Casts between every pair of types, from the LSL wiki's typecast rules: string to integer
// reads like C's strtol (leading white space, a sign, decimal or 0x hex, stops at the first bad
// character), float to string is "%f", vectors and rotations cast alone have 5 decimals, and
// inside a list cast (or llList2String) 6.

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

default
{
    state_entry()
    {
        // string -> integer
        checkI("casts.str2int.decimal", (integer)"42", 42);
        checkI("casts.str2int.hex", (integer)"0x1A", 26);
        checkI("casts.str2int.hex_lower", (integer)"0xff", 255);
        checkI("casts.str2int.hex_junk", (integer)"0x1Ag", 26);
        checkI("casts.str2int.leading_space", (integer)"  12abc", 12);
        checkI("casts.str2int.letters", (integer)"abc", 0);
        checkI("casts.str2int.empty", (integer)"", 0);
        checkI("casts.str2int.negative", (integer)"-17", -17);
        checkI("casts.str2int.negative_space", (integer)" -5x", -5);
        checkI("casts.str2int.float_text", (integer)"3.99", 3);
        checkI("casts.str2int.exponent_text", (integer)"1e3", 1);

        // float -> integer truncates toward zero
        checkI("casts.float2int.positive", (integer)3.99, 3);
        checkI("casts.float2int.negative", (integer)-3.99, -3);
        checkI("casts.float2int.small", (integer)0.5, 0);

        // integer -> float, string -> float
        checkF("casts.int2float", (float)7, 7.0);
        checkF("casts.str2float", (float)"2.5", 2.5);
        checkF("casts.str2float.leading_space", (float)"  1.25xyz", 1.25);
        checkF("casts.str2float.exponent", (float)"1e3", 1000.0);
        checkF("casts.str2float.leading_dot", (float)".5", 0.5);
        checkF("casts.str2float.integer_text", (float)"7", 7.0);
        checkF("casts.str2float.letters", (float)"abc", 0.0);

        // float -> string: "%f", six decimals
        check("casts.float2str.simple", (string)1.5, "1.500000");
        check("casts.float2str.negative", (string)-0.25, "-0.250000");
        check("casts.float2str.third", (string)(1.0 / 3.0), "0.333333");
        check("casts.float2str.million", (string)1000000.0, "1000000.000000");
        check("casts.float2str.e10", (string)1e10, "10000000000.000000");
        check("casts.float2str.tiny", (string)0.0000004, "0.000000");
        check("casts.float2str.small_negative", (string)-1.5e-3, "-0.001500");
        check("casts.int2float2str", (string)((float)3), "3.000000");
        // Negative zero shows only through a string cast (wiki, Float).
        float zero = 0.0;
        check("casts.float2str.negative_zero", (string)(-zero), "-0.000000");

        // integer -> string
        check("casts.int2str", (string)-42, "-42");
        check("casts.int2str.min", (string)0x80000000, "-2147483648");
        check("casts.int2str.comparison", (string)(3 > 2), "1");

        // vector and rotation -> string: five decimals, ", " between components
        check("casts.vec2str", (string)<1.0, 2.5, -3.0>, "<1.00000, 2.50000, -3.00000>");
        check("casts.vec2str.rounding", (string)<0.123456, 0.0, 0.0>, "<0.12346, 0.00000, 0.00000>");
        check("casts.rot2str", (string)ZERO_ROTATION, "<0.00000, 0.00000, 0.00000, 1.00000>");
        check("casts.vec2str.zero", (string)ZERO_VECTOR, "<0.00000, 0.00000, 0.00000>");

        // list -> string: elements joined with nothing between, floats and vectors with six decimals
        check("casts.list2str", (string)[1, 2.5, "a", <1, 2, 3>], "12.500000a<1.000000, 2.000000, 3.000000>");
        check("casts.list2str.rotation", (string)[ZERO_ROTATION], "<0.000000, 0.000000, 0.000000, 1.000000>");
        check("casts.list2str.empty", (string)[], "");
        check("casts.list2str.key", (string)[NULL_KEY], "00000000-0000-0000-0000-000000000000");
        check("casts.llList2String.vector", llList2String([<1, 2, 3>], 0), "<1.000000, 2.000000, 3.000000>");
        check("casts.llList2String.float", llList2String([0.1], 0), "0.100000");

        // string -> vector / rotation
        check("casts.str2vec", (string)((vector)"<1, 2, 3>"), "<1.00000, 2.00000, 3.00000>");
        check("casts.str2vec.compact", (string)((vector)"<1.5,-2,3e1>"), "<1.50000, -2.00000, 30.00000>");
        check("casts.str2vec.trailing_text", (string)((vector)"<1,2,3> tail"), "<1.00000, 2.00000, 3.00000>");
        check("casts.str2vec.no_brackets", (string)((vector)"1,2,3"), "<0.00000, 0.00000, 0.00000>");
        check("casts.str2rot", (string)((rotation)"<1,2,3,4>"), "<1.00000, 2.00000, 3.00000, 4.00000>");
        // (rotation)"junk" is left out: whether SL gives <0,0,0,0> or ZERO_ROTATION is not documented.

        // key <-> string
        check("casts.key2str", (string)((key)"abc"), "abc");
        key k = "a822ff2b-ff02-461d-b45d-dcd10a2de0c2";
        check("casts.key.implicit", k, "a822ff2b-ff02-461d-b45d-dcd10a2de0c2");

        // anything -> list: a list of one element of that type
        checkI("casts.tolist.length", llGetListLength((list)"x"), 1);
        checkI("casts.tolist.integer_type", llGetListEntryType((list)5, 0), TYPE_INTEGER);
        checkI("casts.tolist.vector_type", llGetListEntryType((list)<1, 2, 3>, 0), TYPE_VECTOR);

        // implicit integer -> float in arithmetic; integer division stays integer
        check("casts.implicit.float_division", (string)(1 / 2.0), "0.500000");
        checkI("casts.integer_division", 7 / 2, 3);
        done();
    }
}
