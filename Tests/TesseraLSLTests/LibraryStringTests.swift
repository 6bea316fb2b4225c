import Testing
@testable import TesseraLSL

/// String, encoding and hash built-ins, with the results the LSL wiki states.
@Suite struct LibraryStringTests {
    @Test func substrings() throws {
        let hello = s("Hello, Avatar!")
        #expect(try lsl("llGetSubString", hello, i(0), i(0)) == s("H"))
        #expect(try lsl("llGetSubString", hello, i(-7), i(-1)) == s("Avatar!"))
        #expect(try lsl("llGetSubString", hello, i(7), i(12)) == s("Avatar"))
        #expect(try lsl("llGetSubString", hello, i(0), i(-1)) == hello)
        #expect(try lsl("llGetSubString", hello, i(20), i(30)) == s(""))
        #expect(try lsl("llGetSubString", hello, i(-30), i(2)) == s("Hel"))
        // An inverted range is everything but the part between end and start.
        #expect(try lsl("llGetSubString", s("abcdefghij"), i(-4), i(2)) == s("abcghij"))
        #expect(try lsl("llGetSubString", hello, i(10), i(3)) == s("Helltar!"))
        #expect(try lsl("llGetSubString", s("abcdefghij"), i(8), i(-15)) == s("ij"))
        #expect(try lsl("llGetSubString", s(""), i(0), i(0)) == s(""))
        // Code points, not bytes.
        #expect(try lsl("llGetSubString", s("héllo😀x"), i(1), i(1)) == s("é"))
        #expect(try lsl("llGetSubString", s("héllo😀x"), i(-2), i(-2)) == s("😀"))
    }

    @Test func deletingSubstrings() throws {
        #expect(try lsl("llDeleteSubString", s("Hello, Avatar!"), i(0), i(6)) == s("Avatar!"))
        #expect(try lsl("llDeleteSubString", s("Hello, Avatar!"), i(-1), i(-1)) == s("Hello, Avatar"))
        #expect(try lsl("llDeleteSubString", s("abcdefghij"), i(8), i(2)) == s("defgh"))
        #expect(try lsl("llDeleteSubString", s("abc"), i(5), i(9)) == s("abc"))
        #expect(try lsl("llDeleteSubString", s("abcdef"), i(2), i(100)) == s("ab"))
    }

    @Test func insertingAndSearching() throws {
        #expect(try lsl("llInsertString", s("abc"), i(1), s("XY")) == s("aXYbc"))
        #expect(try lsl("llInsertString", s("abc"), i(-1), s("X")) == s("Xabc"))
        #expect(try lsl("llInsertString", s("abc"), i(10), s("X")) == s("abcX"))
        #expect(try lsl("llSubStringIndex", s("abcabc"), s("ca")) == i(2))
        #expect(try lsl("llSubStringIndex", s("abcabc"), s("x")) == i(-1))
        #expect(try lsl("llSubStringIndex", s("abc"), s("")) == i(0))
        #expect(try lsl("llSubStringIndex", s("😀é!"), s("!")) == i(2))
        #expect(try lsl("llStringLength", s("héllo😀")) == i(6))
        #expect(try lsl("llStringLength", s("")) == i(0))
    }

    @Test func replacing() throws {
        let text = s("hello world hello")
        #expect(try lsl("llReplaceSubString", text, s("hello"), s("bye"), i(0)) == s("bye world bye"))
        #expect(try lsl("llReplaceSubString", text, s("hello"), s("bye"), i(1)) == s("bye world hello"))
        #expect(try lsl("llReplaceSubString", text, s("hello"), s("bye"), i(-1)) == s("hello world bye"))
        #expect(try lsl("llReplaceSubString", text, s(""), s("x"), i(0)) == text)
        #expect(try lsl("llReplaceSubString", s("aaa"), s("a"), s("aa"), i(0)) == s("aaaaaa"))
        #expect(try lsl("llReplaceSubString", s("aaaa"), s("aa"), s("b"), i(-1)) == s("aab"))
    }

