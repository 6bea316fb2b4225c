/// The side of every region, in metres.
public let regionSize: Float = 256

/// A region's place on the integer grid. Region (x, y) covers world x in [256·x, 256·x + 256).
///
/// A grid position always fits a region handle: each coordinate is at most
/// `GridPosition.maxCoordinate` (16,777,215), the largest whose south-west corner in metres fits
/// the handle's 32 bits. Values from outside (clients, peers, the config, the database) come
/// through the failable initialiser, so a position that holds a bad value cannot be made.
public struct GridPosition: Hashable, Sendable, CustomStringConvertible {
    /// 2³² metres / 256 metres per region − 1.
    public static let maxCoordinate: UInt32 = (1 << 24) - 1

    public let x: UInt32
    public let y: UInt32

    /// Nil when a coordinate exceeds `maxCoordinate`.
    public init?(x: UInt32, y: UInt32) {
        guard x <= Self.maxCoordinate, y <= Self.maxCoordinate else { return nil }
        self.x = x
        self.y = y
    }

    /// Nil when a coordinate is negative or exceeds `maxCoordinate`.
    public init?<T: BinaryInteger>(x: T, y: T) {
        guard let x = UInt32(exactly: x), let y = UInt32(exactly: y) else { return nil }
        self.init(x: x, y: y)
    }

    /// The origin, (0, 0).
    public static let origin = GridPosition(validX: 0, validY: 0)

    private init(validX: UInt32, validY: UInt32) {
        x = validX
        y = validY
    }

    /// The region handle shared with OpenSimulator and Second Life: world metres of the
    /// south-west corner, x in the high 32 bits, y in the low 32 bits.
    public var handle: RegionHandle {
        RegionHandle(rawValue: UInt64(x) << 40 | UInt64(y) << 8)
    }

    /// The position `dx`, `dy` squares away, if the grid has one there.
    public func offset(dx: Int, dy: Int) -> GridPosition? {
        let (nx, xOverflow) = Int64(x).addingReportingOverflow(Int64(clamping: dx))
        let (ny, yOverflow) = Int64(y).addingReportingOverflow(Int64(clamping: dy))
        guard !xOverflow, !yOverflow else { return nil }
        return GridPosition(x: nx, y: ny)
    }

    public var description: String { "(\(x), \(y))" }

    fileprivate static func fromHandle(_ rawValue: UInt64) -> GridPosition {
        // Both halves are at most 2³² − 1, so both quotients are at most maxCoordinate.
        GridPosition(validX: UInt32(truncatingIfNeeded: rawValue >> 32) / 256, validY: UInt32(truncatingIfNeeded: rawValue) / 256)
    }
}

/// `UInt64(256·gx) << 32 | UInt64(256·gy)`.
public struct RegionHandle: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// The region whose square holds the handle's corner; defined for every handle.
    public var gridPosition: GridPosition { .fromHandle(rawValue) }

    public var description: String { "\(rawValue)" }
}

extension Vector3 {
    /// True when the point lies inside a region's square, in local metres.
    public var isInsideRegionSquare: Bool {
        x >= 0 && x < regionSize && y >= 0 && y < regionSize
    }
}
