import DequeModule
import Foundation
import Synchronization

/// The console's feed of recent grid events (logins, hand-offs, kicks, alerts, restarts):
/// the last `capacity` kept for new watchers, each new one handed to every live watcher.
/// A watcher that falls `bufferLimit` events behind loses the oldest (it is a live view).
public final class ConsoleEvents: Sendable {
    public enum Kind: String, Codable, Sendable {
        case login, logout, handoff, kick, alert, restart, admin
    }

    public struct Event: Codable, Sendable, Hashable {
        public var at: String
        public var kind: Kind
        public var text: String
    }

    private struct State {
        var recent = Deque<Event>()
        var watchers: [UInt64: AsyncStream<Event>.Continuation] = [:]
        var nextWatcher: UInt64 = 0
    }

    private let state = Mutex(State())
    public let capacity: Int
    static let bufferLimit = 256

    public init(capacity: Int = 200) {
        self.capacity = capacity
    }

    public func post(_ kind: Kind, _ text: String, at date: Date = Date()) {
        let event = Event(at: consoleDate(date), kind: kind, text: text)
        let watchers = state.withLock { state in
            state.recent.append(event)
            if state.recent.count > capacity { state.recent.removeFirst(state.recent.count - capacity) }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield(event) }
    }

    /// Oldest first.
    public var recent: [Event] { state.withLock { Array($0.recent) } }

    public var watcherCount: Int { state.withLock { $0.watchers.count } }

    /// New events from now on, until the stream is dropped.
    public func watch() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(Self.bufferLimit))
        let id = state.withLock { state in
            state.nextWatcher += 1
            state.watchers[state.nextWatcher] = continuation
            return state.nextWatcher
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }
}

/// Turns successive looks at the grid's avatars into feed events: arrivals (logins),
/// departures (logouts, kicks) and region changes (hand-offs, teleports). An avatar must be
/// missing from two looks in a row to count as gone: one in a hand-off is root nowhere for a
/// moment. The first look only learns who is there.
struct AgentWatcher {
    private var known: [String: AgentItem] = [:]
    private var missing: Set<String> = []
    private var primed = false

    mutating func update(_ agents: [AgentItem]) -> [(ConsoleEvents.Kind, String)] {
        defer { primed = true }
        var events: [(ConsoleEvents.Kind, String)] = []
        var seen = Set<String>()
        for agent in agents {
            seen.insert(agent.agentID)
            missing.remove(agent.agentID)
            if let previous = known[agent.agentID] {
                if previous.region != agent.region { events.append((.handoff, "\(agent.name): \(previous.region) → \(agent.region)")) }
            } else if primed {
                events.append((.login, "\(agent.name) arrived in \(agent.region)"))
            }
            known[agent.agentID] = agent
        }
        for (id, agent) in known where !seen.contains(id) {
            if missing.contains(id) {
                known[id] = nil
                missing.remove(id)
                events.append((.logout, "\(agent.name) left the grid (last in \(agent.region))"))
            } else {
                missing.insert(id)
            }
        }
        return events
    }
}
