// Greeter: touch it and it says hello to you by name.
default
{
    state_entry()
    {
        llSetText("Touch me", <1.0, 1.0, 0.6>, 1.0);
    }

    touch_start(integer total_number)
    {
        integer i;
        for (i = 0; i < total_number; ++i)
        {
            llSay(0, "Hello, " + llDetectedName(i));
        }
    }
}
