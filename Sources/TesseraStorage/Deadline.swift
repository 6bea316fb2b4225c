import Foundation
import Synchronization

/// Failures of the storage layer itself, as opposed to a store refusing an operation.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A store call did not finish within its deadline, e.g. because the server closed its
    /// connection mid-transaction: PostgresNIO never answers the next query on such a
    /// connection, and the server rolls the transaction back. The outcome is unknown in
    /// general, though: work that was only slow (say, a long lock wait) goes on after the
    /// deadline and may still commit.
    case timedOut(operation: String, seconds: Double)

    public var description: String {
        switch self {
        case .timedOut(let operation, let seconds): "\(operation) did not finish within \(seconds) s"
        }
    }
}

/// Runs `work` and throws `StorageError.timedOut` if it has not finished after `timeout`.
///
/// `work` runs in a task of its own that is cancelled at the deadline but not waited for: a
/// query sent on a connection the server has closed never completes, cancelled or not, so a
/// task group (which waits for every child) would hang with it. Such a task stays suspended;
/// its connection is closed, and the pool replaces it.
func withDeadline<Result: Sendable>(
    _ operation: String, timeout: Duration, _ work: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let outcome = FirstOutcome<Result>()
    let worker = Task { try await work() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            outcome.wait(with: continuation)
            let timer = Task {
                try await Task.sleep(for: timeout)
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                outcome.finish(.failure(StorageError.timedOut(operation: operation, seconds: seconds)))
                worker.cancel()
            }
            Task {
                outcome.finish(await worker.result)
                timer.cancel()
            }
        }
    } onCancel: {
        worker.cancel()
    }
}

/// Resumes a continuation with whichever outcome comes first.
private final class FirstOutcome<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, any Error>?>(nil)

    func wait(with continuation: CheckedContinuation<Value, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func finish(_ result: Result<Value, any Error>) {
        continuation.withLock { waiting in
            let first = waiting
            waiting = nil
            return first
        }?.resume(with: result)
    }
}
