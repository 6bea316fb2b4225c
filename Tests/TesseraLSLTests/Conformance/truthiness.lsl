// What a condition counts as true, by type (wiki, key and Flow Control): a key is true only when
// it is a valid UUID other than NULL_KEY; a string when it is not empty; a float when it is not
// 0.0; a vector when it is not ZERO_VECTOR; a list when it has elements. Rotations are left out:
// whether SL compares them with ZERO_ROTATION or with <0, 0, 0, 0> is not documented.

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

integer keyTrue(key k)
{
    if (k) return TRUE;
    return FALSE;
}

default
{
    state_entry()
    {
        checkI("truth.key.null", keyTrue(NULL_KEY), FALSE);
        checkI("truth.key.valid", keyTrue("a822ff2b-ff02-461d-b45d-dcd10a2de0c2"), TRUE);
        checkI("truth.key.text", keyTrue("abc"), FALSE);
        checkI("truth.key.empty", keyTrue(""), FALSE);
        checkI("truth.key.almost_uuid", keyTrue("a822ff2b-ff02-461d-b45d-dcd10a2de0c"), FALSE);
        key k = "a822ff2b-ff02-461d-b45d-dcd10a2de0c2";
        integer r = 0;
        while (k)
        {
            r++;
            k = NULL_KEY;
        }
        checkI("truth.key.while", r, 1);
        check("truth.null_key_text", (string)NULL_KEY, "00000000-0000-0000-0000-000000000000");

        r = 0;
        if ("") r = 1;
        checkI("truth.string.empty", r, 0);
        r = 0;
        if ("0") r = 1;
        checkI("truth.string.zero_text", r, 1);
        r = 0;
        if (0.0) r = 1;
        checkI("truth.float.zero", r, 0);
        r = 0;
        if (0.1) r = 1;
        checkI("truth.float.nonzero", r, 1);
        r = 0;
        if (-1) r = 1;
        checkI("truth.integer.negative", r, 1);
        r = 0;
        if (ZERO_VECTOR) r = 1;
        checkI("truth.vector.zero", r, 0);
        r = 0;
        if (<0, 0, 0.5>) r = 1;
        checkI("truth.vector.nonzero", r, 1);
        r = 0;
        if ([]) r = 1;
        checkI("truth.list.empty", r, 0);
        r = 0;
        if ([0]) r = 1;
        checkI("truth.list.one_zero", r, 1);
        r = 0;
        if ([""]) r = 1;
        checkI("truth.list.one_empty_string", r, 1);
        string s;
        r = 0;
        for (s = "ab"; s; s = llDeleteSubString(s, 0, 0)) ++r;
        checkI("truth.string.for_loop", r, 2);
        r = 0;
        k = "a822ff2b-ff02-461d-b45d-dcd10a2de0c2";
        do
        {
            ++r;
            k = "not a uuid";
        }
        while (k);
        checkI("truth.key.do_while", r, 1);
        r = 0;
        if (-0.5) r = 1;
        checkI("truth.float.negative", r, 1);
        r = 0;
        if (5 & 2) r = 1;
        checkI("truth.integer.bits_zero", r, 0);
        checkI("truth.null_key_equals_text", NULL_KEY == "00000000-0000-0000-0000-000000000000", 1);
        done();
    }
}
