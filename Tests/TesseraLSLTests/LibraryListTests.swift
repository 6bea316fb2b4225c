import Testing
@testable import TesseraLSL

/// List built-ins, with the results the LSL wiki states.
@Suite struct LibraryListTests {
    let mixed = l(s("a"), i(1), f(2.5), v(1, 2, 3), r(1, 2, 3, 4), k("k"))

    @Test func lengthsAndTypes() throws {
        #expect(try lsl("llGetListLength", mixed) == i(6))
        #expect(try lsl("llGetListLength", l()) == i(0))
        let types = try (0..<7).map { try lsl("llGetListEntryType", mixed, i(Int32($0))) }
        #expect(types == [i(3), i(1), i(2), i(5), i(6), i(4), i(0)])
        #expect(try lsl("llGetListEntryType", mixed, i(-1)) == i(4))
        #expect(try lsl("llGetListEntryType", mixed, i(-7)) == i(0))
    }

    @Test func readingElements() throws {
        #expect(try lsl("llList2String", mixed, i(2)) == s("2.500000"))
        #expect(try lsl("llList2String", mixed, i(3)) == s("<1.000000, 2.000000, 3.000000>"))
        #expect(try lsl("llList2String", mixed, i(4)) == s("<1.000000, 2.000000, 3.000000, 4.000000>"))
        #expect(try lsl("llList2String", mixed, i(-1)) == s("k"))
        #expect(try lsl("llList2String", mixed, i(6)) == s(""))
        #expect(try lsl("llList2Integer", l(s("42abc")), i(0)) == i(42))
        #expect(try lsl("llList2Integer", l(s("0x10")), i(0)) == i(16))
        #expect(try lsl("llList2Integer", l(f(-3.9)), i(0)) == i(-3))
        #expect(try lsl("llList2Integer", l(k("12345678-0000-0000-0000-000000000000")), i(0)) == i(0))
        #expect(try lsl("llList2Integer", mixed, i(3)) == i(0))
        #expect(try lsl("llList2Integer", mixed, i(1)) == i(1))
        #expect(try lsl("llList2Integer", mixed, i(99)) == i(0))
        #expect(try lsl("llList2Float", l(s("1.5e1")), i(0)) == f(15))
        #expect(try lsl("llList2Float", l(i(7)), i(0)) == f(7))
        #expect(try lsl("llList2Float", mixed, i(3)) == f(0))
        #expect(try lsl("llList2Float", mixed, i(-99)) == f(0))
        #expect(try lsl("llList2Key", l(s("abc")), i(0)) == k("abc"))
        #expect(try lsl("llList2Key", mixed, i(5)) == k("k"))
        #expect(try lsl("llList2Key", mixed, i(1)) == k(""))
        #expect(try lsl("llList2Key", mixed, i(9)) == k(""))
        #expect(try lsl("llList2Vector", mixed, i(3)) == v(1, 2, 3))
        #expect(try lsl("llList2Vector", l(s("<1,2,3>")), i(0)) == v(0, 0, 0))
        #expect(try lsl("llList2Vector", mixed, i(9)) == v(0, 0, 0))
        #expect(try lsl("llList2Rot", mixed, i(4)) == r(1, 2, 3, 4))
        #expect(try lsl("llList2Rot", mixed, i(0)) == r(0, 0, 0, 1))
    }

