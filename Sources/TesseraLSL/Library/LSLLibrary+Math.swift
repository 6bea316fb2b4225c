#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers: `llAbs` … `llModPow`, `llFrand`, vector lengths, colour spaces.
extension LSLLibrary {
    static func registerMath(_ t: inout LibraryTable) {
        // Also computed inline by the VM (`Intrinsics`): one definition serves both.
        t.add("llAbs") { a, _ in .integer(Intrinsics.abs(a.int(0))) }
        t.add("llFabs") { a, _ in .float(Intrinsics.fabs(a.float(0))) }
        t.add("llSqrt") { a, _ in .float(Intrinsics.sqrt(a.float(0))) }
        t.add("llPow") { a, _ in .float(power(a.float(0), a.float(1))) }
        t.add("llLog") { a, _ in
            let f = a.float(0)
            return .float(f > 0 ? Float(log(Double(f))) : 0)
        }
        t.add("llLog10") { a, _ in
            let f = a.float(0)
            return .float(f > 0 ? Float(log10(Double(f))) : 0)
        }
        t.add("llSin") { a, _ in .float(trig(a.float(0), sin)) }
        t.add("llCos") { a, _ in .float(trig(a.float(0), cos)) }
        t.add("llTan") { a, _ in .float(trig(a.float(0), tan)) }
        t.add("llAsin") { a, _ in
            let f = a.float(0)
            return .float(f.isNaN || abs(f) > 1 ? (f.isNaN ? f : .nan) : Float(asin(Double(f))))
        }
        t.add("llAcos") { a, _ in
            let f = a.float(0)
            return .float(f.isNaN || abs(f) > 1 ? (f.isNaN ? f : .nan) : Float(acos(Double(f))))
        }
        t.add("llAtan2") { a, _ in
            let y = a.float(0), x = a.float(1)
            if x.isNaN { return .float(x) }
            if y.isNaN { return .float(y) }
            return .float(Float(atan2(Double(y), Double(x))))
        }
        t.add("llFloor") { a, _ in .integer(toInteger(Double(a.float(0)).rounded(.down), a.float(0))) }
        t.add("llCeil") { a, _ in .integer(toInteger(Double(a.float(0)).rounded(.up), a.float(0))) }
        t.add("llRound") { a, _ in
            let f = a.float(0)
            guard f.isFinite, f < 2_147_483_647.5, f >= -2_147_483_648 else { return .integer(.min) }
            // SL adds 0.5 in single precision, then takes the floor.
            return .integer(LSLValue.doubleToInteger(Double(f + 0.5).rounded(.down)))
        }
        t.add("llFrand") { a, context in .float(frand(a.float(0), &context.random)) }
        t.add("llModPow") { a, _ in .integer(modPow(a.int(0), a.int(1), a.int(2))) }
        t.add("llVecMag") { a, _ in
            let v = a.vector(0)
            return .float(Float(magnitude(Double(v.x), Double(v.y), Double(v.z))))
        }
        t.add("llVecDist") { a, _ in
            let u = a.vector(0), v = a.vector(1)
            return .float(Float(magnitude(Double(u.x) - Double(v.x), Double(u.y) - Double(v.y), Double(u.z) - Double(v.z))))
        }
        t.add("llVecNorm") { a, _ in .vector(normalize(a.vector(0))) }
        t.add("llLinear2sRGB") { a, _ in
            let v = a.vector(0)
            func convert(_ x: Float) -> Float {
                x <= 0.0031308 ? 12.92 * x : 1.055 * Float(pow(Double(x), Double(Float(0.41666666)))) - 0.055
            }
            return .vector(LSLVector(convert(v.x), convert(v.y), convert(v.z)))
        }
        t.add("llsRGB2Linear") { a, _ in
            let v = a.vector(0)
            func convert(_ x: Float) -> Float {
                x <= 0.04045 ? x / 12.92 : Float(pow(Double((x + 0.055) / 1.055), Double(Float(2.4))))
            }
            return .vector(LSLVector(convert(v.x), convert(v.y), convert(v.z)))
        }
    }

