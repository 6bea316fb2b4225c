import Synchronization
import TesseraWorld

/// The regions this node runs now, by handle. A live migration adds a region to the target's
/// table when it commits and removes it from the source's (docs/migration.md); everything that
/// routes to a local region (client manager links, peer links, the admin surface) reads here.
public final class LocalRegions: @unchecked Sendable {
    private let table: Mutex<[RegionRunner]>

    init(_ runners: [RegionRunner]) {
        table = Mutex(runners)
    }

    /// Every local region, in the order they were added.
    public var all: [RegionRunner] { table.withLock { $0 } }

    public func runner(_ handle: RegionHandle) -> RegionRunner? {
        table.withLock { $0.first { $0.settings.handle == handle } }
    }

    /// False when a region of that handle already runs here.
    func add(_ runner: RegionRunner) -> Bool {
        table.withLock { table in
            guard !table.contains(where: { $0.settings.handle == runner.settings.handle }) else { return false }
            table.append(runner)
            return true
        }
    }

    @discardableResult
    func remove(_ handle: RegionHandle) -> RegionRunner? {
        table.withLock { table in
            guard let index = table.firstIndex(where: { $0.settings.handle == handle }) else { return nil }
            return table.remove(at: index)
        }
    }
}
