#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SL's casts and text forms of values (docs/lsl-library.md, "Casts").
extension LSLValue {
    /// `(type)value`, with SL's rules. A cast the type checker refuses (`(integer)<1, 2, 3>`)
    /// gives the zero value of `type`.
    public func cast(to type: LSLType) -> LSLValue {
        if self.type == type { return self }
        switch (self, type) {
        case (.integer(let v), .float): return .float(Float(v))
        case (.float(let v), .integer): return .integer(LSLValue.floatToInteger(v))
        case (_, .string): return .string(castString)
        case (.key(let s), .key): return .key(s)
        case (.string(let s), .key): return .key(s)
        case (.string(let s), .integer): return .integer(LSLValue.stringToInteger(s))
        case (.string(let s), .float): return .float(LSLValue.stringToFloat(s))
        case (.string(let s), .vector): return .vector(LSLValue.stringToVector(s))
        case (.string(let s), .rotation): return .rotation(LSLValue.stringToRotation(s))
        case (_, .list): return .list([self])
        default: return LSLValue.zero(of: type)
        }
    }

    /// The text of `(string)value`: floats with 6 decimals, vectors and rotations with 5, a list
    /// its elements' list texts joined with nothing between them.
    public var castString: String {
        switch self {
        case .integer(let v): return String(v)
        case .float(let v): return LSLValue.formatFloat(v)
        case .string(let s), .key(let s): return s
        case .vector(let v): return LSLValue.formatVector(v, decimals: 5)
        case .rotation(let r): return LSLValue.formatRotation(r, decimals: 5)
        case .list(let elements):
            var text = ""
            for element in elements { text += element.listElementString }
            return text
        }
    }

    /// The text of a value inside a list (`llList2String`, `(string)list`,
    /// `llDumpList2String`): floats, vectors and rotations with 6 decimals.
    public var listElementString: String {
        switch self {
        case .vector(let v): return LSLValue.formatVector(v, decimals: 6)
        case .rotation(let r): return LSLValue.formatRotation(r, decimals: 6)
        case .list: return castString
        default: return castString
        }
    }

    /// Whether a condition holds: integer ≠ 0, float ≠ 0, a non-empty string, a key that is a
    /// valid UUID other than `NULL_KEY`, a vector ≠ `ZERO_VECTOR`, a rotation ≠
    /// `ZERO_ROTATION`, a non-empty list.
    public var isTrue: Bool {
        switch self {
        case .integer(let v): return v != 0
        case .float(let v): return v != 0
        case .string(let s): return !s.isEmpty
        case .key(let s): return LSLValue.isUUID(s) && s != LSLValue.nullKey
        case .vector(let v): return v != .zero
        case .rotation(let r): return r != .identity
        case .list(let l): return !l.isEmpty
        }
    }

