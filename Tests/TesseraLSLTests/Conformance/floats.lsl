// Floats are IEEE 754 single precision everywhere: in variables, vectors, lists and constants
// (wiki, Float: "340000000.0 + 4.0 = 340000000.0"). Not checked: the text of a float with more
// than seven significant digits (Mono rounds it to seven before printing six decimals).

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

default
{
    state_entry()
    {
        float f = 16777217;
        checkI("float.store.integer_16777217", (integer)f, 16777216);
        checkI("float.store.equal", f == 16777216.0, 1);
        float g = 16777216.0;
        g = g + 1.0;
        checkI("float.add.lost", g == 16777216.0, 1);
        float h = 340000000.0;
        h += 4.0;
        check("float.add.wiki", (string)h, "340000000.000000");
        float big = 2147483647;
        checkI("float.store.int_max", big == 2147483648.0, 1);
        vector v = <16777217, 0, 0>;
        checkI("float.vector.component", (integer)v.x, 16777216);
        list l = [16777217.0];
        checkI("float.list.element", (integer)llList2Float(l, 0), 16777216);
        float tenth = 0.1;
        checkI("float.tenth.times_1e9", (integer)(tenth * 1000000000.0), 100000000);

        check("float.div", (string)(10.0 / 4), "2.500000");
        check("float.mul", (string)(1.5 * 1.5), "2.250000");
        check("float.sub", (string)(0.5 - 1.0), "-0.500000");
        check("float.two_thirds", (string)(2.0 / 3.0), "0.666667");
        check("float.sum_tenths", (string)(0.1 + 0.2), "0.300000");
        checkI("float.third_times_three", (1.0 / 3.0) * 3.0 == 1.0, 1);
        checkI("float.compare_mixed", 2 < 2.5, 1);

        float x = 0.5;
        x++;
        checkF("float.increment", x, 1.5);
        x--;
        checkF("float.decrement", x, 0.5);
        x *= 4;
        checkF("float.compound.mul", x, 2.0);
        x /= 8;
        checkF("float.compound.div", x, 0.25);
        x += 1;
        checkF("float.compound.add", x, 1.25);
        x -= 2;
        checkF("float.compound.sub", x, -0.75);

        check("float.literal.trailing_dot", (string)1., "1.000000");
        check("float.literal.leading_dot", (string).5, "0.500000");
        check("float.literal.exponent", (string)1e3, "1000.000000");
        check("float.literal.negative_exponent", (string)1.5e-3, "0.001500");
        check("float.literal.suffix", (string)2.5f, "2.500000");

        checkI("float.llFloor.negative", llFloor(-1.5), -2);
        checkI("float.llCeil.negative", llCeil(-1.5), -1);
        checkI("float.llFloor.positive", llFloor(1.5), 1);
        checkI("float.llCeil.positive", llCeil(1.2), 2);
        checkI("float.llRound.half_up", llRound(2.5), 3);
        checkI("float.llRound.down", llRound(2.4), 2);
        checkF("float.llSqrt", llSqrt(16.0), 4.0);
        checkF("float.llPow", llPow(2, 10), 1024.0);
        checkF("float.llFabs", llFabs(-2.5), 2.5);
        checkF("float.negate", -(0.5 - 1.0), 0.5);
        done();
    }
}
