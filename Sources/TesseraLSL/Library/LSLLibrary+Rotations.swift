#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Rotations: Euler angles, axes, axis and angle, the angle between two rotations. Computed in
/// double precision and rounded to 32 bits at the end.
extension LSLLibrary {
    static func registerRotations(_ t: inout LibraryTable) {
        t.add("llRot2Euler") { a, _ in .vector(rot2Euler(a.rotation(0))) }
        t.add("llEuler2Rot") { a, _ in .rotation(euler2Rot(a.vector(0))) }
        t.add("llAxes2Rot") { a, _ in .rotation(axes2Rot(a.vector(0), a.vector(1), a.vector(2))) }
        t.add("llRot2Fwd") { a, _ in .vector(rotatedAxis(D3(1, 0, 0), a.rotation(0))) }
        t.add("llRot2Left") { a, _ in .vector(rotatedAxis(D3(0, 1, 0), a.rotation(0))) }
        t.add("llRot2Up") { a, _ in .vector(rotatedAxis(D3(0, 0, 1), a.rotation(0))) }
        t.add("llRotBetween") { a, _ in .rotation(rotBetween(a.vector(0), a.vector(1))) }
        t.add("llAxisAngle2Rot") { a, _ in
            let axis = D3(a.vector(0)).normalized
            let angle = axis.isZero ? 0 : Double(a.float(1))
            let c = cos(angle * 0.5), s = sin(angle * 0.5)
            return .rotation(LSLRotation(Float(axis.x * s), Float(axis.y * s), Float(axis.z * s), Float(c)))
        }
        t.add("llRot2Axis") { a, _ in
            let q = a.rotation(0)
            let v = q.s < 0 ? LSLVector(-q.x, -q.y, -q.z) : LSLVector(q.x, q.y, q.z)
            return .vector(normalize(v))
        }
        t.add("llRot2Angle") { a, _ in .float(rot2Angle(a.rotation(0))) }
        t.add("llAngleBetween") { a, _ in
            let q = LSLOperators.compose(nonZero(a.rotation(0)), LSLOperators.conjugate(nonZero(a.rotation(1))))
            return .float(rot2Angle(q))
        }
    }

    /// A vector of doubles for the computations here.
    struct D3 {
        var x, y, z: Double
        init(_ x: Double, _ y: Double, _ z: Double) { self.x = x; self.y = y; self.z = z }
        init(_ v: LSLVector) { self.init(Double(v.x), Double(v.y), Double(v.z)) }
        var isZero: Bool { x == 0 && y == 0 && z == 0 }
        var length: Double { (x * x + y * y + z * z).squareRoot() }
        var normalized: D3 {
            if isZero { return self }
            let m = length
            return D3(x / m, y / m, z / m)
        }
        var float: LSLVector { LSLVector(Float(x), Float(y), Float(z)) }
    }

    /// An all-zero rotation acts as `ZERO_ROTATION`.
    static func nonZero(_ q: LSLRotation) -> LSLRotation {
        q.x == 0 && q.y == 0 && q.z == 0 && q.s == 0 ? .identity : q
    }

    /// `v` rotated by `q`, in doubles (no normalisation of `q`).
    static func rotate(_ v: D3, _ q: LSLRotation) -> D3 {
        let b0 = Double(q.x), b1 = Double(q.y), b2 = Double(q.z), b3 = Double(q.s)
        let b00 = b0 * b0, b01 = b0 * b1, b02 = b0 * b2, b03 = b0 * b3
        let b11 = b1 * b1, b12 = b1 * b2, b13 = b1 * b3
        let b22 = b2 * b2, b23 = b2 * b3, b33 = b3 * b3
        return D3(
            v.x * (b00 - b11 - b22 + b33) + v.y * (b01 - b23) * 2 + v.z * (b02 + b13) * 2,
            v.x * (b01 + b23) * 2 + v.y * (b11 - b00 - b22 + b33) + v.z * (b12 - b03) * 2,
            v.x * (b02 - b13) * 2 + v.y * (b12 + b03) * 2 + v.z * (b22 - b00 - b11 + b33)
        )
    }

    /// `llRot2Fwd`/`Left`/`Up`: the axis rotated by `q`, normalised.
    static func rotatedAxis(_ axis: D3, _ q: LSLRotation) -> LSLVector {
        rotate(axis, nonZero(q)).normalized.float
    }

    static func rot2Angle(_ q: LSLRotation) -> Float {
        let x = Double(q.x), y = Double(q.y), z = Double(q.z)
        return Float(2 * atan2((x * x + y * y + z * z).squareRoot(), abs(Double(q.s))))
    }

    static func rot2Euler(_ rotation: LSLRotation) -> LSLVector {
        let r = nonZero(rotation)
        var x = Double(r.x), y = Double(r.y), z = Double(r.z), s = Double(r.s)
        let mag2 = x * x + y * y + z * z + s * s
        if mag2 >= 1.0000021457672119140625 || mag2 <= 0.99999797344207763671875 {
            let m = mag2.squareRoot()
            x /= m; y /= m; z /= m; s /= m
        }
        let sinPitch = 2 * (x * z + y * s)
        if abs(sinPitch) > 0.99999 {
            // Gimbal lock: no roll, the whole turn about z.
            return LSLVector(0, Float(asin(min(max(sinPitch, -1), 1))), Float(atan2(z * s + x * y, 0.5 - (x * x + z * z))))
        }
        let y2 = y * y
        return LSLVector(
            Float(atan2(x * s - y * z, 0.5 - (x * x + y2))),
            Float(asin(sinPitch)),
            Float(atan2(z * s - x * y, 0.5 - (z * z + y2)))
        )
    }

