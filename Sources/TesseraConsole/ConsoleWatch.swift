import Foundation
import Logging
import Synchronization

/// The grid as the dashboard sees it: one look at the regions and avatars every `interval`,
/// kept as the latest snapshot and turned into feed events (logins, logouts, hand-offs).
/// One poller for all watchers, so every dashboard sees the same feed.
final class ConsoleWatch: Sendable {
    struct Snapshot: Encodable, Sendable {
        var at: String
        var regions: [RegionItem]
        var agents: [AgentItem]
    }

    private let control: GridControl
    private let latest = Mutex<(serial: UInt64, snapshot: Snapshot?)>((0, nil))
    let interval: Duration
    private let logger: Logger

    init(control: GridControl, interval: Duration = .seconds(1), logger: Logger) {
        self.control = control
        self.interval = interval
        self.logger = logger
    }

    /// The newest snapshot and its serial (it grows with each look).
    var current: (serial: UInt64, snapshot: Snapshot?) { latest.withLock { $0 } }

    /// Looks until cancelled.
    func run() async {
        var watcher = AgentWatcher()
        var failing = false
        while !Task.isCancelled {
            do {
                async let regions = control.regions()
                async let agents = control.agents()
                let snapshot = Snapshot(at: consoleDate(Date()), regions: try await regions, agents: try await agents)
                for (kind, text) in watcher.update(snapshot.agents) { control.events.post(kind, text) }
                latest.withLock { $0 = ($0.serial + 1, snapshot) }
                failing = false
            } catch {
                if !failing { logger.warning("console could not look at the grid", metadata: ["error": "\(error)"]) }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }
}
