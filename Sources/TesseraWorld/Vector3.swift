/// A position, velocity or scale in metres (or metres per second), z up.
public typealias Vector3 = SIMD3<Float>

extension SIMD3 where Scalar == Float {
    public var length: Float { (self * self).sum().squareRoot() }

    /// `(x, y, z)` in plain numbers, for messages people read (interpolating the vector itself
    /// prints Swift's `SIMD3<Float>(…)`).
    public var plainText: String { "(\(x), \(y), \(z))" }

    public func distance(to other: Self) -> Float { (self - other).length }

    public func distanceSquared(to other: Self) -> Float {
        let d = self - other
        return (d * d).sum()
    }

    /// Distance in the horizontal plane; interest and chat ranges use full 3D distance,
    /// but border checks only care about x and y.
    public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }
}
