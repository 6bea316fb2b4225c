// A greeter: answers "hello" on the public channel, and takes commands from its owner on channel 7.
integer commandHandle;

default
{
    state_entry()
    {
        llListen(0, "", NULL_KEY, "hello");
        commandHandle = llListen(7, "", llGetOwner(), "");
        llSetText("Say hello!", <1.0, 1.0, 1.0>, 1.0);
    }

    listen(integer channel, string name, key id, string message)
    {
        if (channel == 0)
        {
            llSay(0, "Hello, " + name + "!");
        }
        else if (message == "quiet")
        {
            llOwnerSay("Going quiet.");
            state quiet;
        }
        else
        {
            llOwnerSay("Unknown command: " + message);
        }
    }
}

state quiet
{
    state_entry()
    {
        // The listens of the default state ended with the change of state.
        llSetText("", ZERO_VECTOR, 0.0);
        llListen(7, "", llGetOwner(), "wake");
    }

    listen(integer channel, string name, key id, string message)
    {
        llOwnerSay("Awake again.");
        state default;
    }
}
