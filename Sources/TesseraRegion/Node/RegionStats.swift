import TesseraWire
import TesseraWorld

/// A region's running figures, published by its frame loop after every frame.
public struct RegionStats: Sendable, Hashable {
    public var name: String = ""
    public var frame: UInt64 = 0
    public var avatars = 0
    public var objects = 0
    public var timeDilation: Float = 1
    public var achievedFrameRate: Double = 0
    /// Frames that started late because the previous one overran its period.
    public var overruns = 0
    /// Mean and worst frame time, microseconds, since the loop started.
    public var meanFrameMicros: Double = 0
    public var maxFrameMicros: Double = 0
    public var droppedCommands = 0
    /// Scene flushes the grid did not take (their changes went with the next one).
    public var failedFlushes = 0
    /// Read-only copies of neighbours' entities held here.
    public var ghosts = 0
    public var handoffsInProgress = 0
    public var handoffs = HandoffCounters()
    /// The agents whose root the region is, as of its last frame.
    public var rootAgents: [AgentID] = []
    public var physics = PhysicsLinkStatus()
    /// The region's script link and the service's figures for it (top scripts included).
    public var scripts = ScriptsStatus()
    /// Restarts asked by an admin since the node started.
    public var restarts = 0

    public init() {}
}
