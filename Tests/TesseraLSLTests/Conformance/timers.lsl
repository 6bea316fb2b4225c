// Timers and sleeps run in script time (wiki, llSetTimerEvent, llSleep, llGetTime): a repeating
// timer fires every interval until set to 0; llSleep delays the script; llGetTime counts the
// seconds since the script started.

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

integer ticks;

default
{
    state_entry()
    {
        check("timers.start", (string)llGetTime(), "0.000000");
        llSleep(0.5);
        check("timers.after_sleep", (string)llGetTime(), "0.500000");
        llSetTimerEvent(0.25);
    }

    timer()
    {
        ++ticks;
        if (ticks == 1) check("timers.first", (string)llGetTime(), "0.750000");
        if (ticks == 3)
        {
            check("timers.third", (string)llGetTime(), "1.250000");
            llSetTimerEvent(0.0);
            done();
        }
    }
}