    /// Whether two texts are the same code points. (Swift's `==` on strings also equates
    /// canonically equivalent texts, `"é"` and `"e\u{301}"`; LSL does not.)
    public static func sameText(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    public static let nullKey = "00000000-0000-0000-0000-000000000000"

    /// Whether `s` is a UUID in the 8-4-4-4-12 hex form (either case).
    public static func isUUID(_ s: String) -> Bool {
        let bytes = s.utf8
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if b != UInt8(ascii: "-") { return false }
            } else if hexDigit(b) == nil {
                return false
            }
        }
        return true
    }

    // MARK: - Numbers to text

    /// `(string)float`: 6 decimals, as Mono prints them — the value first rounded to 7
    /// significant digits (ties to even), then to 6 decimals (ties away from zero), so
    /// `123456.789` is `"123456.800000"` and `1e30` is `"1000000000000000000000000000000.000000"`.
    /// Infinities and NaN print as `Infinity`, `-Infinity` and `NaN`.
    public static func formatFloat(_ value: Float) -> String {
        formatFloat(value, decimals: 6)
    }

    /// Mono's `%.Nf` of `value` for N in 0...9 (see `formatFloat(_:)`).
    public static func formatFloat(_ value: Float, decimals: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        let zeros = String(repeating: "0", count: decimals)
        if value == 0 { return (value.sign == .minus ? "-0" : "0") + (decimals > 0 ? "." + zeros : "") }
        if value.magnitude < 10_000_000 && value == value.rounded(.towardZero) {
            // Whole numbers below 10^7 have at most 7 digits: printed exactly.
            return String(Int(value)) + (decimals > 0 ? "." + zeros : "")
        }
        // Seven significant digits: value = m × 10^(e - 6), 1000000 <= m <= 9999999.
        let (m, e) = sevenDigits(Double(value.magnitude))
        // The value times 10^decimals, rounded half away from zero: n = m × 10^s.
        let s = e - 6 + decimals
        var digits: String
        if s >= 0 {
            digits = String(m) + String(repeating: "0", count: s)
        } else if -s > 7 {
            digits = "0"
        } else {
            var p: UInt64 = 1
            for _ in 0..<(-s) { p *= 10 }
            let n = (m + p / 2) / p
            digits = String(n)
        }
        if digits == "0" { return "0" + (decimals > 0 ? "." + zeros : "") }
        if digits.count <= decimals {
            digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits
        }
        let sign = value < 0 ? "-" : ""
        guard decimals > 0 else { return sign + digits }
        let cut = digits.index(digits.endIndex, offsetBy: -decimals)
        return sign + digits[..<cut] + "." + digits[cut...]
    }

    /// The decimal mantissa (7 digits) and exponent of `%.6e` of a positive finite number.
    private static func sevenDigits(_ value: Double) -> (UInt64, Int) {
        let text = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
            let count = withVaList([value]) { vsnprintf(buffer.baseAddress, 40, "%.6e", $0) }
            let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(max(0, min(count, 39))))
            return Array(bytes)
        }
        // d.dddddde[+-]xx
        var m: UInt64 = 0
        var i = 0
        while i < text.count, text[i] != UInt8(ascii: "e") {
            if isDigit(text[i]) { m = m * 10 + UInt64(text[i] - 48) }
            i += 1
        }
        i += 1
        var negative = false
        if i < text.count, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
            negative = text[i] == UInt8(ascii: "-")
            i += 1
        }
        var e = 0
        while i < text.count, isDigit(text[i]) { e = e * 10 + Int(text[i] - 48); i += 1 }
        return (m, negative ? -e : e)
    }

    /// C's `%.Nf` (`llList2CSV` prints floats so): `nan`, `-nan`, `inf` as C spells them.
    public static func cFormatFloat(_ value: Float, decimals: Int = 6) -> String {
        let format = "%.\(decimals)f"
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 80) { buffer in
            let count = withVaList([Double(value)]) { vsnprintf(buffer.baseAddress, 80, format, $0) }
            let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(max(0, min(count, 79))))
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// `<x, y, z>` with `decimals` decimals per component.
    public static func formatVector(_ v: LSLVector, decimals: Int) -> String {
        "<" + formatFloat(v.x, decimals: decimals) + ", " + formatFloat(v.y, decimals: decimals) + ", "
            + formatFloat(v.z, decimals: decimals) + ">"
    }

    /// `<x, y, z, s>` with `decimals` decimals per component.
    public static func formatRotation(_ r: LSLRotation, decimals: Int) -> String {
        "<" + formatFloat(r.x, decimals: decimals) + ", " + formatFloat(r.y, decimals: decimals) + ", "
            + formatFloat(r.z, decimals: decimals) + ", " + formatFloat(r.s, decimals: decimals) + ">"
    }

    // MARK: - Numbers between themselves

    /// `(integer)float`: truncates toward zero; NaN and values outside the 32-bit range give
    /// -2147483648, as Mono does.
    public static func floatToInteger(_ value: Float) -> Int32 {
        guard value.isFinite, value > -2_147_483_904, value < 2_147_483_648 else { return .min }
        return Int32(value.rounded(.towardZero))
    }

    /// The same rule for a double (`llRound`, `llFloor`, `llCeil` round first).
    static func doubleToInteger(_ value: Double) -> Int32 {
        guard value.isFinite, value > -2_147_483_649, value < 2_147_483_648 else { return .min }
        return Int32(value.rounded(.towardZero))
    }

    // MARK: - Text to numbers

    /// `(integer)string`: `0x` and hex digits when the text starts so (no space, no sign);
    /// otherwise leading white space, an optional sign and decimal digits, up to the first
    /// other character. Nothing valid gives 0. A magnitude within 4294967295 wraps to 32 bits
    /// (`"4294967295"` is -1, `"2147483648"` is -2147483648); a greater one gives -1.
    public static func stringToInteger(_ s: String) -> Int32 {
        var utf8 = s.utf8.makeIterator()
        guard let first = utf8.next() else { return 0 }
        var c: UInt8? = first
        var base: UInt64 = 10
        var negative = false
        if first == UInt8(ascii: "0") {
            let second = utf8.next()
            if second == UInt8(ascii: "x") || second == UInt8(ascii: "X") {
                c = utf8.next()
                guard let h = c, hexDigit(h) != nil else { return 0 }
                base = 16
            } else {
                c = second
            }
        } else {
            while let b = c, isSpace(b) { c = utf8.next() }
            if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
                negative = c == UInt8(ascii: "-")
                c = utf8.next()
            }
        }
        var magnitude: UInt64 = 0
        while let b = c {
            let digit: UInt64
            if base == 16 {
                guard let h = hexDigit(b) else { break }
                digit = UInt64(h)
            } else {
                guard isDigit(b) else { break }
                digit = UInt64(b - UInt8(ascii: "0"))
            }
            magnitude = min(magnitude * base + digit, 0x1_0000_0000)
            c = utf8.next()
        }
        if magnitude > 0xFFFF_FFFF { return -1 }
        let bits = Int32(bitPattern: UInt32(magnitude))
        return negative ? 0 &- bits : bits
    }

    /// `(float)string`: leading white space, then the longest number C's `strtod` reads —
    /// decimal with exponent, hex (`0x1.8p1`), `inf`, `infinity`, `nan` in any case — rounded
    /// to 32 bits; nothing valid gives 0.
    public static func stringToFloat(_ s: String) -> Float {
        let bytes = Array(s.utf8)
        var index = 0
        return Float(parseDouble(bytes, &index) ?? 0)
    }

    /// Reads a number at `index` (white space first), moving `index` past it; nil when there is
    /// none (and `index` is unchanged).
    /// In a vector, `inf` followed by `i` must be `infinity` (`<1,inf,infix>` is no vector).
    static func parseDouble(_ b: [UInt8], _ index: inout Int, inVector: Bool = false) -> Double? {
        var i = index
        while i < b.count, isSpace(b[i]) { i += 1 }
        let start = i
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        func matches(_ word: String, at position: Int) -> Bool {
            let w = Array(word.utf8)
            guard position + w.count <= b.count else { return false }
            for k in 0..<w.count where b[position + k] | 0x20 != w[k] { return false }
            return true
        }
        if matches("inf", at: i) {
            if matches("infinity", at: i) {
                i += 8
            } else if inVector && i + 3 < b.count && b[i + 3] | 0x20 == UInt8(ascii: "i") {
                return nil
            } else {
                i += 3
            }
            index = i
            return negative ? -.infinity : .infinity
        }
        if matches("nan", at: i) {
            i += 3
            index = i
            return negative ? -Double.nan : .nan
        }
        var sawDigit = false
        if i + 1 < b.count, b[i] == UInt8(ascii: "0"), b[i + 1] | 0x20 == UInt8(ascii: "x") {
            // Hex float: 0x h* [. h*] [p [sign] d+]
            var j = i + 2
            var mantissa: Double = 0
            var exponent = 0
            var hexSeen = false
            while j < b.count, let h = hexDigit(b[j]) {
                mantissa = mantissa * 16 + Double(h)
                hexSeen = true
                j += 1
            }
            if j < b.count, b[j] == UInt8(ascii: ".") {
                j += 1
                while j < b.count, let h = hexDigit(b[j]) {
                    mantissa = mantissa * 16 + Double(h)
                    exponent -= 4
                    hexSeen = true
                    j += 1
                }
            }
            if hexSeen {
                if j < b.count, b[j] | 0x20 == UInt8(ascii: "p") {
                    var k = j + 1
                    var expNegative = false
                    if k < b.count, b[k] == UInt8(ascii: "-") || b[k] == UInt8(ascii: "+") {
                        expNegative = b[k] == UInt8(ascii: "-")
                        k += 1
                    }
                    if k < b.count, isDigit(b[k]) {
                        var e = 0
                        while k < b.count, isDigit(b[k]) {
                            e = min(e * 10 + Int(b[k] - 48), 100_000)
                            k += 1
                        }
                        exponent += expNegative ? -e : e
                        j = k
                    }
                }
                index = j
                let value = mantissa * pow2(exponent)
                return negative ? -value : value
            }
            // "0x" with no hex digit: the 0 alone.
            index = i + 1
            return negative ? -0.0 : 0
        }
        while i < b.count, isDigit(b[i]) { i += 1; sawDigit = true }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, isDigit(b[i]) { i += 1; sawDigit = true }
        }
        guard sawDigit else { return nil }
        if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
            var k = i + 1
            if k < b.count, b[k] == UInt8(ascii: "-") || b[k] == UInt8(ascii: "+") { k += 1 }
            if k < b.count, isDigit(b[k]) {
                while k < b.count, isDigit(b[k]) { k += 1 }
                i = k
            }
        }
        index = i
        let text = String(decoding: b[start..<i], as: UTF8.self)
        return Double(text) ?? 0
    }

    private static func pow2(_ e: Int) -> Double {
        var result = 1.0
        var e = e
        while e > 0 { let step = min(e, 1000); result *= Double(sign: .plus, exponent: step, significand: 1); e -= step }
        while e < 0 { let step = max(e, -1000); result *= Double(sign: .plus, exponent: step, significand: 1); e -= step }
        return result
    }

    /// `(vector)string`: `<` first, then three numbers as `(float)` reads them (white space
    /// before each), each of the first two followed at once by `,`; anything after the third
    /// number is ignored (`"<1, 2, 3"` is a vector). Anything else gives `ZERO_VECTOR`.
    public static func stringToVector(_ s: String) -> LSLVector {
        guard let c = parseComponents(s, count: 3) else { return .zero }
        return LSLVector(c[0], c[1], c[2])
    }

    /// `(rotation)string`: four numbers, as for vectors; bad text gives `ZERO_ROTATION`
    /// `<0, 0, 0, 1>`.
    public static func stringToRotation(_ s: String) -> LSLRotation {
        guard let c = parseComponents(s, count: 4) else { return .identity }
        return LSLRotation(c[0], c[1], c[2], c[3])
    }

    private static func parseComponents(_ s: String, count: Int) -> [Float]? {
        let b = Array(s.utf8)
        guard b.first == UInt8(ascii: "<") else { return nil }
        var i = 1
        var result: [Float] = []
        for n in 0..<count {
            if n > 0 {
                guard i < b.count, b[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
            guard let value = parseDouble(b, &i, inVector: true) else { return nil }
            result.append(Float(value))
        }
        return result
    }

    // MARK: - Characters

    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D)
    }

    static func isDigit(_ b: UInt8) -> Bool {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    }

    static func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
