import Testing
@testable import TesseraLSL

/// The built-ins the VM computes inline must answer exactly what the library answers.
@Suite struct IntrinsicTests {
    static let floats: [Float] = [0, -0.0, 1, -1, 2.25, -2.25, 1e30, -1e-30, .infinity, -.infinity, .nan, 16777218]
    static let ints: [Int32] = [0, 1, -1, 7, .max, .min, 123456]
    static let list: LSLValue = .list([.integer(5), .float(2.5), .string("12abc"), .string("0x1F"), .key("k"),
                                       .vector(LSLVector(1, 2, 3)), .float(-3e9), .string("1e3")])

    private func library(_ name: String, _ arguments: [LSLValue]) throws -> LSLValue {
        var context = LSLLibraryContext(random: LSLRandom(seed: 1))
        return try LSLLibrary.functions[name]!(arguments, &context)
    }

    private func same(_ a: LSLValue, _ b: LSLValue) -> Bool {
        if case .float(let x) = a, case .float(let y) = b { return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
        return a == b
    }

    /// Runs `expression` in a script and returns what it printed.
    private func run(_ declarations: String, _ expression: String) throws -> String {
        try VMRun.output("default { state_entry() { \(declarations) print(\(expression)); } }").joined()
    }

    @Test func mathMatchesTheLibrary() throws {
        for f in Self.floats {
            let vm = LSLValue.float(Intrinsics.sqrt(f))
            #expect(same(vm, try library("llSqrt", [.float(f)])), "llSqrt(\(f))")
            #expect(same(.float(Intrinsics.fabs(f)), try library("llFabs", [.float(f)])), "llFabs(\(f))")
        }
        for n in Self.ints {
            #expect(LSLValue.integer(Intrinsics.abs(n)) == (try library("llAbs", [.integer(n)])), "llAbs(\(n))")
        }
    }

    @Test func listsAndStringsMatchTheLibrary() throws {
        for index in Int32(-10)...10 {
            #expect(LSLValue.integer(Intrinsics.list2Integer(Self.list, index)) == (try library("llList2Integer", [Self.list, .integer(index)])), "llList2Integer \(index)")
            #expect(same(.float(Intrinsics.list2Float(Self.list, index)), try library("llList2Float", [Self.list, .integer(index)])), "llList2Float \(index)")
        }
        for text in ["", "abc", "héllo", "日本語", "👍🏽"] {
            #expect(LSLValue.integer(Intrinsics.stringLength(.string(text))) == (try library("llStringLength", [.string(text)])))
        }
    }

    @Test func scriptsUseThem() throws {
        #expect(try run("list l = [1, \"7x\", 2.5];", "llList2Integer(l, 1) + llList2Integer(l, -1) + llGetListLength(l)") == "12")
        #expect(try run("", "llSqrt(16) + llFabs(-1.5)") == "5.500000")
        #expect(try run("", "llAbs(-2147483648)") == "-2147483648")
        #expect(try run("string s = \"日本\";", "llStringLength(s)") == "2")
        // Arguments are read left to right even when a later one changes an earlier local.
        #expect(try run("list l = [1, 2, 3]; integer i = 0;", "llList2Integer(l, (l = [9]) != [] )") == "2")
    }
}