    static func euler2Rot(_ v: LSLVector) -> LSLRotation {
        let a = Double(v.x), b = Double(v.y), c = Double(v.z)
        let c0 = cos(a * 0.5), s0 = sin(a * 0.5)
        let c1 = cos(b * 0.5), s1 = sin(b * 0.5)
        let c2 = cos(c * 0.5), s2 = sin(c * 0.5)
        let r = [
            Float(s0 * c1 * c2 + c0 * s1 * s2),
            Float(c0 * s1 * c2 - s0 * c1 * s2),
            Float(c0 * c1 * s2 + s0 * s1 * c2),
            Float(c0 * c1 * c2 - s0 * s1 * s2),
        ]
        // The sign: SL picks the one that makes the largest diagonal term of the matrix positive.
        let d1 = cos(b) * cos(c)
        let d2 = cos(a) * cos(c) - sin(a) * sin(b) * sin(c)
        let d3 = cos(a) * cos(b)
        var index = 3
        if d1 + d2 + d3 <= 0 {
            index = 0
            if d2 > d1 { index = 1 }
            if d1 < d3 && d3 > d2 { index = 2 }
        }
        let negate = r[index] < 0
        return negate ? LSLRotation(-r[0], -r[1], -r[2], -r[3]) : LSLRotation(r[0], r[1], r[2], r[3])
    }

    static func axes2Rot(_ fwdF: LSLVector, _ leftF: LSLVector, _ upF: LSLVector) -> LSLRotation {
        let fwd = D3(fwdF), left = D3(leftF), up = D3(upF)
        let trace = fwd.x + left.y + up.z
        if trace > 0 {
            // Not normalised in this case, as in SL.
            let r = (1 + trace).squareRoot()
            let s = 0.5 / r
            return LSLRotation(Float(s * (left.z - up.y)), Float(s * (up.x - fwd.z)), Float(s * (fwd.y - left.x)), Float(r * 0.5))
        }
        var q: (Double, Double, Double, Double)
        if left.y <= fwd.x && fwd.x >= up.z {
            let r = (1 + fwd.x - left.y - up.z).squareRoot()
            let s = 0.5 / r
            q = (r * 0.5, s * (fwd.y + left.x), s * (up.x + fwd.z), s * (left.z - up.y))
        } else if fwd.x <= left.y && left.y >= up.z {
            let r = (1 - fwd.x + left.y - up.z).squareRoot()
            let s = 0.5 / r
            q = (s * (fwd.y + left.x), r * 0.5, s * (left.z + up.y), s * (up.x - fwd.z))
        } else {
            let r = (1 - fwd.x - left.y + up.z).squareRoot()
            let s = 0.5 / r
            q = (s * (up.x + fwd.z), s * (left.z + up.y), r * 0.5, s * (fwd.y - left.x))
        }
        if q.0 == 0 && q.1 == 0 && q.2 == 0 && q.3 == 0 { q = (0, 0, 0, 1) }
        let m = (q.0 * q.0 + q.1 * q.1 + q.2 * q.2 + q.3 * q.3).squareRoot()
        return LSLRotation(Float(q.0 / m), Float(q.1 / m), Float(q.2 / m), Float(q.3 / m))
    }

    static func rotBetween(_ a: LSLVector, _ b: LSLVector) -> LSLRotation {
        let v1 = normalize(a), v2 = normalize(b)
        let dot = Float(Double(v1.x) * Double(v2.x) + Double(v1.y) * Double(v2.y) + Double(v1.z) * Double(v2.z))
        let axis = LSLOperators.cross(v1, v2)
        let threshold: Float = 0x1.fffffcp-1
        if -threshold <= dot && dot <= threshold {
            let axisSquared = Double(Float(Double(axis.x) * Double(axis.x) + Double(axis.y) * Double(axis.y) + Double(axis.z) * Double(axis.z)))
            let d = Double(dot) + 1
            let m = (axisSquared + d * d).squareRoot()
            return LSLRotation(Float(Double(axis.x) / m), Float(Double(axis.y) / m), Float(Double(axis.z) / m), Float(d / m))
        }
        if dot > 0 { return .identity }
        // Opposite: turn half way round an axis perpendicular to the first vector.
        var ortho = LSLOperators.cross(LSLOperators.cross(v1, LSLVector(1, 0, 0)), v1)
        ortho = LSLVector(ortho.x == 0 ? 0 : ortho.x, ortho.y == 0 ? 0 : ortho.y, ortho.z == 0 ? 0 : ortho.z)
        let m = Float(Double(ortho.x) * Double(ortho.x) + Double(ortho.y) * Double(ortho.y) + Double(ortho.z) * Double(ortho.z))
        if m < 0x1.b7cdfep-34 { return LSLRotation(0, 0, 1, 0) }
        let root = Double(m).squareRoot()
        return LSLRotation(Float(Double(ortho.x) / root), Float(Double(ortho.y) / root), Float(Double(ortho.z) / root), 0)
    }
}
