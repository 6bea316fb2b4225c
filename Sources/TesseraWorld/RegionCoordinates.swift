/// The side of every region, in metres.
public let regionSize: Float = 256

/// A region's place on the integer grid. Region (x, y) covers world x in [256·x, 256·x + 256).
public struct GridPosition: Hashable, Sendable, CustomStringConvertible {
    public var x: UInt32
    public var y: UInt32

    public init(x: UInt32, y: UInt32) {
        self.x = x
        self.y = y
    }

    /// The region handle shared with OpenSimulator and Second Life: world metres of the
    /// south-west corner, x in the high 32 bits, y in the low 32 bits.
    public var handle: RegionHandle {
        RegionHandle(rawValue: UInt64(x) * 256 << 32 | UInt64(y) * 256)
    }

    public var description: String { "(\(x), \(y))" }
}

/// `UInt64(256·gx) << 32 | UInt64(256·gy)`.
public struct RegionHandle: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var gridPosition: GridPosition {
        GridPosition(x: UInt32(rawValue >> 32) / 256, y: UInt32(rawValue & 0xFFFF_FFFF) / 256)
    }

    public var description: String { "\(rawValue)" }
}

extension Vector3 {
    /// True when the point lies inside a region's square, in local metres.
    public var isInsideRegionSquare: Bool {
        x >= 0 && x < regionSize && y >= 0 && y < regionSize
    }
}
