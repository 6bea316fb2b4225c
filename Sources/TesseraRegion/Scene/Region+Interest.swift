import Dispatch
import Foundation
import Synchronization
import TesseraWorld

extension Region {
    /// Threads the views of one frame may be computed on when there are many (the calling
    /// thread among them): the machine's cores, at most 4.
    public static let defaultInterestThreads = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 4)

    /// Recomputes what avatars see. Each avatar is revisited every `interestInterval` frames,
    /// staggered by id so the work spreads evenly; a new arrival gets its whole view at once.
    /// With `arrivalsOnly`, only avatars that need their first view get one (between frames).
    /// The views of a frame are computed from one sealed grid, independently of each other, so
    /// when there is enough work (`interestParallelWork`) they are split over `interestThreads`
    /// threads; the result is the same as on one.
    mutating func updateInterest(arrivalsOnly: Bool = false) {
        grid.removeAll()
        for avatar in avatars.values {
            grid.insert(avatar.localID, slot: slots.slot(of: avatar.localID)!, at: avatar.position)
        }
        // Read in place: copying each object (its name, contents and look) costs more than the insert.
        let values = objects.values
        for index in values.indices {
            let id = values[index].localID
            grid.insert(id, slot: slots.slot(of: id)!, at: values[index].position)
        }
        for ghost in ghosts.values {
            grid.insert(ghost.localID, slot: slots.slot(of: ghost.localID)!, at: ghost.position)
        }
        grid.seal(capacity: slots.capacity)
        let interval = UInt64(max(settings.interestInterval, 1))
        var due: [LocalID] = []
        var requests: [ViewRequest] = []
        for (id, avatar) in avatars where avatar.needsInitialView || (!arrivalsOnly && (frame &+ UInt64(id)) % interval == 0) {
            guard let own = slots.slot(of: id) else { continue }
            due.append(id)
            requests.append(ViewRequest(position: avatar.position, own: own, old: avatar.visible))
        }
        if !requests.isEmpty {
            let threads = requests.count * grid.items.count >= interestParallelWork ? interestThreads : 1
            let views = Self.views(for: requests, in: grid, enter: settings.viewDistance, leave: settings.leaveDistance, threads: threads)
            for (index, id) in due.enumerated() { setView(of: id, to: views[index], old: requests[index].old) }
        }
        // Entities created this frame are announced to those who see them now, not a cycle later.
        for info in pending.appeared where objects[info.localID] != nil || ghosts[info.localID] != nil {
            announce(info.localID)
        }
    }

    /// An avatar's view to compute: where it is, its own slot and what it saw.
    struct ViewRequest: Sendable {
        let position: Vector3
        let own: Int
        let old: SlotSet
    }

    /// The views of `requests`, in order: on the calling thread alone, or split into `threads`
    /// contiguous runs computed at once (the calling thread takes one).
    static func views(for requests: [ViewRequest], in grid: SpatialGrid, enter: Float, leave: Float, threads: Int) -> [SlotSet] {
        @Sendable func compute(_ run: ArraySlice<ViewRequest>) -> [SlotSet] {
            run.map { grid.view(from: $0.position, own: $0.own, old: $0.old, enter: enter, leave: leave) }
        }
        let runs = min(max(threads, 1), requests.count)
        guard runs > 1 else { return compute(requests[...]) }
        let parts = Mutex([[SlotSet]](repeating: [], count: runs))
        DispatchQueue.concurrentPerform(iterations: runs) { run in
            let range = (requests.count * run / runs)..<(requests.count * (run + 1) / runs)
            let views = compute(requests[range])
            parts.withLock { $0[run] = views }
        }
        return parts.withLock { $0.flatMap { $0 } }
    }

    private mutating func setView(of id: LocalID, to view: SlotSet, old: SlotSet) {
        guard avatars[id] != nil else { return }
        let entered = view.slots(notIn: old)
        let left = old.slots(notIn: view)
        avatars[id]!.visible = view
        avatars[id]!.needsInitialView = false
        if !entered.isEmpty || !left.isEmpty {
            pending.interest[id, default: ([], [])].entered.append(contentsOf: entered.map { slots.ids[$0] }.sorted())
            pending.interest[id, default: ([], [])].left.append(contentsOf: left.map { slots.ids[$0] }.sorted())
        }
    }

    private mutating func announce(_ object: LocalID) {
        guard let position = position(of: object), let slot = slots.slot(of: object) else { return }
        let enterSquared = settings.viewDistance * settings.viewDistance
        var watchers: [LocalID] = []
        grid.forEach(around: position, radius: settings.viewDistance) { item in
            if item.position.distanceSquared(to: position) <= enterSquared { watchers.append(item.id) }
        }
        for candidate in watchers {
            guard let avatar = avatars[candidate], !avatar.visible.contains(slot) else { continue }
            avatars[candidate]!.visible.insert(slot)
            pending.interest[candidate, default: ([], [])].entered.append(object)
        }
    }

    func position(of id: LocalID) -> Vector3? {
        avatars[id]?.position ?? objects[id]?.position ?? ghosts[id]?.position
    }
}
