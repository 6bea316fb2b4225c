// A touch counter: counts touches, shows the count in floating text, and names who touched last.
integer touches;

show()
{
    llSetText("Touched " + (string)touches + " times", <0.0, 1.0, 0.0>, 1.0);
}

default
{
    state_entry()
    {
        touches = 0;
        show();
    }

    touch_start(integer total_number)
    {
        integer i;
        for (i = 0; i < total_number; ++i)
        {
            touches++;
            llSay(0, llDetectedName(i) + " touched me. Total: " + (string)touches);
        }
        show();
        if (touches % 3 == 0)
        {
            llOwnerSay("Three more touches.");
        }
    }
}
