import DequeModule
import Synchronization

/// Failed session-token logins per client address, over a sliding window, on this client
/// manager. An attempt takes a slot before the token is checked and gives it back when the
/// check ends; a failure is then recorded for the window. An address is refused while
/// `limit` failures are in its window, or while `maxInFlight` of its attempts are being
/// checked: simultaneous guesses can pass the failure limit by at most `maxInFlight` (a token
/// is 256 random bits, so this bounds the load, not the odds), while many people behind one
/// address logging in at once are not refused for what has not failed.
final class TokenLoginLimiter: Sendable {
    let limit: Int
    let window: Duration
    let maxInFlight: Int
    private struct Address {
        var failures = Deque<ContinuousClock.Instant>()
        var inFlight = 0
    }
    private let addresses = Mutex<[String: Address]>([:])

    init(limit: Int, window: Duration, maxInFlight: Int = 256) {
        self.limit = limit
        self.window = window
        self.maxInFlight = maxInFlight
    }

    /// Takes a slot for one attempt from `address`, or nil when the address has `limit`
    /// failures within the window or `maxInFlight` attempts being checked.
    func reserve(_ address: String, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant? {
        addresses.withLock { addresses in
            let horizon = now - window
            if addresses.count > 4096 {
                addresses = addresses.filter { $0.value.inFlight > 0 || ($0.value.failures.last.map { $0 > horizon } ?? false) }
            }
            var entry = addresses[address, default: Address()]
            while let first = entry.failures.first, first <= horizon { entry.failures.removeFirst() }
            guard entry.failures.count < limit, entry.inFlight < maxInFlight else {
                addresses[address] = entry
                return nil
            }
            entry.inFlight += 1
            addresses[address] = entry
            return now
        }
    }

    /// The attempt ended without a failure of the token (it succeeded, or could not be checked).
    func release(_ address: String, _ slot: ContinuousClock.Instant) {
        end(address, failedAt: nil)
    }

    /// The attempt's token was refused: a failure counts for the window from `now`.
    func failed(_ address: String, _ slot: ContinuousClock.Instant, now: ContinuousClock.Instant = .now) {
        end(address, failedAt: now)
    }

    private func end(_ address: String, failedAt: ContinuousClock.Instant?) {
        addresses.withLock { addresses in
            guard var entry = addresses[address] else { return }
            entry.inFlight = max(0, entry.inFlight - 1)
            if let failedAt { entry.failures.append(failedAt) }
            addresses[address] = entry.inFlight == 0 && entry.failures.isEmpty ? nil : entry
        }
    }
}