    @Test func caseAndTrimming() throws {
        #expect(try lsl("llToUpper", s("abc xyz é ß")) == s("ABC XYZ É ß"))
        #expect(try lsl("llToLower", s("ABC Ω")) == s("abc ω"))
        #expect(try lsl("llStringTrim", s(" \t a b \n "), i(3)) == s("a b"))
        #expect(try lsl("llStringTrim", s("  a b  "), i(1)) == s("a b  "))
        #expect(try lsl("llStringTrim", s("  a b  "), i(2)) == s("  a b"))
        #expect(try lsl("llStringTrim", s("  a b  "), i(0)) == s("  a b  "))
        #expect(try lsl("llStringTrim", s("   "), i(3)) == s(""))
    }

    @Test func charactersAndCodePoints() throws {
        #expect(try lsl("llChar", i(65)) == s("A"))
        #expect(try lsl("llChar", i(0x1F600)) == s("😀"))
        #expect(try lsl("llChar", i(0)) == s(""))
        #expect(try lsl("llChar", i(-1)) == s("\u{FFFD}"))
        #expect(try lsl("llChar", i(0xD800)) == s("\u{FFFD}"))
        #expect(try lsl("llChar", i(0x110000)) == s("\u{FFFD}"))
        #expect(try lsl("llOrd", s("AB"), i(0)) == i(65))
        #expect(try lsl("llOrd", s("AB"), i(-1)) == i(66))
        #expect(try lsl("llOrd", s("A😀"), i(1)) == i(0x1F600))
        #expect(try lsl("llOrd", s("A"), i(5)) == i(0))
        #expect(try lsl("llOrd", s(""), i(0)) == i(0))
    }

    @Test func urls() throws {
        #expect(try lsl("llEscapeURL", s("Hello World!")) == s("Hello%20World%21"))
        #expect(try lsl("llEscapeURL", s("a-b_c.d~é")) == s("a%2Db%5Fc%2Ed%7E%C3%A9"))
        #expect(try lsl("llUnescapeURL", s("Hello%20World%21")) == s("Hello World!"))
        #expect(try lsl("llUnescapeURL", s("%C3%A9%e2%82%ac")) == s("é€"))
        #expect(try lsl("llUnescapeURL", s("a+b")) == s("a+b"))
        #expect(try lsl("llUnescapeURL", s("%41%")) == s("A"))
        #expect(try lsl("llUnescapeURL", s("%4")) == s(""))
        #expect(try lsl("llUnescapeURL", s("a%zz!")) == s("a"))
        #expect(try lsl("llUnescapeURL", s("%80x")) == s("?x"))
        #expect(try lsl("llUnescapeURL", s("a%00b")) == s("a"))
        #expect(try lsl("llUnescapeURL", s("%C0%81")) == s("??"))
        #expect(try lsl("llUnescapeURL", s("%ED%A0%80")) == s("???"))
    }

    @Test func base64() throws {
        #expect(try lsl("llStringToBase64", s("Hello")) == s("SGVsbG8="))
        #expect(try lsl("llStringToBase64", s("")) == s(""))
        #expect(try lsl("llStringToBase64", s("é")) == s("w6k="))
        #expect(try lsl("llBase64ToString", s("SGVsbG8=")) == s("Hello"))
        #expect(try lsl("llBase64ToString", s("SGVsbG8")) == s("Hello"))
        #expect(try lsl("llBase64ToString", s("SGVsbG8!garbage")) == s("Hello"))
        #expect(try lsl("llBase64ToString", s("w6k=")) == s("é"))
        #expect(try lsl("llBase64ToString", s("AQ==")) == s("?"))
        #expect(try lsl("llBase64ToString", s("gA==")) == s("?"))
        #expect(try lsl("llBase64ToString", s("QUIA")) == s("AB"))
        #expect(try lsl("llIntegerToBase64", i(1)) == s("AAAAAQ=="))
        #expect(try lsl("llIntegerToBase64", i(-1)) == s("/////w=="))
        #expect(try lsl("llIntegerToBase64", i(0x41424344)) == s("QUJDRA=="))
        #expect(try lsl("llBase64ToInteger", s("AAAAAQ==")) == i(1))
        #expect(try lsl("llBase64ToInteger", s("/////w==")) == i(-1))
        #expect(try lsl("llBase64ToInteger", s("QUJDRA")) == i(0x41424344))
        #expect(try lsl("llBase64ToInteger", s("AAAAAQ===")) == i(0))
    }

