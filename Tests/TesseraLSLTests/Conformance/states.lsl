// States and events (wiki, State and LSL Events): "state X" ends the current event, runs
// state_exit of the current state, clears the event queue, then runs state_entry of X; the
// timer set by llSetTimerEvent survives a state change; "state X" naming the current state
// changes nothing: no state_exit, no state_entry (wiki, State: "If target state is the same as
// the current state, no state change occurs nor do any of the side effects"), and the event ends
// there (the LSL reference at lsl.blacktulip-virtual.com, "state": "causes the interruption of
// the current event or function, but does not cause any other effects").
// link_message events come from llMessageLinked(LINK_THIS, ...): the test host queues them at once.

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
integer entries;

default
{
    state_entry()
    {
        ++entries;
        trace += "default.entry;";
        if (entries == 1)
        {
            llSetTimerEvent(1.0);
            state second;
        }
        check("states.back_in_default", trace, "default.entry;default.exit;second.entry;second.exit;third.entry;third.link2;third.timer;third.exit;default.entry;");
        llSetTimerEvent(0.0);
        done();
    }

    state_exit()
    {
        trace += "default.exit;";
    }

    link_message(integer sender, integer number, string text, key id)
    {
        trace += "default.link" + (string)number + ";";
    }
}

state second
{
    state_entry()
    {
        trace += "second.entry;";
        check("states.exit_before_entry", trace, "default.entry;default.exit;second.entry;");
        // Queued now, then cleared by the state change: no state ever sees it.
        llMessageLinked(LINK_THIS, 1, "", NULL_KEY);
        state third;
    }

    state_exit()
    {
        trace += "second.exit;";
    }

    link_message(integer sender, integer number, string text, key id)
    {
        trace += "second.link" + (string)number + ";";
    }
}

state third
{
    state_entry()
    {
        trace += "third.entry;";
        check("states.queue_cleared", trace, "default.entry;default.exit;second.entry;second.exit;third.entry;");
        llMessageLinked(LINK_THIS, 2, "", NULL_KEY);
    }

    link_message(integer sender, integer number, string text, key id)
    {
        trace += "third.link" + (string)number + ";";
        check("states.event_after_entry", trace, "default.entry;default.exit;second.entry;second.exit;third.entry;third.link2;");
        state third;
        trace += "not reached;";
    }

    timer()
    {
        trace += "third.timer;";
        check("states.same_state_is_nothing", trace, "default.entry;default.exit;second.entry;second.exit;third.entry;third.link2;third.timer;");
        state default;
    }

    state_exit()
    {
        trace += "third.exit;";
    }
}
