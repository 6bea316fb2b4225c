import Testing
@testable import TesseraLSL

/// LSL's PI: π rounded to the nearest float (Swift's `Float.pi` is rounded down).
private let pi = Float(Double.pi)

/// Math built-ins, with the results the LSL wiki states.
@Suite struct LibraryMathTests {
    @Test func absoluteValues() throws {
        #expect(try lsl("llAbs", i(-5)) == i(5))
        #expect(try lsl("llAbs", i(5)) == i(5))
        #expect(try lsl("llAbs", i(-2147483648)) == i(-2147483648))
        #expect(try lsl("llFabs", f(-2.5)) == f(2.5))
        #expect(try lsl("llFabs", f(3)) == f(3))
    }

    @Test func roundingToIntegers() throws {
        // llFloor's wiki examples.
        #expect(try lsl("llFloor", f(-4.5)) == i(-5))
        #expect(try lsl("llFloor", f(-4.9)) == i(-5))
        #expect(try lsl("llFloor", f(-4.1)) == i(-5))
        #expect(try lsl("llFloor", f(4.5)) == i(4))
        #expect(try lsl("llFloor", f(4.9)) == i(4))
        #expect(try lsl("llCeil", f(4.1)) == i(5))
        #expect(try lsl("llCeil", f(-4.9)) == i(-4))
        #expect(try lsl("llRound", f(2.5)) == i(3))
        #expect(try lsl("llRound", f(-2.5)) == i(-2))
        #expect(try lsl("llRound", f(-2.6)) == i(-3))
        #expect(try lsl("llRound", f(0.49999997)) == i(1))
        // Outside the 32-bit range, NaN and infinities: -2147483648.
        for name in ["llFloor", "llCeil", "llRound"] {
            #expect(try lsl(name, f(1e10)) == i(-2147483648))
            #expect(try lsl(name, f(-1e10)) == i(-2147483648))
            #expect(try lsl(name, f(.nan)) == i(-2147483648))
            #expect(try lsl(name, f(.infinity)) == i(-2147483648))
        }
        #expect(try lsl("llFloor", f(-2147483648)) == i(-2147483648))
        #expect(try lsl("llCeil", f(2147483520)) == i(2147483520))
    }

    @Test func powersRootsLogarithms() throws {
        #expect(try lsl("llSqrt", f(4)) == f(2))
        #expect(try lsl("llSqrt", f(2)) == f(Float(2).squareRoot()))
        guard case .float(let root) = try lsl("llSqrt", f(-1)) else { return }
        #expect(root.isNaN)
        #expect(try lsl("llPow", f(2), f(10)) == f(1024))
        #expect(try lsl("llPow", f(2), f(-1)) == f(0.5))
        #expect(try lsl("llPow", f(5), f(0)) == f(1))
        #expect(try lsl("llPow", f(0), f(-1)) == f(.infinity))
        #expect(try lsl("llPow", f(-0.0), f(-3)) == f(-.infinity))
        guard case .float(let imaginary) = try lsl("llPow", f(-1), f(0.5)) else { return }
        #expect(imaginary.isNaN)
        #expect(try lsl("llLog", f(0)) == f(0))
        #expect(try lsl("llLog", f(-1)) == f(0))
        #expect(try lsl("llLog", f(1)) == f(0))
        #expect(try lsl("llLog10", f(100)) == f(2))
        #expect(try lsl("llLog10", f(-10)) == f(0))
    }

    @Test func trigonometry() throws {
        #expect(try lsl("llSin", f(0)) == f(0))
        #expect(try lsl("llCos", f(0)) == f(1))
        #expect(try lsl("llTan", f(0)) == f(0))
        // Large angles are reduced with the x87's 66-bit π, as SL does.
        #expect(try lsl("llSin", f(1e18)) == f(-0.21548087894916534))
        #expect(try lsl("llSin", f(1e20)) == f(1e20))  // beyond 2^63: unchanged
        #expect(try lsl("llSin", f(1e10)) == f(-0.48750603199005127))
        #expect(try lsl("llSin", f(3)) == f(0.14112000167369843))
        #expect(try lsl("llCos", f(1e30)) == f(1e30))  // beyond 2^63: unchanged
        #expect(try lsl("llAtan2", f(1), f(1)) == f(Float(Double.pi / 4)))
        #expect(try lsl("llAtan2", f(0), f(-1)) == f(pi))
        #expect(try lsl("llAsin", f(1)) == f(Float(Double.pi / 2)))
        #expect(try lsl("llAcos", f(1)) == f(0))
        guard case .float(let outOfRange) = try lsl("llAcos", f(2)), case .float(let infiniteSine) = try lsl("llSin", f(.infinity)) else { return }
        #expect(outOfRange.isNaN)
        #expect(infiniteSine.isNaN)
    }

    @Test func vectors() throws {
        #expect(try lsl("llVecMag", v(3, 4, 0)) == f(5))
        #expect(try lsl("llVecDist", v(1, 1, 1), v(4, 5, 1)) == f(5))
        #expect(try lsl("llVecNorm", v(0, 3, 4)) == v(0, 0.6, 0.8))
        #expect(try lsl("llVecNorm", v(0, 0, 0)) == v(0, 0, 0))
    }

