/// The overdue rule of a frame exchange (docs/service-exchange.md, "Loss"): the link that
/// carries the frames keeps when each unanswered one went out, on an injected clock, and
/// treats the service as lost when the oldest has waited longer than `timeout`.
public struct AnswerWatch: Hashable, Sendable {
    private struct Sent: Hashable, Sendable {
        var frame: UInt64
        var at: Double
    }

    /// Seconds an answer may take.
    public let timeout: Double
    /// Unanswered frames remembered; past it the newest are not recorded (the oldest decides
    /// when the service is overdue, and the region's in-flight window keeps far below it).
    public static let capacity = 1024
    private var sent: [Sent] = []

    public init(timeout: Double = 2) {
        self.timeout = timeout
    }

    public var unanswered: Int { sent.count }

    /// Frame `frame` went out at `now` (seconds on the link's clock).
    public mutating func sent(_ frame: UInt64, at now: Double) {
        guard sent.count < Self.capacity else { return }
        sent.append(Sent(frame: frame, at: now))
    }

    /// An answer to `frame` came: it and every frame sent before it are answered (the
    /// service answers in order).
    public mutating func answered(_ frame: UInt64) {
        guard let last = sent.lastIndex(where: { $0.frame <= frame }) else { return }
        sent.removeFirst(last + 1)
    }

    /// A new connection: nothing is in flight on it.
    public mutating func reset() {
        sent.removeAll(keepingCapacity: true)
    }

    /// True when the oldest unanswered frame went out more than `timeout` ago.
    public func isOverdue(now: Double) -> Bool {
        guard let oldest = sent.first else { return false }
        return now - oldest.at > timeout
    }
}
