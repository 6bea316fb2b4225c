// Memory accounting (wiki, llGetFreeMemory / llGetUsedMemory / llGetMemoryLimit): a script has
// 64 KiB; free memory goes down as a list or a string grows. Not checked: whether free memory
// can grow again (Mono counts garbage not yet collected; the old VM kept a historic low).

// Self-checking: one line per check ("PASS name" or "FAIL name expected "..." got "..."),
// then "DONE n passed m failed".
integer passed;
integer failed;

pass(string name)
{
    ++passed;
    llOwnerSay("PASS " + name);
}

fail(string name, string expected, string got)
{
    ++failed;
    llOwnerSay("FAIL " + name + " expected \"" + expected + "\" got \"" + got + "\"");
}

check(string name, string got, string expected)
{
    if (got == expected) pass(name);
    else fail(name, expected, got);
}

checkI(string name, integer got, integer expected)
{
    if (got == expected) pass(name);
    else fail(name, (string)expected, (string)got);
}

checkF(string name, float got, float expected)
{
    if (got == expected) pass(name);
    else fail(name, (string)expected, (string)got);
}

done()
{
    llOwnerSay("DONE " + (string)passed + " passed " + (string)failed + " failed");
}

list kept;
string text;

default
{
    state_entry()
    {
        checkI("memory.limit", llGetMemoryLimit(), 65536);
        integer free0 = llGetFreeMemory();
        integer used0 = llGetUsedMemory();
        checkI("memory.free_positive", free0 > 0, 1);
        checkI("memory.used_positive", used0 > 0, 1);
        checkI("memory.within_limit", used0 <= 65536 && free0 <= 65536, 1);
        integer i;
        for (i = 0; i < 200; ++i) kept += [i];
        integer free1 = llGetFreeMemory();
        integer used1 = llGetUsedMemory();
        checkI("memory.list.free_decreases", free1 < free0, 1);
        checkI("memory.list.used_increases", used1 > used0, 1);
        checkI("memory.list.kept", llGetListLength(kept), 200);
        for (i = 0; i < 100; ++i) text += "0123456789";
        checkI("memory.string.free_decreases", llGetFreeMemory() < free1, 1);
        checkI("memory.string.used_increases", llGetUsedMemory() > used1, 1);
        checkI("memory.string.kept", llStringLength(text), 1000);
        checkI("memory.set_limit", llSetMemoryLimit(60000), TRUE);
        checkI("memory.limit_after_set", llGetMemoryLimit(), 60000);
        checkI("memory.set_limit_back", llSetMemoryLimit(65536), TRUE);
        checkI("memory.limit_restored", llGetMemoryLimit(), 65536);
        done();
    }
}
