/// How an avatar wants to move; the region turns it into a velocity every frame.
public enum MovementMode: UInt8, Sendable, CaseIterable {
    case stop = 0
    case walk = 1
    case run = 2
    case fly = 3

    /// Horizontal speed in metres per second (Second Life's defaults, rounded).
    public var speed: Float {
        switch self {
        case .stop: 0
        case .walk: 3.2
        case .run: 5.1
        case .fly: 10
        }
    }
}

/// A movement intent from a client: a mode, a heading (yaw, radians about z) and, when flying,
/// a vertical direction.
public struct MovementIntent: Hashable, Sendable {
    public var mode: MovementMode
    public var heading: Float
    /// -1 descend, 0 level, +1 climb. Only used while flying.
    public var vertical: Int8

    public init(mode: MovementMode, heading: Float, vertical: Int8 = 0) {
        self.mode = mode
        self.heading = heading
        self.vertical = vertical
    }

    public static let stop = MovementIntent(mode: .stop, heading: 0)

    /// Vertical speed in metres per second while flying.
    public static let verticalFlySpeed: Float = 4
}
