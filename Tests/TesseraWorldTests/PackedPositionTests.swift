import Testing
import TesseraWorld

/// Half a horizontal quantization step is 0.244 mm, and Float arithmetic near 384 m adds up
/// to 0.015 mm; the contract is 0.3 mm.
private let positionTolerance: Float = 0.000_3

private func expectRoundTrip(_ point: Vector3, sourceLocation: SourceLocation = #_sourceLocation) {
    let decoded = PackedPosition(point).position
    #expect(abs(decoded.x - point.x) <= positionTolerance, "x of \(point) → \(decoded)", sourceLocation: sourceLocation)
    #expect(abs(decoded.y - point.y) <= positionTolerance, "y of \(point) → \(decoded)", sourceLocation: sourceLocation)
    #expect(abs(decoded.z - point.z) <= positionTolerance, "z of \(point) → \(decoded)", sourceLocation: sourceLocation)
}

@Suite struct PackedPositionTests {
    @Test(arguments: [
        Vector3(0, 0, 0),
        Vector3(255.9999, 255.9999, 0),
        Vector3(0, 0, 4095),
        Vector3(255.9999, 0, 4095.9),
        Vector3(128, 128, 21),
        Vector3(0.000_1, 0.000_2, 0.000_3),
        Vector3(12.345, 200.5, 1000.125),
        Vector3(255.5, 0.5, 4095),
    ])
    func roundTripAtEdgesAndLandmarks(point: Vector3) {
        expectRoundTrip(point)
    }

    @Test func roundTripForManyRandomPoints() {
        var rng = SplitMix64(seed: 0xC0FFEE)
        for _ in 0..<20_000 {
            let point = Vector3(
                Float.random(in: 0..<256, using: &rng),
                Float.random(in: 0..<256, using: &rng),
                Float.random(in: 0..<4096, using: &rng)
            )
            expectRoundTrip(point)
        }
    }

    @Test func bitLayoutIsXThenYThenZ() {
        let horizontalStep: Float = 512.0 / 1_048_576
        let verticalStep: Float = 4096.0 / 16_777_216
        #expect(PackedPosition(Vector3(-128 + horizontalStep, -128, 0)).rawValue == 1)
        #expect(PackedPosition(Vector3(-128, -128 + horizontalStep, 0)).rawValue == 1 << 20)
        #expect(PackedPosition(Vector3(-128, -128, verticalStep)).rawValue == 1 << 40)
        #expect(PackedPosition(Vector3(-128, -128, 0)).rawValue == 0)
        // The region's own corner sits a quarter of the way along each horizontal axis.
        #expect(PackedPosition(Vector3(0, 0, 0)).rawValue == 1 << 18 | 1 << 38)
    }

    @Test func rawValueSurvivesDecodeAndReencode() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let packed = PackedPosition(rawValue: rng.next())
            #expect(PackedPosition(packed.position) == packed)
        }
    }

    @Test func ghostMarginsPastEachBorderRoundTrip() {
        expectRoundTrip(Vector3(-64, 300, 21))
        expectRoundTrip(Vector3(-127.9, -127.9, 0))
        expectRoundTrip(Vector3(383.9, 256.5, 10))
    }

    @Test func outOfRangeCoordinatesClampToTheRange() {
        let maxHorizontal: Float = 384 - 512.0 / 1_048_576
        let maxVertical: Float = 4096 - 4096.0 / 16_777_216
        let low = PackedPosition(Vector3(-500, -128.5, -100)).position
        #expect(low == Vector3(-128, -128, 0))
        let high = PackedPosition(Vector3(400, 1e9, 5000)).position
        #expect(high == Vector3(maxHorizontal, maxHorizontal, maxVertical))
        let exactlyEdge = PackedPosition(Vector3(384, 384, 4096)).position
        #expect(exactlyEdge == Vector3(maxHorizontal, maxHorizontal, maxVertical))
    }

    @Test func nonFiniteCoordinatesBecomeZero() {
        let decoded = PackedPosition(Vector3(.nan, .infinity, -.infinity)).position
        #expect(decoded == Vector3(0, 0, 0))
        let mixed = PackedPosition(Vector3(10, .nan, 30)).position
        #expect(abs(mixed.x - 10) <= positionTolerance)
        #expect(mixed.y == 0)
        #expect(abs(mixed.z - 30) <= positionTolerance)
    }
}
