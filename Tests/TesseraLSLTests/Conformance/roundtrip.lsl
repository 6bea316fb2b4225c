// A little of everything for the capture round trip: casts, list functions, recursion (frames
// on the stack mid-call), a sleep, a timer, a state change with state_exit, a queued event and
// print. ConformanceTests also runs it captured and restored after every instruction.

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

list acc;

integer fib(integer n)
{
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

string build(integer n)
{
    string s;
    integer i;
    for (i = 0; i < n; ++i) s += (string)i;
    return s;
}

default
{
    state_entry()
    {
        check("rt.casts", (string)<1, 2, 3> + (string)1.5 + (string)((integer)"0x1F"), "<1.00000, 2.00000, 3.00000>1.50000031");
        acc = [1, "two", 3.0, <4, 5, 6>];
        acc = llListInsertList(acc, [fib(10)], 2);
        check("rt.list", llList2CSV(acc), "1, two, 55, 3.000000, <4.000000, 5.000000, 6.000000>");
        check("rt.build", build(12), "01234567891011");
        llSleep(0.5);
        print("slept");
        llSetTimerEvent(0.25);
    }

    timer()
    {
        llSetTimerEvent(0.0);
        state other;
    }

    state_exit()
    {
        acc += "exit";
    }
}

state other
{
    state_entry()
    {
        checkI("rt.state_exit_ran", llGetListLength(acc), 6);
        check("rt.time", (string)llGetTime(), "0.750000");
        llMessageLinked(LINK_THIS, 7, "seven", NULL_KEY);
    }

    link_message(integer sender, integer number, string text, key id)
    {
        check("rt.link", text + (string)number, "seven7");
        done();
    }
}