    /// `llFloor`/`llCeil`: NaN, infinities and anything outside the 32-bit range give
    /// -2147483648 (checked on the value before rounding).
    static func toInteger(_ rounded: Double, _ original: Float) -> Int32 {
        guard original.isFinite, original < 2_147_483_648, original >= -2_147_483_648 else { return .min }
        return LSLValue.doubleToInteger(rounded)
    }

    static func power(_ base: Float, _ exponent: Float) -> Float {
        if base.isNaN || exponent.isNaN { return .nan }
        if exponent == 0 { return 1 }
        if base == 0 {
            if exponent < 0 {
                let oddInteger = exponent == exponent.rounded() && (exponent / 2) != (exponent / 2).rounded()
                return base.sign == .minus && oddInteger ? -.infinity : .infinity
            }
        } else if abs(base) == 1 && exponent.isInfinite {
            return .nan
        }
        if base < 0 && exponent.isFinite && exponent != exponent.rounded() { return -Float.nan }
        let result = Float(pow(Double(base), Double(exponent)))
        return result == 0 ? 0 : result
    }

    /// `llSin`, `llCos`, `llTan`: an infinite angle gives NaN, and one beyond ±2^63 comes back
    /// unchanged (what the x87 instructions SL relies on do).
    static func trig(_ f: Float, _ function: (Double) -> Double) -> Float {
        if f.isInfinite { return -Float.nan }
        guard abs(f) < 9_223_372_036_854_775_808 else { return f }
        return Float(function(reduceAngle(f)))
    }

    /// A whole angle reduced modulo 2π the way the x87 does it, with π to 66 bits (2π is
    /// 115904311329233965478 / 2^64), so that large angles give SL's results; other angles
    /// (below 2^23, with a fraction) are left to the C library.
    static func reduceAngle(_ f: Float) -> Double {
        guard f == f.rounded(.towardZero) else { return Double(f) }
        let twoPi: UInt128 = 115_904_311_329_233_965_478
        let n = UInt128(UInt64(abs(f))) << 64
        let r = Double(n % twoPi) / 18_446_744_073_709_551_616.0
        return f < 0 ? -r : r
    }

    /// A float in [0, mag) (or (mag, 0] for a negative mag) with a 24-bit mantissa truncated,
    /// never mag itself. An infinite mag gives 0, a tiny one (below 2^-126) a signed 0, NaN NaN.
    static func frand(_ mag: Float, _ random: inout LSLRandom) -> Float {
        if mag.isInfinite { return 0 }
        if abs(mag) < Float.leastNormalMagnitude { return mag < 0 ? -0.0 : 0 }
        if mag.isNaN { return mag }
        let product = Double(random.unit()) * Double(mag)
        var value = Float(product)
        if abs(Double(value)) > abs(product) { value = value > 0 ? value.nextDown : value.nextUp }
        return value == mag ? 0 : value
    }

    /// `(base ^ exponent) % modulus` with every input taken as unsigned 32 bits and the
    /// products kept to 32 bits before each reduction, as SL does; a modulus of 0 or 1 gives 0.
    static func modPow(_ base: Int32, _ exponent: Int32, _ modulus: Int32) -> Int32 {
        if modulus == 0 || modulus == 1 { return 0 }
        if exponent == 0 { return 1 }
        let m = UInt64(UInt32(bitPattern: modulus))
        var e = UInt32(bitPattern: exponent)
        var product = UInt64(UInt32(bitPattern: base))
        var result: UInt64 = 1
        while true {
            if e & 1 != 0 { result = ((result * product) & 0xFFFF_FFFF) % m }
            e >>= 1
            if e == 0 { break }
            product = ((product * product) & 0xFFFF_FFFF) % m
        }
        return Int32(truncatingIfNeeded: result)
    }

    static func magnitude(_ x: Double, _ y: Double, _ z: Double) -> Double {
        (x * x + y * y + z * z).squareRoot()
    }

    /// `llVecNorm`: `ZERO_VECTOR` stays zero.
    static func normalize(_ v: LSLVector) -> LSLVector {
        if v == .zero { return v }
        let x = Double(v.x), y = Double(v.y), z = Double(v.z)
        let m = magnitude(x, y, z)
        return LSLVector(Float(x / m), Float(y / m), Float(z / m))
    }
}
