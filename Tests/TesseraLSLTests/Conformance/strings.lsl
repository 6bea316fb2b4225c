// String functions, from their wiki pages. Indexes count characters (not bytes); negative ones
// count from the end; a start after the end ("inverted range") means everything outside it.
// llMD5String(s, nonce) hashes s + ":" + nonce. "\t" in a literal is four spaces (wiki, String).

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
        string s = "abcdef";
        check("str.sub", llGetSubString(s, 1, 3), "bcd");
        check("str.sub.negative", llGetSubString(s, -3, -1), "def");
        check("str.sub.inverted", llGetSubString(s, 4, 1), "abef");
        check("str.sub.all", llGetSubString(s, 0, -1), "abcdef");
        check("str.sub.end_beyond", llGetSubString(s, 3, 100), "def");
        check("str.sub.start_beyond", llGetSubString(s, 10, 20), "");
        check("str.sub.single", llGetSubString(s, 2, 2), "c");
        check("str.sub.unicode", llGetSubString("héllo", 1, 1), "é");
        check("str.delete", llDeleteSubString(s, 1, 3), "aef");
        check("str.delete.inverted", llDeleteSubString(s, 4, 1), "cd");
        check("str.delete.negative", llDeleteSubString(s, -2, -1), "abcd");
        check("str.insert", llInsertString(s, 2, "XY"), "abXYcdef");
        check("str.insert.front", llInsertString(s, 0, "XY"), "XYabcdef");
        checkI("str.index", llSubStringIndex("abcabc", "c"), 2);
        checkI("str.index.missing", llSubStringIndex("abc", "z"), -1);
        checkI("str.index.empty_pattern", llSubStringIndex("abc", ""), 0);
        checkI("str.index.in_empty", llSubStringIndex("", "a"), -1);
        checkI("str.length", llStringLength("abc"), 3);
        checkI("str.length.empty", llStringLength(""), 0);
        checkI("str.length.escaped_quote", llStringLength("a\"b"), 3);
        checkI("str.length.newline", llStringLength("a\nb"), 3);
        checkI("str.length.tab_is_four_spaces", llStringLength("\t"), 4);
        check("str.trim.both", llStringTrim("  a b  ", STRING_TRIM), "a b");
        check("str.trim.head", llStringTrim("  a b  ", STRING_TRIM_HEAD), "a b  ");
        check("str.trim.tail", llStringTrim("  a b  ", STRING_TRIM_TAIL), "  a b");
        check("str.trim.newlines", llStringTrim("\n a \n", STRING_TRIM), "a");
        check("str.upper", llToUpper("abc XyZ 1"), "ABC XYZ 1");
        check("str.lower", llToLower("ABC xYz 1"), "abc xyz 1");
        check("str.escape_url", llEscapeURL("a b&c/d"), "a%20b%26c%2Fd");
        check("str.escape_url.keeps_alnum", llEscapeURL("Az09"), "Az09");
        check("str.escape_url.utf8", llEscapeURL("é"), "%C3%A9");
        check("str.unescape_url", llUnescapeURL("a%20b%2Fc"), "a b/c");
        check("str.base64.encode", llStringToBase64("Hello"), "SGVsbG8=");
        check("str.base64.decode", llBase64ToString("SGVsbG8="), "Hello");
        check("str.base64.utf8", llStringToBase64("héllo"), "aMOpbGxv");
        check("str.base64.empty", llStringToBase64(""), "");
        check("str.integer_to_base64", llIntegerToBase64(1), "AAAAAQ==");
        checkI("str.base64_to_integer", llBase64ToInteger("AAAAAQ=="), 1);
        check("str.md5", llMD5String("Hello", 0), "3a5d82f8869d9c44439eea6b217c6035");
        check("str.md5.nonce", llMD5String("abc", 5), "12c9d3edd5e3f8776b3f66e0a78ccd5a");
        check("str.sha1", llSHA1String("Hello"), "f7ff9e8b7bb2e09b70935a5d785e0cc5d9d0abf0");
        check("str.sha1.empty", llSHA1String(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        check("str.sha256", llSHA256String("Hello"), "185f8db32271fe25f561a6fc938b2e264306ec304eda518007d1764826381969");
        checkI("str.equal", "abc" == "abc", 1);
        checkI("str.not_equal", "abc" != "abd", 1);
        check("str.concat", "ab" + "cd", "abcd");
        string t = "x";
        t += "y";
        check("str.compound_concat", t, "xy");
        done();
    }
}
