import Testing
@testable import TesseraLSL

/// Casts and text forms of values (LSL wiki "Typecast", "float", "integer", "vector").
@Suite struct ConversionTests {
    @Test(arguments: [
        (Float(1.5), "1.500000"),
        (Float(0), "0.000000"),
        (Float(-0.0), "-0.000000"),
        (Float(-2.25), "-2.250000"),
        (Float(0.1), "0.100000"),
        (Float(100), "100.000000"),
        (Float(123456.789), "123456.800000"),
        (Float(1e30), "1000000000000000000000000000000.000000"),
        (Float(3.14159265), "3.141593"),
        (Float(0.0000005), "0.000001"),
        (Float(0.0000004), "0.000000"),
        (Float(-0.0000004), "0.000000"),
        (Float(16777216), "16777220.000000"),
        (Float(-5), "-5.000000"),
        (Float(9999999), "9999999.000000"),
        (Float(12345678), "12345680.000000"),
        (Float(0.5), "0.500000"),
        (Float.infinity, "Infinity"),
        (-Float.infinity, "-Infinity"),
        (Float.nan, "NaN"),
    ])
    func floatToString(value: Float, text: String) {
        #expect(LSLValue.float(value).cast(to: .string) == .string(text))
        #expect(LSLValue.formatFloat(value) == text)
    }

    @Test func vectorsAndRotationsToString() {
        #expect(LSLValue.vector(LSLVector(1, 2, 3)).cast(to: .string) == .string("<1.00000, 2.00000, 3.00000>"))
        #expect(LSLValue.vector(LSLVector(-0.5, 0.123456, 1e6)).cast(to: .string) == .string("<-0.50000, 0.12346, 1000000.00000>"))
        #expect(LSLValue.rotation(LSLRotation(0, 0, 0, 1)).cast(to: .string) == .string("<0.00000, 0.00000, 0.00000, 1.00000>"))
    }

    @Test func listsToString() {
        let list = LSLValue.list([.integer(1), .float(2.5), .vector(LSLVector(1, 2, 3)), .string("a"), .key("k"),
                                  .rotation(.identity)])
        #expect(list.cast(to: .string) == .string("12.500000<1.000000, 2.000000, 3.000000>ak<0.000000, 0.000000, 0.000000, 1.000000>"))
        #expect(LSLValue.list([]).cast(to: .string) == .string(""))
    }

    @Test func numbersBetweenThemselves() {
        #expect(LSLValue.integer(-7).cast(to: .float) == .float(-7))
        #expect(LSLValue.integer(16777217).cast(to: .float) == .float(16777216))
        #expect(LSLValue.float(3.7).cast(to: .integer) == .integer(3))
        #expect(LSLValue.float(-3.7).cast(to: .integer) == .integer(-3))
        #expect(LSLValue.float(2147483520).cast(to: .integer) == .integer(2147483520))
        #expect(LSLValue.float(-2147483648).cast(to: .integer) == .integer(-2147483648))
        #expect(LSLValue.float(2147483648).cast(to: .integer) == .integer(-2147483648))
        #expect(LSLValue.float(1e10).cast(to: .integer) == .integer(-2147483648))
        #expect(LSLValue.float(-1e10).cast(to: .integer) == .integer(-2147483648))
        #expect(LSLValue.float(.nan).cast(to: .integer) == .integer(-2147483648))
        #expect(LSLValue.float(.infinity).cast(to: .integer) == .integer(-2147483648))
        #expect(LSLValue.integer(-42).cast(to: .string) == .string("-42"))
    }

    @Test(arguments: [
        ("42", Int32(42)), ("  42abc", 42), ("\t\n-17", -17), ("+5", 5), ("3.9", 3), ("1e3", 1),
        ("0x1F", 31), ("0X1f", 31), ("0x", 0), (" 0x1F", 0), ("-0x1F", 0), ("0xFFFFFFFF", -1),
        ("abc", 0), ("", 0), ("-", 0), ("007", 7),
        ("2147483647", 2147483647), ("2147483648", -2147483648), ("4294967295", -1), ("4294967296", -1),
        ("99999999999", -1), ("-4294967295", 1), ("-4294967296", -1), ("-2147483648", -2147483648),
    ])
    func stringToInteger(text: String, value: Int32) {
        #expect(LSLValue.string(text).cast(to: .integer) == .integer(value))
        #expect(LSLValue.stringToInteger(text) == value)
    }

    @Test(arguments: [
        ("1.5", Float(1.5)), ("  -2.5e2xyz", -250), (".5", 0.5), ("5.", 5), ("1e", 1), ("1e+2", 100),
        ("0x1p3", 8), ("0x.8", 0.5), ("0x10", 16), ("abc", 0), ("", 0), (".", 0), ("+3", 3),
        ("inf", .infinity), ("-Infinity", -.infinity), ("INFx", .infinity), ("1e39", .infinity),
        ("42", 42),
    ])
    func stringToFloat(text: String, value: Float) {
        #expect(LSLValue.string(text).cast(to: .float) == .float(value))
    }

