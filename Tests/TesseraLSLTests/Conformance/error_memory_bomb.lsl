// A list that doubles forever runs out of the script's 64 KiB: "Stack-Heap Collision"
// (wiki, LSL Errors).
default
{
    state_entry()
    {
        llOwnerSay("before");
        list l = [1];
        while (TRUE) l += l;
    }
}
