/// How often a client hears about an entity, by its distance from the client's avatar:
/// near entities every update tick, farther ones every few ticks (each update still carries
/// the newest state). This is the per-client frequency cap of adaptive streaming: a crowd
/// costs the client and the server far less, and what is close stays smooth.
public struct StreamingPolicy: Sendable, Hashable {
    /// Ascending distances (metres) and the tick period that applies up to each.
    public var tiers: [(distance: Float, period: UInt32)]
    /// Period beyond the last tier.
    public var farPeriod: UInt32

    public init(tiers: [(distance: Float, period: UInt32)], farPeriod: UInt32) {
        self.tiers = tiers
        self.farPeriod = farPeriod
    }

    /// Every tick within 20 m, every second tick within 40 m, every fourth beyond.
    public static let standard = StreamingPolicy(tiers: [(20, 1), (40, 2)], farPeriod: 4)
    /// Every entity every tick.
    public static let everyTick = StreamingPolicy(tiers: [], farPeriod: 1)

    func period(distanceSquared: Float) -> UInt32 {
        for tier in tiers where distanceSquared <= tier.distance * tier.distance {
            return tier.period
        }
        return farPeriod
    }

    public static func == (lhs: StreamingPolicy, rhs: StreamingPolicy) -> Bool {
        lhs.farPeriod == rhs.farPeriod && lhs.tiers.map(\.distance) == rhs.tiers.map(\.distance)
            && lhs.tiers.map(\.period) == rhs.tiers.map(\.period)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(farPeriod)
        for tier in tiers {
            hasher.combine(tier.distance)
            hasher.combine(tier.period)
        }
    }
}
