import HummingbirdCore
import Synchronization

/// The console's open connections, capped: at `limit`, the server stops accepting and the
/// rest wait in the listen backlog until one closes (a closed one is counted out at once).
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
