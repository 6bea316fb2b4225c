// Float division by zero stops the script with "Math Error" (wiki, LSL Errors: SL does not let
// a script make an infinity by dividing).
default
{
    state_entry()
    {
        float zero = 0.0;
        llOwnerSay("before");
        float x = 1.0 / zero;
        llOwnerSay("after " + (string)x);
    }
}
