// Integer modulo by zero stops the script with "Math Error" (wiki, LSL Errors).
default
{
    state_entry()
    {
        integer zero;
        llOwnerSay("before");
        integer x = 7 % zero;
        llOwnerSay("after " + (string)x);
    }
}
