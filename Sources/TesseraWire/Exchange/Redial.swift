import NIOCore

/// The redial loop of a link that keeps a connection up (the client manager's region links,
/// the grid client): after a pause, dial again unless the link no longer wants to; on failure,
/// wait the pause the link's `Reconnector` gives and go again.
public enum Redial {
    /// Dials with `connect` after `pause` on one of `group`'s loops, unless `skip` says
    /// otherwise by then; when the dial fails, `failed` gets the error and returns the pause
    /// before the next attempt.
    public static func schedule(
        on group: EventLoopGroup, after pause: Duration, skip: @escaping @Sendable () -> Bool,
        connect: @escaping @Sendable () async throws -> Void, failed: @escaping @Sendable (any Error) -> Duration
    ) {
        group.next().scheduleTask(in: pause.timeAmount) {
            Task {
                guard !skip() else { return }
                do {
                    try await connect()
                } catch {
                    schedule(on: group, after: failed(error), skip: skip, connect: connect, failed: failed)
                }
            }
        }
    }
}

extension Reconnector {
    /// After a failed dial: the pause before the next one, and the failures in a row when this
    /// one is worth a log line (`logsDialFailure`), else nil.
    public mutating func dialFailed() -> (pause: Duration, attemptsToLog: Int?) {
        var random = SystemRandomNumberGenerator()
        let pause = dialFailed(using: &random)
        return (pause, logsDialFailure ? dialFailures : nil)
    }
}