    @Test func slicing() throws {
        let numbers = l(i(0), i(1), i(2), i(3), i(4))
        #expect(try lsl("llList2List", numbers, i(1), i(3)) == l(i(1), i(2), i(3)))
        #expect(try lsl("llList2List", numbers, i(-2), i(-1)) == l(i(3), i(4)))
        #expect(try lsl("llList2List", numbers, i(3), i(1)) == l(i(0), i(1), i(3), i(4)))
        #expect(try lsl("llList2List", numbers, i(7), i(9)) == l())
        #expect(try lsl("llDeleteSubList", numbers, i(1), i(2)) == l(i(0), i(3), i(4)))
        #expect(try lsl("llDeleteSubList", numbers, i(3), i(1)) == l(i(2)))
        #expect(try lsl("llDeleteSubList", numbers, i(-1), i(-1)) == l(i(0), i(1), i(2), i(3)))
        #expect(try lsl("llListInsertList", l(i(1), i(2), i(3)), l(s("a")), i(1)) == l(i(1), s("a"), i(2), i(3)))
        #expect(try lsl("llListInsertList", l(i(1), i(2), i(3)), l(s("a")), i(-1)) == l(i(1), i(2), s("a"), i(3)))
        #expect(try lsl("llListInsertList", l(i(1)), l(s("a")), i(5)) == l(i(1), s("a")))
        let four = l(i(0), i(1), i(2), i(3))
        #expect(try lsl("llListReplaceList", four, l(s("x")), i(1), i(2)) == l(i(0), s("x"), i(3)))
        #expect(try lsl("llListReplaceList", four, l(s("x")), i(-1), i(-1)) == l(i(0), i(1), i(2), s("x")))
        #expect(try lsl("llListReplaceList", four, l(s("x")), i(3), i(1)) == l(i(2), s("x")))
        #expect(try lsl("llListReplaceList", four, l(i(5)), i(-5), i(-5)) == four)
        #expect(try lsl("llListReplaceList", four, l(i(5)), i(-5), i(-4)) == l(i(1), i(2), i(3)))
        #expect(try lsl("llListReplaceList", four, l(i(5)), i(-5), i(-7)) == l())
    }

    @Test func strided() throws {
        let pairs = l(s("a"), i(1), s("b"), i(2), s("c"), i(3))
        #expect(try lsl("llList2ListStrided", pairs, i(0), i(-1), i(2)) == l(s("a"), s("b"), s("c")))
        #expect(try lsl("llList2ListStrided", pairs, i(1), i(-1), i(2)) == l(s("b"), s("c")))
        #expect(try lsl("llList2ListStrided", pairs, i(0), i(3), i(2)) == l(s("a"), s("b")))
        #expect(try lsl("llList2ListStrided", pairs, i(4), i(1), i(2)) == l(s("a"), s("b"), s("c")))
        #expect(try lsl("llList2ListStrided", pairs, i(0), i(-1), i(0)) == pairs)
        #expect(try lsl("llList2ListSlice", pairs, i(0), i(-1), i(2), i(1)) == l(i(1), i(2), i(3)))
        #expect(try lsl("llList2ListSlice", pairs, i(0), i(-1), i(2), i(-2)) == l(s("a"), s("b"), s("c")))
        #expect(try lsl("llList2ListSlice", pairs, i(0), i(-1), i(2), i(2)) == l())
    }

    @Test func finding() throws {
        let list = l(i(1), i(2), i(3), i(2), i(3))
        #expect(try lsl("llListFindList", list, l(i(2), i(3))) == i(1))
        #expect(try lsl("llListFindList", list, l(i(4))) == i(-1))
        #expect(try lsl("llListFindList", list, l()) == i(0))
        #expect(try lsl("llListFindList", l(i(1)), l(s("1"))) == i(-1))
        #expect(try lsl("llListFindList", l(s("k")), l(k("k"))) == i(-1))
        #expect(try lsl("llListFindList", l(f(.nan)), l(f(.nan))) == i(0))
        #expect(try lsl("llListFindList", l(i(1)), l(i(1), i(2))) == i(-1))
        #expect(try lsl("llListFindListNext", list, l(i(2), i(3)), i(0)) == i(1))
        #expect(try lsl("llListFindListNext", list, l(i(2), i(3)), i(1)) == i(3))
        #expect(try lsl("llListFindListNext", list, l(i(2), i(3)), i(2)) == i(-1))
        #expect(try lsl("llListFindListNext", list, l(i(2), i(3)), i(-1)) == i(3))
        #expect(try lsl("llListFindListNext", list, l(i(2), i(3)), i(-2)) == i(1))
        #expect(try lsl("llListFindListNext", list, l(i(2), i(3)), i(-3)) == i(-1))
        let pairs = l(s("a"), s("b"), s("b"), s("a"))
        #expect(try lsl("llListFindStrided", pairs, l(s("a")), i(0), i(-1), i(2)) == i(0))
        #expect(try lsl("llListFindStrided", pairs, l(s("b")), i(0), i(-1), i(2)) == i(2))
        #expect(try lsl("llListFindStrided", pairs, l(s("a")), i(1), i(-1), i(2)) == i(3))
        #expect(try lsl("llListFindStrided", pairs, l(s("x")), i(0), i(-1), i(1)) == i(-1))
    }

