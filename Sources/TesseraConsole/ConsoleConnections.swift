import HummingbirdCore
import Synchronization

/// The console's open connections, capped: at `limit`, the server stops accepting and the
/// rest wait in the listen backlog until one closes (a closed one is counted out at once).
/// Connections that arrive together may be accepted in one batch (NIO accepts up to 4 per
/// wake-up) before the cap is looked at again, so `open` can pass `limit` by at most 3.
/// `peak` is the most ever open together, for tests and operators.
public final class ConsoleConnections: Sendable {
    public let limit: Int
    private let counts = Mutex<(open: Int, peak: Int, accepted: Int)>((0, 0, 0))

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    public var open: Int { counts.withLock { $0.open } }
    public var peak: Int { counts.withLock { $0.peak } }
    /// Connections accepted since the console started.
    public var accepted: Int { counts.withLock { $0.accepted } }

    func opened() {
        counts.withLock { counts in
            counts.open += 1
            counts.accepted += 1
            counts.peak = max(counts.peak, counts.open)
        }
    }

    func closed() {
        counts.withLock { $0.open -= 1 }
    }

    /// Hummingbird's hook into its accept loop.
    var delegate: Delegate { Delegate(connections: self) }

    struct Delegate: AvailableConnectionsDelegate {
        let connections: ConsoleConnections

        mutating func connectionOpened() { connections.opened() }
        mutating func connectionClosed() { connections.closed() }
        func isAcceptingNewConnections() -> Bool { connections.open < connections.limit }
    }
}
