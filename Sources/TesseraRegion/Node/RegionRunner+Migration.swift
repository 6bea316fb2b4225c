import Foundation
import Logging
import NIOCore
import TesseraWire

/// The runner's part in a live region migration (docs/migration.md): freezing the loop at a
/// frame boundary, resuming it when the move fails, retiring it when the move commits, and
/// starting a runner from a migrated region on the target.
extension RegionRunner {
    /// Stops the frame loop between two frames once nothing blocks the freeze (no hand-off,
    /// rez, take, capture or flush under way). Waits up to `seconds` for that; returns nil
    /// when frozen, or what still blocks it.
    func freeze(within seconds: Double) async -> String? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while true {
            let blocker: String?
            do {
                blocker = try await loop.submit { () -> String? in
                guard self.running else { return "the region is not running" }
                if let blocker = self.region.migrationBlocker { return blocker }
                if self.flushing { return "a scene flush is on its way" }
                self.running = false
                self.scheduled?.cancel()
                self.scheduled = nil
                return nil
                }.get()
            } catch {
                return "the region's loop is gone"
            }
            guard let blocker else { return nil }
            if blocker == "the region is not running" || ContinuousClock.now >= deadline { return blocker }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs the frame loop again after a freeze (the move did not happen). What arrived
    /// meanwhile is applied by the next frame.
    func resume() {
        loop.execute {
            guard !self.running else { return }
            self.running = true
            self.nextDeadline = .now()
            self.scheduleNext()
        }
    }

    /// The frozen region's state, read on its loop.
    func migrationState(regionID: UUID) async throws -> (RegionSnapshot, [MigratingObject], scripts: Int) {
        try await loop.submit {
            let (snapshot, objects) = self.region.migrationState(regionID: regionID)
            return (snapshot, objects, self.region.scriptItemCount)
        }.get()
    }

    /// The region now runs on another node: its service links close (the services drop its
    /// world and scripts) and nothing it holds is sent anywhere again.
    func retire() {
        for link in serviceLinks.values { link.stop() }
        inbox.onUrgent {}
        _ = inbox.drain()
    }

    /// A runner for a migrated region, attached to the grid under the region's registry id;
    /// `start()` it (after `attachPhysics` and `attachScripts`) once the move commits.
    static func migrated(
        _ region: Region, regionID: UUID, grid: RegionGridPort?, loop: EventLoop, clock: FrameClock, sink: RegionOutputSink
    ) -> RegionRunner {
        let runner = RegionRunner(settings: region.settings, loop: loop, clock: clock, sink: sink)
        runner.region = region
        if let grid {
            runner.grid = (grid, regionID)
            runner.region.gridServicesAttached = true
        }
        return runner
    }
}
