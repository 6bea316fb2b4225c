import Foundation

/// A unit rotation quaternion (x, y, z imaginary, w real), as in Second Life.
public struct Quaternion: Hashable, Sendable {
    public var x: Float
    public var y: Float
    public var z: Float
    public var w: Float

    public init(x: Float, y: Float, z: Float, w: Float) {
        self.x = x
        self.y = y
        self.z = z
        self.w = w
    }

    public static let identity = Quaternion(x: 0, y: 0, z: 0, w: 1)

    /// A rotation of `yaw` radians about the z axis (counter-clockwise seen from above).
    public init(yaw: Float) {
        self.init(x: 0, y: 0, z: (yaw / 2).sine, w: (yaw / 2).cosine)
    }

    public var lengthSquared: Float { x * x + y * y + z * z + w * w }

    public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite && w.isFinite }

    /// The same rotation with unit length; the identity when the input has no usable length.
    public var normalized: Quaternion {
        let length = lengthSquared.squareRoot()
        guard length > 1e-6, length.isFinite else { return .identity }
        return Quaternion(x: x / length, y: y / length, z: z / length, w: w / length)
    }

    /// The heading about z in radians, in (-π, π].
    public var yaw: Float {
        let sinyCosp = 2 * (w * z + x * y)
        let cosyCosp = 1 - 2 * (y * y + z * z)
        return Float.atan2(sinyCosp, cosyCosp)
    }

    /// True when both describe the same rotation within `tolerance` (q and -q are equal).
    public func isClose(to other: Quaternion, tolerance: Float = 1e-3) -> Bool {
        let dot = x * other.x + y * other.y + z * other.z + w * other.w
        return 1 - abs(dot) <= tolerance
    }
}

extension Float {
    public var sine: Float { Foundation.sin(self) }
    public var cosine: Float { Foundation.cos(self) }
    static func atan2(_ y: Float, _ x: Float) -> Float { Foundation.atan2(y, x) }
}
