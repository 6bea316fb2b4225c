import DequeModule
import Synchronization

/// Failed session-token logins per client address, over a sliding window, on this client
/// manager. Like the password limiter of the grid services, an attempt takes its slot before
/// the token is checked, so simultaneous guesses cannot all slip under the limit; a
/// successful login gives its slot back.
final class TokenLoginLimiter: Sendable {
    let limit: Int
    let window: Duration
    private let attempts = Mutex<[String: Deque<ContinuousClock.Instant>]>([:])

    init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// The slot of one attempt from `address`, or nil when `limit` attempts from it are
    /// already recorded within the window.
    func reserve(_ address: String, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant? {
        attempts.withLock { attempts in
            let horizon = now - window
            if attempts.count > 4096 {
                attempts = attempts.filter { $0.value.last.map { $0 > horizon } ?? false }
            }
            var recent = attempts[address, default: []]
            while let first = recent.first, first <= horizon { recent.removeFirst() }
            guard recent.count < limit else {
                attempts[address] = recent
                return nil
            }
            recent.append(now)
            attempts[address] = recent
            return now
        }
    }

    /// Gives a slot back: the attempt succeeded.
    func release(_ address: String, _ slot: ContinuousClock.Instant) {
        attempts.withLock { attempts in
            guard var recent = attempts[address], let index = recent.firstIndex(of: slot) else { return }
            recent.remove(at: index)
            attempts[address] = recent.isEmpty ? nil : recent
        }
    }
}
