// Integer division by zero stops the script with "Math Error" (wiki, LSL Errors). The divisor
// is a variable, so no compiler can see it coming.
default
{
    state_entry()
    {
        integer zero = 0;
        llOwnerSay("before");
        integer x = 1 / zero;
        llOwnerSay("after " + (string)x);
    }
}
