// The event queue holds at most 64 events; more are dropped (wiki, LSL Events and
// llMessageLinked). Seventy link messages sent in one event: sixty-four arrive.

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

integer received;
integer lastNumber;

default
{
    state_entry()
    {
        integer i;
        for (i = 0; i < 70; ++i) llMessageLinked(LINK_THIS, i, "", NULL_KEY);
        llSetTimerEvent(1.0);
    }

    link_message(integer sender, integer number, string text, key id)
    {
        ++received;
        lastNumber = number;
    }

    timer()
    {
        llSetTimerEvent(0.0);
        checkI("queue.limit", received, 64);
        checkI("queue.first_ones_kept", lastNumber, 63);
        done();
    }
}
