// Integer arithmetic: 32-bit two's complement that wraps, C's truncating division and
// remainder, arithmetic right shift, bit operators, and LSL's precedence (docs/lsl.md).
// Not checked: shifts by 32 or more (the wiki does not say what Mono gives).

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
        integer max = 2147483647;
        integer min = 0x80000000;
        integer minusOne = -1;

        checkI("int.literal.hex_min", min, -2147483648);
        checkI("int.literal.hex_all_ones", 0xFFFFFFFF, -1);
        checkI("int.wrap.add", max + 1, min);
        checkI("int.wrap.sub", min - 1, max);
        checkI("int.wrap.mul", 65536 * 65536, 0);
        checkI("int.wrap.mul_to_min", 65536 * 32768, min);
        checkI("int.wrap.negate_min", -min, min);
        checkI("int.wrap.div_min_by_minus_one", min / minusOne, min);
        checkI("int.wrap.mod_min_by_minus_one", min % minusOne, 0);
        integer i = max;
        i++;
        checkI("int.wrap.increment", i, min);
        i--;
        checkI("int.wrap.decrement", i, max);

        checkI("int.div.truncates", -7 / 2, -3);
        checkI("int.div.positive", 7 / 2, 3);
        checkI("int.mod.negative_left", -7 % 3, -1);
        checkI("int.mod.negative_right", 7 % -3, 1);
        checkI("int.mod.both_negative", -7 % -3, -1);
        checkI("int.mod.positive", 7 % 3, 1);

        checkI("int.shl.to_sign", 1 << 31, min);
        checkI("int.shl.drops_bits", 3 << 31, min);
        checkI("int.shl.simple", 5 << 2, 20);
        checkI("int.shr.arithmetic", -8 >> 1, -4);
        checkI("int.shr.minus_one", minusOne >> 31, -1);
        checkI("int.shr.min", min >> 31, -1);
        checkI("int.shr.positive", 0x40000000 >> 30, 1);

        checkI("int.bit.and", 12 & 10, 8);
        checkI("int.bit.or", 12 | 10, 14);
        checkI("int.bit.xor", 12 ^ 10, 6);
        checkI("int.bit.not_zero", ~0, -1);
        checkI("int.bit.not_five", ~5, -6);
        checkI("int.logical.not", !5, 0);
        checkI("int.logical.not_zero", !0, 1);
        checkI("int.logical.and", 2 && 3, 1);
        checkI("int.logical.or", 0 || -5, 1);

        checkI("int.prec.mul_before_add", 2 + 3 * 4, 14);
        checkI("int.prec.add_before_shift", 1 + 1 << 2, 8);
        checkI("int.prec.eq_before_and", 6 & 3 == 3, 0);
        checkI("int.prec.left_assoc_sub", 10 - 4 - 3, 3);
        checkI("int.prec.left_assoc_div", 100 / 10 / 5, 2);
        checkI("int.compare", (3 < 5) + (5 <= 5) + (6 > 5) + (5 >= 6), 3);
        checkI("int.equality", (4 == 4) + (4 != 4), 1);
        checkI("int.eq_float", 1 == 1.0, 1);

        integer c = 10;
        c += 5;
        checkI("int.compound.add", c, 15);
        c -= 20;
        checkI("int.compound.sub", c, -5);
        c *= -3;
        checkI("int.compound.mul", c, 15);
        c /= 2;
        checkI("int.compound.div", c, 7);
        c %= 4;
        checkI("int.compound.mod", c, 3);

        checkI("int.llAbs.min", llAbs(min), min);
        checkI("int.llAbs.negative", llAbs(-5), 5);
        checkI("int.mixed_float", (integer)(7 / 2 * 2.0), 6);
        done();
    }
}
