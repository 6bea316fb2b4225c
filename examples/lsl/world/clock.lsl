// Clock: floating text with the time of day (UTC), brought up to date every second.
string twoDigits(integer value)
{
    if (value < 10) return "0" + (string)value;
    return (string)value;
}

show()
{
    integer seconds = (integer)llGetGMTclock();
    llSetText(twoDigits(seconds / 3600) + ":" + twoDigits((seconds / 60) % 60) + ":" + twoDigits(seconds % 60) + " UTC",
        <0.6, 1.0, 0.6>, 1.0);
}

default
{
    state_entry()
    {
        show();
        llSetTimerEvent(1.0);
    }

    on_rez(integer parameter)
    {
        show();
    }

    timer()
    {
        show();
    }
}
