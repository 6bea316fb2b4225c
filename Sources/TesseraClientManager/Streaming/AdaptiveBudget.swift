/// One client's byte budget per update tick, set from how fast its connection drains
/// (docs/client-protocol.md, "Priority and budget"). Pure: the session reports after each
/// frame how many bytes it wrote and how long the write waited for the connection.
///
/// - A write that waited more than a quarter of the tick interval is back-pressure: the
///   connection accepted `bytes` in `waited` seconds, so the budget drops to 80 % of that
///   drain rate per tick, and at least by half; never below `floor`.
/// - A frame that used at least three quarters of the budget without waiting lets it grow by
///   a quarter (at least half the floor), up to `ceiling`.
/// - Otherwise it stays: a client with little to say does not prove it could take more.
public struct AdaptiveBudget: Sendable, Hashable {
    /// The least a tick may carry: nearest neighbours first, so a client that cannot drain
    /// even this is too slow (the write stall closes it). A lower ceiling wins over it.
    public let floor: Int
    /// The most a tick may carry (`max_bytes_per_tick`, or a viewer's throttle).
    public private(set) var ceiling: Int
    public private(set) var current: Int
    /// Bytes per second the connection accepted, when last measured under back-pressure.
    public private(set) var drainRate: Double?
    /// Frames whose write waited (back-pressure events).
    public private(set) var backPressureCount = 0

    public static let defaultFloor = 2048

    public init(floor: Int = AdaptiveBudget.defaultFloor, ceiling: Int) {
        self.floor = max(1, floor)
        self.ceiling = max(1, ceiling)
        current = self.ceiling
    }

    /// The floor in force: a ceiling under the floor (a viewer that asks for less) wins.
    var effectiveFloor: Int { min(floor, ceiling) }

    /// A new ceiling (a viewer's throttle changed): the budget follows it down at once, and
    /// grows towards a higher one as frames use it.
    public mutating func setCeiling(_ ceiling: Int) {
        self.ceiling = max(1, ceiling)
        current = max(effectiveFloor, min(current, self.ceiling))
    }

    /// After a frame of `bytes` whose write waited `waited` seconds; `interval` is the tick.
    public mutating func record(bytes: Int, waited: Double, interval: Double) {
        guard waited.isFinite, interval.isFinite, interval > 0 else { return }
        if waited > interval / 4 {
            backPressureCount += 1
            let rate = Double(max(bytes, 0)) / waited
            drainRate = rate
            let fromRate = rate * interval * 0.8
            let target = fromRate.isFinite && fromRate < Double(current / 2) ? Int(fromRate.rounded()) : current / 2
            current = max(effectiveFloor, min(current, target))
        } else if bytes >= current - current / 4 {
            current = min(ceiling, current + max(effectiveFloor / 2, current / 4, 1))
        }
    }
}
