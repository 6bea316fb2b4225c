// Never finishes: the test runs it in slices beside another script (no .expected file, so the
// conformance run leaves it to ConformanceTests.endlessLoopYields).
integer n;
default
{
    state_entry()
    {
        llOwnerSay("looping");
        while (TRUE) ++n;
    }
}
