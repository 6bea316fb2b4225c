import NIOCore

/// How long every link that redials waits between attempts (docs/service-exchange.md,
/// "Reconnect policy"): the first pause, doubled after each failure in a row up to a cap, less
/// a random part so that many links lost together do not redial together. A connection that
/// lasted `stableAfter` ends the run of failures; one that drops sooner counts as a failure.
public struct ReconnectPolicy: Hashable, Sendable {
    /// The pause after the first failure in a row, in milliseconds.
    public var firstMillis: Int
    /// The longest pause, in milliseconds.
    public var capMillis: Int
    /// Up to this percentage of a pause is taken off at random (0...100).
    public var jitterPercent: Int
    /// Seconds a connection must last for its loss to start a new run of failures.
    public var stableAfter: Double

    public init(firstMillis: Int, capMillis: Int, jitterPercent: Int, stableAfter: Double) {
        self.firstMillis = max(firstMillis, 1)
        self.capMillis = max(capMillis, self.firstMillis)
        self.jitterPercent = min(max(jitterPercent, 0), 100)
        self.stableAfter = stableAfter
    }

    /// Every network link: peer links, the client manager's region links, the grid client and
    /// the links to offloaded services. 0.2, 0.4, 0.8, 1.6 s, then every 2 s, each up to a
    /// quarter shorter at random.
    public static let links = ReconnectPolicy(firstMillis: 200, capMillis: 2000, jitterPercent: 25, stableAfter: 10)
    /// A supervised child process (`tessera up` running `tessera physics`): 1, 2, 4, 8, 16 s,
    /// then every 30 s; a process that ran 30 s is started again after 1 s.
    public static let childProcess = ReconnectPolicy(firstMillis: 1000, capMillis: 30_000, jitterPercent: 0, stableAfter: 30)

    /// The pause before the next attempt after `failures` failures in a row (at least 1), before jitter.
    public func basePauseMillis(failures: Int) -> Int {
        let doublings = min(max(failures, 1) - 1, 30)
        let millis = firstMillis.multipliedReportingOverflow(by: 1 << doublings)
        return millis.overflow ? capMillis : min(millis.partialValue, capMillis)
    }

    /// The pause after `failures` failures in a row, with up to `jitterPercent` taken off by `random`.
    public func pause(failures: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let base = basePauseMillis(failures: failures)
        let spread = base * jitterPercent / 100
        let cut = spread > 0 ? Int(random.next() % UInt64(spread + 1)) : 0
        return .milliseconds(base - cut)
    }
}

/// One link's run of failures under a `ReconnectPolicy`, on an injected clock (seconds).
public struct Reconnector: Hashable, Sendable {
    public let policy: ReconnectPolicy
    /// Failures in a row: dials that failed, and connections that did not last.
    public private(set) var failures = 0
    /// Dials that failed since the last connection (or the start).
    public private(set) var dialFailures = 0
    private var connectedAt: Double?

    public init(policy: ReconnectPolicy = .links) {
        self.policy = policy
    }

    /// A dial failed: the pause before the next.
    public mutating func dialFailed(using random: inout some RandomNumberGenerator) -> Duration {
        failures += 1
        dialFailures += 1
        return policy.pause(failures: failures, using: &random)
    }

    /// A dial succeeded at `now`.
    public mutating func connected(at now: Double) {
        connectedAt = now
        dialFailures = 0
    }

    /// The connection went down at `now`: the pause before dialing again. After a connection
    /// that lasted, this is the first pause again.
    public mutating func disconnected(at now: Double, using random: inout some RandomNumberGenerator) -> Duration {
        if let connectedAt, now - connectedAt >= policy.stableAfter {
            failures = 1
        } else {
            failures += 1
        }
        connectedAt = nil
        return policy.pause(failures: failures, using: &random)
    }

    /// Whether the dial failure just counted is worth a log line: the first after a
    /// connection (or the start), then every tenth.
    public var logsDialFailure: Bool { dialFailures % 10 == 1 }
}

/// Seconds on the process's monotonic clock, for the links' reconnectors and answer watches.
public enum LinkClock {
    public static func seconds() -> Double {
        Double(NIODeadline.now().uptimeNanoseconds) / 1e9
    }
}

extension Duration {
    /// The same span as a NIO `TimeAmount`, for scheduling on an event loop.
    public var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
