// Order of evaluation. SL evaluates the operands of a binary operator right to left (the right
// operand first), but the elements of a list and the arguments of a call left to right. Sources:
// the LSL wiki's operators page (revision of 10 January 2010: "All of the bytecode operators in
// LSO are backwards, which is why it's Right to Left. Only list expressions and function
// parameters are executed left to right") and its example, whose results are given there:
//     (string)(++a) + " " + (string)(++a)   ->  "2.000000 1.000000"
//     (string)[++b, " ", ++b]               ->  "1.000000 2.000000"
//     uExample(++c, ++c)                    ->  "1.000000 2.000000"
// Mono keeps LSO's order. Not checked: the order of a vector literal's components.

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

string trace;
float a;
float b;
float c;

integer f(string tag, integer value)
{
    trace += tag;
    return value;
}

string s(string tag, string value)
{
    trace += tag;
    return value;
}

string pair(float x, float y)
{
    return (string)x + " " + (string)y;
}

integer sum3(integer x, integer y, integer z)
{
    return x * 100 + y * 10 + z;
}

default
{
    state_entry()
    {
        check("order.wiki.concat", (string)(++a) + " " + (string)(++a), "2.000000 1.000000");
        check("order.wiki.list", (string)[++b, " ", ++b], "1.000000 2.000000");
        check("order.wiki.arguments", pair(++c, ++c), "1.000000 2.000000");

        trace = "";
        integer r = f("a", 1) + f("b", 2);
        check("order.plus.trace", trace, "ba");
        checkI("order.plus.value", r, 3);
        trace = "";
        r = f("a", 10) - f("b", 3);
        check("order.minus.trace", trace, "ba");
        checkI("order.minus.value", r, 7);
        trace = "";
        r = f("a", 2) * f("b", 3) + f("c", 4);
        check("order.tree.trace", trace, "cba");
        checkI("order.tree.value", r, 10);
        trace = "";
        r = f("a", 1) < f("b", 2);
        check("order.compare.trace", trace, "ba");
        trace = "";
        r = -f("a", 3) + f("b", 1);
        check("order.unary.trace", trace, "ba");
        checkI("order.unary.value", r, -2);
        trace = "";
        string t = s("a", "x") + s("b", "y");
        check("order.concat.trace", trace, "ba");
        check("order.concat.value", t, "xy");

        trace = "";
        r = sum3(f("a", 1), f("b", 2), f("c", 3));
        check("order.arguments.trace", trace, "abc");
        checkI("order.arguments.value", r, 123);
        trace = "";
        list l = [f("a", 1), f("b", 2), f("c", 3)];
        check("order.list.trace", trace, "abc");
        trace = "";
        t = llGetSubString(s("a", "hello"), f("b", 1), f("c", 2));
        check("order.builtin_arguments.trace", trace, "abc");
        check("order.builtin_arguments.value", t, "el");
        trace = "";
        r = f("outer", f("inner", 1));
        check("order.nested_call.trace", trace, "innerouter");

        integer x;
        r = (x = 1) + (x = 2);
        checkI("order.assign_both.value", r, 3);
        checkI("order.assign_both.last", x, 1);
        integer i = 1;
        r = i++ + i;
        checkI("order.postincrement_left.value", r, 2);
        checkI("order.postincrement_left.after", i, 2);
        i = 1;
        r = i + i++;
        checkI("order.postincrement_right.value", r, 3);
        i = 1;
        r = i + ++i;
        checkI("order.preincrement_right.value", r, 4);
        i = 5;
        r = i - (i = 2);
        checkI("order.assign_right.value", r, 0);
        i = 5;
        r = (i = 2) - i;
        checkI("order.assign_left.value", r, -3);
        i = 1;
        l = [i++, i++, i];
        check("order.list_increments", llDumpList2String(l, ","), "1,2,3");
        done();
    }
}
