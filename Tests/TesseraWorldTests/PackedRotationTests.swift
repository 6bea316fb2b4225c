import Foundation
import Testing
import TesseraWorld

/// The rotation angle between two unit quaternions, q and -q being the same rotation.
func angleBetween(_ a: Quaternion, _ b: Quaternion) -> Float {
    let dot = abs(a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w)
    return 2 * acos(min(1, dot))
}

/// A uniformly distributed unit quaternion (Shoemake, "Uniform random rotations").
func randomUnitQuaternion(using rng: inout SplitMix64) -> Quaternion {
    let u1 = Float.random(in: 0...1, using: &rng)
    let u2 = Float.random(in: 0..<(2 * .pi), using: &rng)
    let u3 = Float.random(in: 0..<(2 * .pi), using: &rng)
    let a = (1 - u1).squareRoot()
    let b = u1.squareRoot()
    return Quaternion(x: a * sin(u2), y: a * cos(u2), z: b * sin(u3), w: b * cos(u3))
}

/// 10 bits per component over ±1/√2 give steps of 1.4e-3; the rotation error stays below 2e-3
/// as a "1 - |dot|" measure by far, and below 4e-3 rad as an angle.
private let angleTolerance: Float = 4e-3

@Suite struct PackedRotationTests {
    @Test func roundTripForRandomUnitQuaternions() {
        var rng = SplitMix64(seed: 0x5EED)
        var worst: Float = 0
        for _ in 0..<20_000 {
            let q = randomUnitQuaternion(using: &rng)
            let decoded = PackedRotation(q).rotation
            #expect(q.isClose(to: decoded, tolerance: 2e-3))
            let angle = angleBetween(q, decoded)
            worst = max(worst, angle)
            #expect(angle < angleTolerance, "\(q) → \(decoded): \(angle) rad")
            #expect(abs(decoded.lengthSquared - 1) < 1e-4)
        }
        // Quantization must actually be lossy-but-tight, not a no-op or a gross approximation.
        #expect(worst > 0)
    }

    @Test func negatedQuaternionPacksToTheSameRotation() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<1_000 {
            let q = randomUnitQuaternion(using: &rng)
            let negated = Quaternion(x: -q.x, y: -q.y, z: -q.z, w: -q.w)
            #expect(PackedRotation(q).rotation.isClose(to: PackedRotation(negated).rotation, tolerance: 1e-5))
            #expect(negated.isClose(to: q, tolerance: 1e-6))
        }
    }

    @Test func identityIsExactEnough() {
        let packed = PackedRotation(.identity)
        #expect(packed.rawValue >> 30 == 3, "w is the largest component")
        let decoded = packed.rotation
        #expect(decoded.isClose(to: .identity, tolerance: 1e-5))
        #expect(abs(decoded.w - 1) < 1e-5)
    }

    @Test func ninetyDegreeYawSurvives() {
        let yaw = Quaternion(yaw: .pi / 2)
        let decoded = PackedRotation(yaw).rotation
        #expect(angleBetween(yaw, decoded) < angleTolerance)
        #expect(abs(decoded.yaw - .pi / 2) < angleTolerance)
        #expect(abs(decoded.x) < 1e-3)
        #expect(abs(decoded.y) < 1e-3)
    }

    @Test func largestComponentIsNamedInTheTopBits() {
        #expect(PackedRotation(Quaternion(x: 1, y: 0, z: 0, w: 0)).rawValue >> 30 == 0)
        #expect(PackedRotation(Quaternion(x: 0, y: 1, z: 0, w: 0)).rawValue >> 30 == 1)
        #expect(PackedRotation(Quaternion(x: 0, y: 0, z: -1, w: 0)).rawValue >> 30 == 2)
        #expect(PackedRotation(Quaternion(x: 0.1, y: 0, z: 0, w: -0.9)).rawValue >> 30 == 3)
    }

    @Test func unnormalizedAndDegenerateInputs() {
        let scaled = Quaternion(x: 0, y: 0, z: 2 * 0.382_683_4, w: 2 * 0.923_879_5)
        #expect(PackedRotation(scaled).rotation.isClose(to: Quaternion(yaw: .pi / 4), tolerance: 1e-5))
        // No usable length: treated as the identity.
        let zero = Quaternion(x: 0, y: 0, z: 0, w: 0)
        #expect(PackedRotation(zero).rotation.isClose(to: .identity, tolerance: 1e-5))
        let nan = Quaternion(x: .nan, y: 0, z: 0, w: 1)
        #expect(PackedRotation(nan).rotation.isClose(to: .identity, tolerance: 1e-5))
    }

    @Test func everyRawValueDecodesToAUnitQuaternion() {
        var rng = SplitMix64(seed: 1234)
        for _ in 0..<5_000 {
            let decoded = PackedRotation(rawValue: UInt32(truncatingIfNeeded: rng.next())).rotation
            #expect(decoded.isFinite)
            #expect(abs(decoded.lengthSquared - 1) < 1e-4)
        }
    }
}

@Suite struct QuaternionTests {
    @Test func yawRoundTrip() {
        var yaw: Float = -3.1
        while yaw < 3.1 {
            let back = Quaternion(yaw: yaw).yaw
            #expect(abs(back - yaw) < 1e-5, "yaw \(yaw) → \(back)")
            yaw += 0.05
        }
    }

    @Test func yawOfHalfTurnIsPlusOrMinusPi() {
        #expect(abs(abs(Quaternion(yaw: .pi).yaw) - .pi) < 1e-5)
    }

    @Test func yawQuaternionIsAboutZ() {
        let q = Quaternion(yaw: .pi / 2)
        #expect(q.x == 0 && q.y == 0)
        #expect(abs(q.z - 0.707_106_8) < 1e-6)
        #expect(abs(q.w - 0.707_106_8) < 1e-6)
        #expect(Quaternion(yaw: 0) == .identity)
    }

    @Test func isCloseRespectsTolerance() {
        let a = Quaternion(yaw: 0)
        let b = Quaternion(yaw: 0.2)
        #expect(!a.isClose(to: b))
        #expect(a.isClose(to: b, tolerance: 0.01))
    }

    @Test func normalizedHasUnitLength() {
        let q = Quaternion(x: 1, y: 2, z: 3, w: 4).normalized
        #expect(abs(q.lengthSquared - 1) < 1e-6)
        #expect(Quaternion(x: 0, y: 0, z: 0, w: 0).normalized == .identity)
        #expect(Quaternion(x: .infinity, y: 0, z: 0, w: 1).normalized == .identity)
    }
}
