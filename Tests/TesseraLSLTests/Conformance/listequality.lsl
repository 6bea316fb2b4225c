// List comparison compares lengths only (wiki, List: "list == list" is true when the lengths are
// equal; "list != list" gives the difference of the lengths, left minus right).

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
        checkI("listeq.same_length_different_values", [1, 2, 3] == [4, 5, 6], 1);
        checkI("listeq.different_length", [1, 2] == [1, 2, 3], 0);
        checkI("listeq.empty", [] == [], 1);
        checkI("listeq.not_equal.shorter", [1, 2] != [1, 2, 3], -1);
        checkI("listeq.not_equal.longer", [1, 2, 3] != [], 3);
        checkI("listeq.not_equal.same_length", ["a"] != ["b"], 0);
        list a = ["x", "y"];
        list b = [1.0, <1, 2, 3>];
        checkI("listeq.variables", a == b, 1);
        checkI("listeq.variables.not_equal", a != b, 0);
        integer r = 0;
        if (a != ["x", "y", "z", "w"]) r = 1;
        checkI("listeq.in_condition", r, 1);
        r = 0;
        if (a == ["different", "values"]) r = 1;
        checkI("listeq.values_ignored", r, 1);
        checkI("listeq.idiom_empty", a == [], 0);
        checkI("listeq.not_equal.arithmetic", ([1, 2, 3] != [1]) * 10, 20);
        checkI("listeq.types_ignored", ["1"] == [1], 1);
        checkI("listeq.vectors", [<1, 2, 3>] == [<4, 5, 6>], 1);
        checkI("listeq.empty_not_equal", [] != [1, 2], -2);
        checkI("listeq.self", a == a, 1);
        checkI("listeq.after_append", a + ["z"] != a, 1);
        checkI("listeq.length_idiom", (a != []) == llGetListLength(a), 1);
        checkI("listeq.negated", !(a == b), 0);
        checkI("listeq.sublist", llList2List(a, 0, 0) == ["q"], 1);
        done();
    }
}