    @Test func modPow() throws {
        #expect(try lsl("llModPow", i(2), i(10), i(1000)) == i(24))
        #expect(try lsl("llModPow", i(3), i(0), i(7)) == i(1))
        #expect(try lsl("llModPow", i(3), i(5), i(1)) == i(0))
        #expect(try lsl("llModPow", i(3), i(5), i(0)) == i(0))
        #expect(try lsl("llModPow", i(-1), i(1), i(10)) == i(5))  // 4294967295 % 10
        #expect(try lsl("llModPow", i(12345), i(6789), i(-1)) == i(1_391_469_465))
    }

    @Test func frand() throws {
        for seed in UInt64(1)...200 {
            guard case .float(let up) = try lsl("llFrand", f(10), seed: seed),
                case .float(let down) = try lsl("llFrand", f(-2), seed: seed)
            else { return }
            #expect(up >= 0 && up < 10)
            #expect(down <= 0 && down > -2)
        }
        #expect(try lsl("llFrand", f(5), seed: 9) == lsl("llFrand", f(5), seed: 9))
        #expect(try lsl("llFrand", f(.infinity)) == f(0))
        #expect(try lsl("llFrand", f(0)) == f(0))
    }

    @Test func colourSpaces() throws {
        #expect(try lsl("llLinear2sRGB", v(0, 1, 0.5)) == v(0, 0.99999994, 0.73535693))
        #expect(try lsl("llLinear2sRGB", v(0.002, 0, 0)) == v(Float(0.002) * Float(12.92), 0, 0))
        #expect(try lsl("llsRGB2Linear", v(0, 1, 0.5)) == v(0, 1, 0.21404114))
        #expect(try lsl("llsRGB2Linear", v(0.04, 0, 0)) == v(Float(0.04) / Float(12.92), 0, 0))
    }
}

/// Rotation built-ins on rotations whose results are exact.
@Suite struct LibraryRotationTests {
    @Test func eulerAngles() throws {
        #expect(try lsl("llEuler2Rot", v(0, 0, 0)) == r(0, 0, 0, 1))
        #expect(try lsl("llRot2Euler", r(0, 0, 0, 1)) == v(0, 0, 0))
        #expect(try lsl("llRot2Euler", r(0, 0, 1, 0)) == v(0, 0, pi))
        #expect(try lsl("llRot2Euler", r(1, 0, 0, 0)) == v(pi, 0, 0))
        // Not normalised: the same as its normalised form.
        #expect(try lsl("llRot2Euler", r(0, 0, 2, 0)) == v(0, 0, pi))
        // The sign is chosen so that the rotation's largest term is positive.
        #expect(try lsl("llEuler2Rot", v(pi, 0, 0)) == r(1, 0, 0, -4.371139e-08))
    }

    @Test func axes() throws {
        #expect(try lsl("llRot2Fwd", r(0, 0, 0, 1)) == v(1, 0, 0))
        #expect(try lsl("llRot2Left", r(0, 0, 0, 1)) == v(0, 1, 0))
        #expect(try lsl("llRot2Up", r(0, 0, 0, 1)) == v(0, 0, 1))
        #expect(try lsl("llRot2Fwd", r(0, 0, 1, 0)) == v(-1, 0, 0))
        #expect(try lsl("llRot2Left", r(0, 0, 1, 0)) == v(0, -1, 0))
        #expect(try lsl("llRot2Up", r(1, 0, 0, 0)) == v(0, 0, -1))
        // A zero rotation counts as ZERO_ROTATION.
        #expect(try lsl("llRot2Fwd", r(0, 0, 0, 0)) == v(1, 0, 0))
        #expect(try lsl("llAxes2Rot", v(1, 0, 0), v(0, 1, 0), v(0, 0, 1)) == r(0, 0, 0, 1))
        #expect(try lsl("llAxes2Rot", v(-1, 0, 0), v(0, -1, 0), v(0, 0, 1)) == r(0, 0, 1, 0))
    }

    @Test func axisAndAngle() throws {
        #expect(try lsl("llAxisAngle2Rot", v(0, 0, 1), f(0)) == r(0, 0, 0, 1))
        #expect(try lsl("llAxisAngle2Rot", v(0, 0, 0), f(1)) == r(0, 0, 0, 1))
        #expect(try lsl("llRot2Axis", r(0, 0, 1, 0)) == v(0, 0, 1))
        #expect(try lsl("llRot2Axis", r(0, 0, 0.5, -0.5)) == v(0, 0, -1))
        #expect(try lsl("llRot2Angle", r(0, 0, 0, 1)) == f(0))
        #expect(try lsl("llRot2Angle", r(0, 0, 1, 0)) == f(pi))
        #expect(try lsl("llAngleBetween", r(0, 0, 1, 0), r(0, 0, 1, 0)) == f(0))
        #expect(try lsl("llAngleBetween", r(0, 0, 0, 1), r(0, 0, 1, 0)) == f(pi))
    }

    @Test func rotBetween() throws {
        #expect(try lsl("llRotBetween", v(1, 0, 0), v(1, 0, 0)) == r(0, 0, 0, 1))
        #expect(try lsl("llRotBetween", v(1, 0, 0), v(2, 0, 0)) == r(0, 0, 0, 1))
        #expect(try lsl("llRotBetween", v(1, 0, 0), v(-1, 0, 0)) == r(0, 0, 1, 0))
        #expect(try lsl("llRotBetween", v(0, 1, 0), v(0, -1, 0)) == r(1, 0, 0, 0))
        let c = Float(0.5.squareRoot())
        #expect(try lsl("llRotBetween", v(1, 0, 0), v(0, 1, 0)) == r(0, 0, c, c))
    }
}