    @Test func sorting() throws {
        #expect(try lsl("llListSort", l(i(3), i(1), i(2)), i(1), i(1)) == l(i(1), i(2), i(3)))
        #expect(try lsl("llListSort", l(i(3), i(1), i(2)), i(1), i(0)) == l(i(3), i(2), i(1)))
        #expect(try lsl("llListSort", l(s("banana"), s("Cherry"), s("apple")), i(1), i(1)) == l(s("Cherry"), s("apple"), s("banana")))
        #expect(try lsl("llListSort", l(s("b"), i(2), s("a"), i(1)), i(2), i(1)) == l(s("a"), i(1), s("b"), i(2)))
        #expect(try lsl("llListSort", l(s("b"), i(2), s("a")), i(2), i(1)) == l(s("b"), i(2), s("a")))
        #expect(try lsl("llListSort", l(v(3, 0, 0), v(0, 1, 0), v(0, 0, 2)), i(1), i(1)) == l(v(0, 1, 0), v(0, 0, 2), v(3, 0, 0)))
        #expect(try lsl("llListSort", l(f(2.5), f(-1), f(0)), i(0), i(1)) == l(f(-1), f(0), f(2.5)))
        // Elements of different types never compare: in ascending order they stay put.
        #expect(try lsl("llListSort", l(i(2), s("a"), i(1)), i(1), i(1)) == l(i(1), s("a"), i(2)))
        #expect(try lsl("llListSortStrided", l(s("b"), i(1), s("a"), i(2)), i(2), i(1), i(0)) == l(s("a"), i(2), s("b"), i(1)))
        #expect(try lsl("llListSortStrided", l(s("b"), i(1), s("a"), i(2)), i(2), i(0), i(1)) == l(s("a"), i(2), s("b"), i(1)))
        #expect(try lsl("llListSortStrided", l(s("b"), i(1)), i(2), i(5), i(1)) == l(s("b"), i(1)))
    }

    @Test func randomizing() throws {
        let pairs = l(s("a"), i(1), s("b"), i(2), s("c"), i(3), s("d"), i(4))
        var orders = Set<[LSLValue]>()
        for seed in UInt64(1)...40 {
            guard case .list(let shuffled) = try lsl("llListRandomize", pairs, i(2), seed: seed) else { return }
            #expect(shuffled.count == 8)
            for p in stride(from: 0, to: 8, by: 2) {
                guard case .string(let name) = shuffled[p], case .integer(let n) = shuffled[p + 1] else {
                    Issue.record("pair broken in \(shuffled)")
                    continue
                }
                #expect(Int(n) == Int(name.unicodeScalars.first!.value) - 96)
            }
            orders.insert(shuffled)
        }
        #expect(orders.count > 10)
        #expect(try lsl("llListRandomize", pairs, i(3)) == pairs)
        #expect(try lsl("llListRandomize", pairs, i(2), seed: 5) == lsl("llListRandomize", pairs, i(2), seed: 5))
    }

