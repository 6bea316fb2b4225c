import Synchronization

/// Counters of a client manager, read by `tessera up`'s progress line and the metrics.
public final class ClientManagerStats: Sendable {
    public let clients = Atomic<Int>(0)
    public let framesSent = Atomic<Int>(0)
    public let bytesSent = Atomic<Int>(0)
    public let messagesReceived = Atomic<Int>(0)
    /// Clients closed for sending something that is not the protocol.
    public let protocolErrors = Atomic<Int>(0)
    /// Clients closed for falling too far behind.
    public let slowClientsClosed = Atomic<Int>(0)
    /// Commands dropped by the per-client rate limit.
    public let rateLimited = Atomic<Int>(0)
    /// Client update ticks that hit the byte budget, so some entity updates waited a tick.
    public let deferredUpdates = Atomic<Int>(0)
    /// Logins the grid services refused (bad credentials, rate limit, unknown region...).
    public let failedLogins = Atomic<Int>(0)
    /// Hand-offs whose route this client manager switched, and crossings that failed.
    public let handoffsSwitched = Atomic<Int>(0)
    public let handoffsFailed = Atomic<Int>(0)
    /// Client commands a switch could not replay (they had left the replay window).
    public let handoffCommandsLost = Atomic<Int>(0)
    /// Times a client's adaptive budget was cut because its connection pushed back.
    public let budgetCuts = Atomic<Int>(0)
    /// Entity updates sent later than the refresh bound (the client drained too little).
    public let lateRefreshes = Atomic<Int>(0)

    public init() {}

    public struct Snapshot: Sendable, Hashable, Codable {
        public var clients: Int
        public var framesSent: Int
        public var bytesSent: Int
        public var messagesReceived: Int
        public var protocolErrors: Int
        public var slowClientsClosed: Int
        public var rateLimited: Int
        public var deferredUpdates: Int
    }

    public var snapshot: Snapshot {
        Snapshot(
            clients: clients.load(ordering: .relaxed), framesSent: framesSent.load(ordering: .relaxed),
            bytesSent: bytesSent.load(ordering: .relaxed), messagesReceived: messagesReceived.load(ordering: .relaxed),
            protocolErrors: protocolErrors.load(ordering: .relaxed), slowClientsClosed: slowClientsClosed.load(ordering: .relaxed),
            rateLimited: rateLimited.load(ordering: .relaxed), deferredUpdates: deferredUpdates.load(ordering: .relaxed)
        )
    }
}