    @Test func xor() throws {
        // "AB" XOR " " is "ab".
        #expect(try lsl("llXorBase64", s("QUI="), s("IA==")) == s("YWI="))
        #expect(try lsl("llXorBase64", s("QUI="), s("")) == s("QUI="))
        #expect(try lsl("llXorBase64StringsCorrect", s("QUI="), s("IA==")) == s("YWI="))
        // The old function XORs the Base64 digits themselves.
        #expect(try lsl("llXorBase64Strings", s("QUI="), s("IA==")) == s("YUA="))
    }

    @Test func hashes() throws {
        #expect(try lsl("llMD5String", s("Hello, Avatar!"), i(0)) == s("112abd47ceaae1c05a826828650434a6"))
        #expect(try lsl("llMD5String", s(""), i(0)) == s("1a9d5db22c73a993ff0b42f64b396873"))
        #expect(try lsl("llSHA1String", s("")) == s("da39a3ee5e6b4b0d3255bfef95601890afd80709"))
        #expect(try lsl("llSHA1String", s("Hello, Avatar!")) == s("2e73318e547af1b28cc0c96f95ddc9b1ee906b8d"))
        #expect(try lsl("llSHA1String", s("é")) == s("bf15be717ac1b080b4f1c456692825891ff5073d"))
        #expect(try lsl("llSHA256String", s("")) == s("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        #expect(try lsl("llSHA256String", s("Hello, Avatar!")) == s("3a9f9d2e4360319a62139d19bd425c16fb8439b832d74d5221ca75b54c35b4f2"))
        #expect(try lsl("llComputeHash", s(""), s("md5")) == s("d41d8cd98f00b204e9800998ecf8427e"))
        #expect(try lsl("llComputeHash", s(""), s("sha512")) == s("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"))
        #expect(try lsl("llComputeHash", s("abc"), s("md5_sha1")) == s("900150983cd24fb0d6963f7d28e17f72a9993e364706816aba3e25717850c26c9cd0d89d"))
        #expect(try lsl("llComputeHash", s("abc"), s("crc32")) == s(""))
        let fox = s("The quick brown fox jumps over the lazy dog")
        #expect(try lsl("llHMAC", s("key"), fox, s("sha256")) == s("97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="))
        #expect(try lsl("llHMAC", s("key"), fox, s("md5")) == s("gAcHE0Y+d0m5DC3CSRHidQ=="))
        #expect(try lsl("llHash", s("")) == i(0))
        #expect(try lsl("llHash", s("a")) == i(97))
        #expect(try lsl("llHash", s("ab")) == i(6363201))
        #expect(try lsl("llHash", s("Hello, Avatar!")) == i(-531692734))
    }

    @Test func generatedKeys() throws {
        guard case .key(let first) = try lsl("llGenerateKey", seed: 3), case .key(let second) = try lsl("llGenerateKey", seed: 4) else {
            Issue.record("not a key")
            return
        }
        #expect(LSLValue.isUUID(first))
        #expect(LSLValue.key(first).isTrue)
        #expect(Array(first)[14] == "4")
        #expect(first != second)
        #expect(try lsl("llGenerateKey", seed: 3) == .key(first))
    }
}
