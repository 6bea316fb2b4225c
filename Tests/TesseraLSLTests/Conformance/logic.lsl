// && and || evaluate both operands, always (wiki, LSL Operators: "There is no Short Circuiting
// of Logical Operators in LSL, both operands will be evaluated regardless"), right operand
// first like every binary operator. Both give 0 or 1. They share one precedence level, left
// associative (SL's compiler grammar), so a || b && c is (a || b) && c.

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

integer calls;
string trace;

integer t(integer value)
{
    ++calls;
    return value;
}

integer f(string tag, integer value)
{
    trace += tag;
    return value;
}

default
{
    state_entry()
    {
        calls = 0;
        integer r = t(FALSE) && t(TRUE);
        checkI("logic.and.both_called", calls, 2);
        checkI("logic.and.value", r, 0);
        calls = 0;
        r = t(TRUE) || t(FALSE);
        checkI("logic.or.both_called", calls, 2);
        checkI("logic.or.value", r, 1);
        calls = 0;
        if (t(0) && t(1)) r = 5;
        checkI("logic.if_and.both_called", calls, 2);
        calls = 0;
        if (t(1) || t(1)) r = 5;
        checkI("logic.if_or.both_called", calls, 2);
        calls = 0;
        while (t(0) && t(1)) r = 5;
        checkI("logic.while.both_called", calls, 2);
        trace = "";
        r = f("a", 0) && f("b", 1);
        check("logic.and.order", trace, "ba");
        trace = "";
        r = f("a", 1) || f("b", 1);
        check("logic.or.order", trace, "ba");

        checkI("logic.and.normalizes", 2 && 3, 1);
        checkI("logic.and.false", 0 && 5, 0);
        checkI("logic.or.false", 0 || 0, 0);
        checkI("logic.or.normalizes", -1 || 0, 1);
        checkI("logic.same_level", TRUE || TRUE && FALSE, 0);
        checkI("logic.same_level_other", FALSE && FALSE || TRUE, 1);
        checkI("logic.not_binds_tighter", !0 && 1, 1);
        checkI("logic.with_comparison", 1 < 2 && 3 > 2, 1);
        checkI("logic.not_comparison", !(1 == 2), 1);
        checkI("logic.negative_operands", -1 && -1, 1);
        calls = 0;
        r = t(1) && t(1) && t(0) && t(1);
        checkI("logic.chain.all_called", calls, 4);
        r = 0;
        if (FALSE) if (TRUE) r = 1; else r = 2;
        checkI("logic.dangling_else", r, 0);
        integer n = 0;
        do ++n; while (FALSE);
        checkI("logic.do_while_runs_once", n, 1);
        n = 0;
        @again;
        ++n;
        if (n < 3) jump again;
        checkI("logic.jump_loop", n, 3);
        calls = 0;
        for (n = 0; t(n < 3); ++n) ;
        checkI("logic.for_condition_calls", calls, 4);
        done();
    }
}