    @Test func stringToFloatNaN() {
        #expect(LSLValue.stringToFloat("nan").isNaN)
        #expect(LSLValue.stringToFloat("-NaN").isNaN)
        #expect(LSLValue.stringToFloat("-nan").sign == .minus)
    }

    @Test func stringToVector() {
        #expect(LSLValue.string("<1,2,3>").cast(to: .vector) == .vector(LSLVector(1, 2, 3)))
        #expect(LSLValue.string("<1, 2, 3>").cast(to: .vector) == .vector(LSLVector(1, 2, 3)))
        #expect(LSLValue.string("< 1.5,-2e1, .25> trailing").cast(to: .vector) == .vector(LSLVector(1.5, -20, 0.25)))
        #expect(LSLValue.string("<1,2,3").cast(to: .vector) == .vector(LSLVector(1, 2, 3)))
        #expect(LSLValue.string("<1,2,3,4>").cast(to: .vector) == .vector(LSLVector(1, 2, 3)))
        #expect(LSLValue.string("<1,inf,infinity>").cast(to: .vector) == .vector(LSLVector(1, .infinity, .infinity)))
        #expect(LSLValue.string("<1,inf,info>").cast(to: .vector) == .vector(LSLVector(1, .infinity, .infinity)))
        for bad in ["", "1,2,3", " <1,2,3>", "<1 ,2,3>", "<1,2>", "<a,b,c>", "<1,inf,infix>"] {
            #expect(LSLValue.string(bad).cast(to: .vector) == .vector(.zero), "\(bad)")
        }
    }

    @Test func stringToRotation() {
        #expect(LSLValue.string("<1,2,3,4>").cast(to: .rotation) == .rotation(LSLRotation(1, 2, 3, 4)))
        #expect(LSLValue.string("<0.5, 0.5, 0.5, 0.5>").cast(to: .rotation) == .rotation(LSLRotation(0.5, 0.5, 0.5, 0.5)))
        #expect(LSLValue.string("<1,2,3>").cast(to: .rotation) == .rotation(LSLRotation(0, 0, 0, 1)))
        #expect(LSLValue.string("junk").cast(to: .rotation) == .rotation(LSLRotation(0, 0, 0, 1)))
    }

    @Test func keysStringsAndLists() {
        #expect(LSLValue.string("abc").cast(to: .key) == .key("abc"))
        #expect(LSLValue.key("abc").cast(to: .string) == .string("abc"))
        #expect(LSLValue.integer(1).cast(to: .list) == .list([.integer(1)]))
        #expect(LSLValue.vector(LSLVector(1, 2, 3)).cast(to: .list) == .list([.vector(LSLVector(1, 2, 3))]))
        #expect(LSLValue.list([.integer(1)]).cast(to: .list) == .list([.integer(1)]))
        #expect(LSLValue.float(2).cast(to: .float) == .float(2))
    }

    @Test func roundTripThroughText() {
        // Casting a float to text and back keeps 6 decimals only.
        #expect(LSLValue.float(1.23456789).cast(to: .string).cast(to: .float) == .float(1.234568))
        #expect(LSLValue.vector(LSLVector(1, 2, 3)).cast(to: .string).cast(to: .vector) == .vector(LSLVector(1, 2, 3)))
    }

    @Test func truthiness() {
        #expect(LSLValue.integer(0).isTrue == false)
        #expect(LSLValue.integer(-1).isTrue)
        #expect(LSLValue.float(0).isTrue == false)
        #expect(LSLValue.float(-0.0).isTrue == false)
        #expect(LSLValue.float(0.001).isTrue)
        #expect(LSLValue.string("").isTrue == false)
        #expect(LSLValue.string("0").isTrue)
        #expect(LSLValue.key("").isTrue == false)
        #expect(LSLValue.key("00000000-0000-0000-0000-000000000000").isTrue == false)
        #expect(LSLValue.key("a2e76fcd-9360-4f6d-a924-000000000003").isTrue)
        #expect(LSLValue.key("A2E76FCD-9360-4F6D-A924-000000000003").isTrue)
        #expect(LSLValue.key("not a key").isTrue == false)
        #expect(LSLValue.key("a2e76fcd-9360-4f6d-a924-00000000000").isTrue == false)
        #expect(LSLValue.key("a2e76fcd-9360-4f6d-a924-00000000000g").isTrue == false)
        #expect(LSLValue.key("a2e76fcd+9360-4f6d-a924-000000000003").isTrue == false)
        #expect(LSLValue.vector(.zero).isTrue == false)
        #expect(LSLValue.vector(LSLVector(0, 0, 0.1)).isTrue)
        #expect(LSLValue.rotation(.identity).isTrue == false)
        #expect(LSLValue.rotation(LSLRotation(0, 0, 0, 0)).isTrue)
        #expect(LSLValue.list([]).isTrue == false)
        #expect(LSLValue.list([.integer(0)]).isTrue)
    }
}
