import Foundation
import NIOPosix
import Synchronization

/// Where the password KDF runs: a few threads of its own (one per core by default), first come
/// first served, so a burst of logins waits its turn instead of timing out together, and no
/// other blocking work waits behind scrypt. The queue is bounded twice: at most `maxWaiting`
/// checks wait (more are refused at once), and a check that waited `maxWait` without starting
/// is refused instead of run (its caller is about to give up). Both refusals are `busy`, which
/// logins report as "busy, retry"; docs/client-protocol.md gives the figures.
public final class PasswordCheckQueue: Sendable {
    public struct Busy: Error, CustomStringConvertible {
        public var description: String { "the grid is busy checking other logins; try again in a few seconds" }
    }

    public let width: Int
    public let maxWaiting: Int
    public let maxWait: Duration
    private let pool: NIOThreadPool
    /// Apart from the queue, so that work on the pool never holds the queue itself: the last
    /// reference dropped on a pool thread would shut the pool down from one of its own threads.
    private final class Counts: Sendable {
        /// Checks waiting or running.
        let waiting = Atomic<Int>(0)
        let completed = Atomic<Int>(0)
    }

    private let counts = Counts()

    /// Checks waiting or running now.
    public var waitingOrRunning: Int { counts.waiting.load(ordering: .relaxed) }

    /// Checks that ran (the KDF work done), for tests and metrics.
    public var checksRun: Int { counts.completed.load(ordering: .relaxed) }

    /// The queue of a grid services process: one thread per core, 256 waiting, 20 s.
    public static let shared = PasswordCheckQueue(width: ProcessInfo.processInfo.activeProcessorCount)

    public init(width: Int, maxWaiting: Int = 256, maxWait: Duration = .seconds(20)) {
        self.width = max(1, width)
        self.maxWaiting = maxWaiting
        self.maxWait = maxWait
        pool = NIOThreadPool(numberOfThreads: self.width)
        pool.start()
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    /// Runs `work` on one of the queue's threads when its turn comes. Throws `Busy` when the
    /// queue is full or the turn came too late.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let counts = counts
        guard counts.waiting.add(1, ordering: .relaxed).newValue <= maxWaiting + width else {
            counts.waiting.subtract(1, ordering: .relaxed)
            throw Busy()
        }
        let queued = ContinuousClock.now
        let maxWait = maxWait
        return try await pool.runIfActive {
            defer { counts.waiting.subtract(1, ordering: .relaxed) }
            guard ContinuousClock.now - queued <= maxWait else { throw Busy() }
            defer { counts.completed.add(1, ordering: .relaxed) }
            return try work()
        }
    }
}
