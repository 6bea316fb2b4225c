// Operators on vectors and rotations (wiki, Vector and Rotation): + - componentwise,
// vector * float scales, vector * vector is the dot product, vector % vector the cross product,
// vector * rotation rotates, vector / rotation rotates by the inverse, rotation * rotation composes.

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

integer near(vector a, vector b)
{
    return llVecDist(a, b) < 0.00001;
}

default
{
    state_entry()
    {
        vector a = <1, 2, 3>;
        vector b = <4, 5, 6>;
        check("vec.add", (string)(a + b), "<5.00000, 7.00000, 9.00000>");
        check("vec.sub", (string)(b - a), "<3.00000, 3.00000, 3.00000>");
        check("vec.scale", (string)(a * 2.0), "<2.00000, 4.00000, 6.00000>");
        check("vec.scale_left", (string)(2.0 * a), "<2.00000, 4.00000, 6.00000>");
        check("vec.divide", (string)(b / 2.0), "<2.00000, 2.50000, 3.00000>");
        checkF("vec.dot", a * b, 32.0);
        check("vec.cross_axes", (string)(<1, 0, 0> % <0, 1, 0>), "<0.00000, 0.00000, 1.00000>");
        check("vec.cross", (string)(a % b), "<-3.00000, 6.00000, -3.00000>");
        check("vec.negate", (string)(-a), "<-1.00000, -2.00000, -3.00000>");
        checkF("vec.member.read", a.y, 2.0);
        a.z = 9;
        check("vec.member.write", (string)a, "<1.00000, 2.00000, 9.00000>");
        a.z = 3;
        checkI("vec.equal", a == <1, 2, 3>, 1);
        checkI("vec.not_equal", a != <1, 2, 4>, 1);
        checkI("vec.equal_false", a == b, 0);
        checkF("vec.llVecMag", llVecMag(<3, 4, 0>), 5.0);
        check("vec.llVecNorm", (string)llVecNorm(<0, 0, 5>), "<0.00000, 0.00000, 1.00000>");
        checkF("vec.llVecDist", llVecDist(<1, 1, 1>, <1, 1, 3>), 2.0);
        vector c = <1, 1, 1>;
        c += <1, 2, 3>;
        check("vec.compound.add", (string)c, "<2.00000, 3.00000, 4.00000>");
        c *= 2;
        check("vec.compound.scale", (string)c, "<4.00000, 6.00000, 8.00000>");
        c -= <1, 1, 1>;
        check("vec.compound.sub", (string)c, "<3.00000, 5.00000, 7.00000>");
        c /= 2;
        check("vec.compound.divide", (string)c, "<1.50000, 2.50000, 3.50000>");
        check("vec.list_element", (string)llList2Vector([<1, 2, 3>], 0), "<1.00000, 2.00000, 3.00000>");

        rotation r = <1, 2, 3, 4>;
        rotation q = <1, 1, 1, 1>;
        check("rot.add", (string)(r + q), "<2.00000, 3.00000, 4.00000, 5.00000>");
        check("rot.sub", (string)(r - q), "<0.00000, 1.00000, 2.00000, 3.00000>");
        checkF("rot.member.s", r.s, 4.0);
        checkF("rot.member.x", r.x, 1.0);
        r.s = 8;
        check("rot.member.write", (string)r, "<1.00000, 2.00000, 3.00000, 8.00000>");
        r.s = 4;
        check("rot.identity_times", (string)(ZERO_ROTATION * r), "<1.00000, 2.00000, 3.00000, 4.00000>");
        check("rot.times_identity", (string)(r * ZERO_ROTATION), "<1.00000, 2.00000, 3.00000, 4.00000>");
        checkI("rot.equal", <0, 0, 0, 1> == ZERO_ROTATION, 1);
        checkI("rot.not_equal", r != q, 1);
        rotation z90 = llEuler2Rot(<0, 0, PI_BY_TWO>);
        checkI("rot.rotate_vector", near(<1, 0, 0> * z90, <0, 1, 0>), 1);
        checkI("rot.compose", near(<1, 0, 0> * (z90 * z90), <-1, 0, 0>), 1);
        checkI("rot.divide_vector", near(<0, 1, 0> / z90, <1, 0, 0>), 1);
        checkI("rot.divide_self", near(<1, 0, 0> * (z90 / z90), <1, 0, 0>), 1);
        rotation x90 = llEuler2Rot(<PI_BY_TWO, 0, 0>);
        // r1 * r2 applies r1 first, then r2: z then x takes the x axis to y, then y to z.
        checkI("rot.order_of_composition", near(<1, 0, 0> * (z90 * x90), <0, 0, 1>), 1);
        checkI("rot.order_reversed", near(<1, 0, 0> * (x90 * z90), <0, 1, 0>), 1);
        vector d = <1, 0, 0>;
        d *= z90;
        checkI("rot.compound_vector", near(d, <0, 1, 0>), 1);
        done();
    }
}
