/// A region's ground: a base height with smooth hills on it. A small description rather than a
/// height map, so the region (for kinematic movement) and the physics service (for its
/// heightfield) compute the same ground from a few numbers sent once.
public struct Terrain: Sendable, Hashable {
    /// One rounded hill: `height` metres at its centre, falling to nothing at `radius`
    /// along a cosine (flat at the top and at the foot, steepest half-way).
    public struct Hill: Sendable, Hashable {
        public var x: Float
        public var y: Float
        public var radius: Float
        public var height: Float

        public init(x: Float, y: Float, radius: Float, height: Float) {
            self.x = x
            self.y = y
            self.radius = radius
            self.height = height
        }
    }

    public var base: Float
    public var hills: [Hill]

    /// Samples per side of the height grid (1 m apart, from 0 to 256 inclusive).
    public static let samplesPerSide = Int(regionSize) + 1
    /// The most hills a terrain may have (a bound for decoders).
    public static let maxHills = 64

    public init(base: Float, hills: [Hill] = []) {
        self.base = base
        self.hills = hills
    }

    public static func flat(_ height: Float) -> Terrain { Terrain(base: height) }

    /// The ground height at a point (outside the square, that of the nearest edge point).
    public func height(x: Float, y: Float) -> Float {
        let x = min(max(x, 0), regionSize)
        let y = min(max(y, 0), regionSize)
        var height = base
        for hill in hills {
            let dx = x - hill.x, dy = y - hill.y
            let squared = dx * dx + dy * dy
            guard squared < hill.radius * hill.radius else { continue }
            let distance = squared.squareRoot()
            height += hill.height * 0.5 * (1 + (Float.pi * distance / hill.radius).cosine)
        }
        return height
    }

    public func height(at point: Vector3) -> Float { height(x: point.x, y: point.y) }

    /// The heights of the 1 m grid over the square, row-major, x fastest.
    public func samples() -> [Float] {
        let side = Self.samplesPerSide
        var heights = [Float](repeating: base, count: side * side)
        guard !hills.isEmpty else { return heights }
        for row in 0..<side {
            for column in 0..<side {
                heights[row * side + column] = height(x: Float(column), y: Float(row))
            }
        }
        return heights
    }

    /// Why the terrain cannot be used, or nil when it can.
    public var problem: String? {
        guard base.isFinite, base >= 0, base < PackedPosition.maxAltitude else { return "base height \(base) is not within 0..<\(PackedPosition.maxAltitude) m" }
        guard hills.count <= Self.maxHills else { return "\(hills.count) hills (at most \(Self.maxHills))" }
        for (index, hill) in hills.enumerated() {
            guard [hill.x, hill.y, hill.radius, hill.height].allSatisfy(\.isFinite), hill.radius > 0, hill.radius <= 512,
                abs(hill.height) <= 200
            else { return "hill \(index) needs finite numbers, a radius in (0, 512] m and a height within ±200 m" }
        }
        return nil
    }
}