    @Test func statistics() throws {
        let numbers = l(i(1), f(2), s("x"), i(3), i(4))
        let stats: [(Int32, Float)] = [
            (0, 3), (1, 1), (2, 4), (3, 2.5), (4, 2.5), (5, Float((5.0 / 3.0).squareRoot())), (6, 10), (7, 30), (8, 4),
        ]
        for (operation, value) in stats {
            #expect(try lsl("llListStatistics", i(operation), numbers) == f(value), "LIST_STAT \(operation)")
        }
        #expect(try lsl("llListStatistics", i(4), l(i(5), i(1), i(3))) == f(3))
        #expect(try lsl("llListStatistics", i(9), l(i(1), i(2), i(4))) == f(2))
        #expect(try lsl("llListStatistics", i(9), l(i(1), i(-2))) == f(0))
        #expect(try lsl("llListStatistics", i(3), l(s("a"))) == f(0))
        #expect(try lsl("llListStatistics", i(5), l(i(1))) == f(0))
        #expect(try lsl("llListStatistics", i(42), numbers) == f(0))
    }

    @Test func csv() throws {
        #expect(try lsl("llList2CSV", l(i(1), f(2.5), s("a b"), v(1, 2, 3), k("k"))) == s("1, 2.500000, a b, <1.000000, 2.000000, 3.000000>, k"))
        #expect(try lsl("llList2CSV", l(f(123456.789))) == s("123456.789062"))
        #expect(try lsl("llList2CSV", l()) == s(""))
        #expect(try lsl("llCSV2List", s("a, b,c, <1,2,3>, d")) == l(s("a"), s("b"), s("c"), s("<1,2,3>"), s("d")))
        #expect(try lsl("llCSV2List", s(" a,  b")) == l(s("a"), s(" b")))
        #expect(try lsl("llCSV2List", s("")) == l(s("")))
        #expect(try lsl("llCSV2List", s("a,")) == l(s("a"), s("")))
        #expect(try lsl("llCSV2List", s("<1,<2,3>,4>,5")) == l(s("<1,<2,3>,4>"), s("5")))
    }

    @Test func dumpingToText() throws {
        #expect(try lsl("llDumpList2String", l(i(1), f(2), s("x"), v(1, 2, 3)), s("|")) == s("1|2.000000|x|<1.000000, 2.000000, 3.000000>"))
        #expect(try lsl("llDumpList2String", l(f(-0.0), v(-0.0, 0, 0)), s(" ")) == s("0.000000 <0.000000, 0.000000, 0.000000>"))
        #expect(try lsl("llDumpList2String", l(), s(",")) == s(""))
    }

    @Test func parsing() throws {
        #expect(try lsl("llParseString2List", s("The quick brown fox"), l(s(" ")), l()) == l(s("The"), s("quick"), s("brown"), s("fox")))
        #expect(try lsl("llParseString2List", s("a,b,,c"), l(s(",")), l()) == l(s("a"), s("b"), s("c")))
        #expect(try lsl("llParseStringKeepNulls", s("a,b,,c"), l(s(",")), l()) == l(s("a"), s("b"), s(""), s("c")))
        #expect(try lsl("llParseStringKeepNulls", s(",a,"), l(s(",")), l()) == l(s(""), s("a"), s("")))
        #expect(try lsl("llParseString2List", s("1+2=3"), l(), l(s("+"), s("="))) == l(s("1"), s("+"), s("2"), s("="), s("3")))
        #expect(try lsl("llParseString2List", s("a b+c"), l(s(" ")), l(s("+"))) == l(s("a"), s("b"), s("+"), s("c")))
        #expect(try lsl("llParseString2List", s("abc"), l(s("ab")), l(s("a"))) == l(s("c")))
        #expect(try lsl("llParseString2List", s("abc"), l(s("a")), l(s("ab"))) == l(s("bc")))
        #expect(try lsl("llParseString2List", s(""), l(s(",")), l()) == l())
        #expect(try lsl("llParseStringKeepNulls", s(""), l(s(",")), l()) == l(s("")))
        #expect(try lsl("llParseString2List", s("abc"), l(), l()) == l(s("abc")))
        #expect(try lsl("llParseString2List", s("a1b"), l(i(1)), l()) == l(s("a"), s("b")))
        // Only the first eight separators count.
        let nine = l(s("0"), s("1"), s("2"), s("3"), s("4"), s("5"), s("6"), s("7"), s("8"))
        #expect(try lsl("llParseString2List", s("a7b8c"), nine, l()) == l(s("a"), s("b8c")))
    }
}
