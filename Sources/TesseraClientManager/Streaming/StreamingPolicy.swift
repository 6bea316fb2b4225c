/// How often a client hears about an entity and which updates go first when its budget is
/// short (docs/client-protocol.md, "Priority and budget"):
/// - the frequency cap: near entities every update tick, farther ones every few ticks (each
///   update still carries the newest state), so a crowd costs the client and the server far
///   less while what is close stays smooth;
/// - the priority: weight × age, the weight growing with nearness, size, a change of velocity
///   and recent chat; past the refresh bound an update goes before every weighted one.
public struct StreamingPolicy: Sendable, Hashable {
    /// Ascending distances (metres) and the tick period that applies up to each.
    public var tiers: [(distance: Float, period: UInt32)]
    /// Period beyond the last tier.
    public var farPeriod: UInt32
    /// Every entity in view whose state changed is sent within this many seconds, as long as
    /// the client drains at least the minimum budget (`AdaptiveBudget.floor`).
    public var refreshSeconds: Double = 2
    /// The most entity updates one tick carries, whatever the byte budget.
    public var maxUpdatesPerTick = 1024
    /// How long an avatar that spoke to the client counts as someone it is chatting with.
    public var chatPartnerSeconds: Double = 30

    public init(tiers: [(distance: Float, period: UInt32)], farPeriod: UInt32) {
        self.tiers = tiers
        self.farPeriod = farPeriod
    }

    /// Priority of an update past the refresh bound (plus its age): above any weighted one.
    static let overdue: Float = 1e12
    /// Bytes an update is assumed to take when deciding whether every candidate fits: the
    /// typical `EntityUpdate` (position only) and compact `EntityDeltas` entry.
    let estimatedUpdateBytes = 16
    let estimatedDeltaBytes = 6

    func refreshTicks(updateRate: Int) -> UInt32 {
        UInt32(max(1, min(60_000, (refreshSeconds * Double(max(1, updateRate))).rounded(.up))))
    }

    func chatPartnerTicks(updateRate: Int) -> UInt32 {
        UInt32(max(1, min(600_000, (chatPartnerSeconds * Double(max(1, updateRate))).rounded(.up))))
    }

    /// How much an update of this entity matters per tick of age: 1 at the client's own
    /// position, falling with the square of the distance (1/2 at 10 m, 1/17 at 40 m), times
    /// 1 + size/4 (a large object is seen from farther), × 2 when its velocity changed (the
    /// client's extrapolation is wrong until it hears), × 64 for an avatar that spoke to the
    /// client in the last `chatPartnerSeconds` (someone it is talking with, anywhere in view,
    /// goes before the nearest strangers).
    public func weight(distanceSquared: Float, size: Float, velocityChanged: Bool, chatPartner: Bool) -> Float {
        var weight = (1 + min(max(size, 0), 64) / 4) / (1 + distanceSquared / 100)
        if velocityChanged { weight *= 2 }
        if chatPartner { weight *= 64 }
        return weight
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
            && lhs.tiers.map(\.period) == rhs.tiers.map(\.period) && lhs.refreshSeconds == rhs.refreshSeconds
            && lhs.maxUpdatesPerTick == rhs.maxUpdatesPerTick && lhs.chatPartnerSeconds == rhs.chatPartnerSeconds
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(farPeriod)
        hasher.combine(refreshSeconds)
        hasher.combine(maxUpdatesPerTick)
        for tier in tiers {
            hasher.combine(tier.distance)
            hasher.combine(tier.period)
        }
    }
}
