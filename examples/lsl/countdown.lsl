// A timer counter with states: counts down from 3 once a second, rings, then rests.
integer remaining;

default
{
    state_entry()
    {
        remaining = 3;
        llOwnerSay("Counting down from " + (string)remaining + ".");
        llSetTimerEvent(1.0);
    }

    timer()
    {
        remaining--;
        if (remaining > 0)
        {
            llOwnerSay((string)remaining + "...");
        }
        else
        {
            state ringing;
        }
    }
}

state ringing
{
    state_entry()
    {
        llSetTimerEvent(0.0);
        llShout(0, "RING!");
        llSetColor(<1.0, 0.0, 0.0>, ALL_SIDES);
        state resting;
    }
}

state resting
{
    state_entry()
    {
        llOwnerSay("Done after " + (string)((integer)llGetTime()) + " seconds.");
    }
}
