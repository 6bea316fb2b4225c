import Testing
import TesseraWorld

@Suite struct PackedVelocityTests {
    @Test func roundTripWithinHalfACentimetrePerSecond() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<10_000 {
            let velocity = Vector3(
                Float.random(in: -327..<327, using: &rng),
                Float.random(in: -327..<327, using: &rng),
                Float.random(in: -327..<327, using: &rng)
            )
            let decoded = PackedVelocity(velocity).velocity
            #expect(abs(decoded.x - velocity.x) <= 0.005 + 1e-4)
            #expect(abs(decoded.y - velocity.y) <= 0.005 + 1e-4)
            #expect(abs(decoded.z - velocity.z) <= 0.005 + 1e-4)
        }
    }

    @Test func unitsAreCentimetresPerSecond() {
        let packed = PackedVelocity(Vector3(3.2, -1.5, 0.004))
        #expect(packed == PackedVelocity(x: 320, y: -150, z: 0))
        #expect(PackedVelocity(x: 1, y: -1, z: 32767).velocity == Vector3(0.01, -0.01, 327.67))
        #expect(PackedVelocity(.zero) == .zero)
    }

    @Test func outOfRangeClampsSymmetrically() {
        #expect(PackedVelocity(Vector3(1000, -1000, 327.68)) == PackedVelocity(x: 32767, y: -32767, z: 32767))
        #expect(PackedVelocity(Vector3(1e30, -1e30, 0)) == PackedVelocity(x: 32767, y: -32767, z: 0))
    }

    @Test func nonFiniteBecomesZero() {
        #expect(PackedVelocity(Vector3(.nan, .infinity, -.infinity)) == .zero)
        #expect(PackedVelocity(Vector3(.nan, 2, 0)) == PackedVelocity(x: 0, y: 200, z: 0))
    }

    @Test func entityMotionPacksAllThree() {
        let motion = EntityMotion(position: Vector3(10, 20, 30), rotation: Quaternion(yaw: 1), velocity: Vector3(1, 2, 3))
        #expect(motion.position == PackedPosition(Vector3(10, 20, 30)))
        #expect(motion.rotation == PackedRotation(Quaternion(yaw: 1)))
        #expect(motion.velocity == PackedVelocity(x: 100, y: 200, z: 300))
    }
}
