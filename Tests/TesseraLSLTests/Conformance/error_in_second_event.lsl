// A run-time error in a later event: the earlier output stays, nothing runs after the error,
// not even a timer that was set.
integer ticks;
default
{
    state_entry()
    {
        llOwnerSay("entry");
        llSetTimerEvent(1.0);
    }

    timer()
    {
        ++ticks;
        llOwnerSay("tick " + (string)ticks);
        if (ticks == 2) llOwnerSay((string)(ticks / (ticks - 2)));
    }
}
