/// Waits for a condition of a grid that runs in real time (on real sockets, or in child
/// processes), checking it again every `interval` until `timeout`. For the wiring tests only:
/// a scenario on `DeterministicGrid` steps until its condition holds and never waits. The
/// deadline is a bound, never the expected duration: the wait ends as soon as the condition
/// holds, so a fast machine does not wait and a slow one does not fail early.
public enum Eventually {
    public struct TimedOut: Error, CustomStringConvertible {
        public let what: String
        public let timeout: Duration
        public var description: String { "not within \(timeout): \(what)" }
    }

    /// Returns the first non-nil value `check` gives.
    @discardableResult
    public static func value<T>(
        _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20), _ check: () async throws -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = try await check() { return value }
            guard ContinuousClock.now < deadline else { throw TimedOut(what: what, timeout: timeout) }
            try await Task.sleep(for: interval)
        }
    }

    /// Returns once `condition` holds.
    public static func until(
        _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
    ) async throws {
        try await value(what, timeout: timeout, every: interval) { try await condition() ? true : nil }
    }
}
