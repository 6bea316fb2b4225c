import TesseraWorld

extension Region {
    /// Recomputes what avatars see. Each avatar is revisited every `interestInterval` frames,
    /// staggered by id so the work spreads evenly; a new arrival gets its whole view at once.
    /// With `arrivalsOnly`, only avatars that need their first view get one (between frames).
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
        let interval = UInt64(max(settings.interestInterval, 1))
        for (id, avatar) in avatars where avatar.needsInitialView || (!arrivalsOnly && (frame &+ UInt64(id)) % interval == 0) {
            refreshView(of: id)
        }
        // Entities created this frame are announced to those who see them now, not a cycle later.
        for info in pending.appeared where objects[info.localID] != nil || ghosts[info.localID] != nil {
            announce(info.localID)
        }
    }

    private mutating func refreshView(of id: LocalID) {
        guard var avatar = avatars[id], let ownSlot = slots.slot(of: id) else { return }
        let enterSquared = settings.viewDistance * settings.viewDistance
        let leaveSquared = settings.leaveDistance * settings.leaveDistance
        let old = avatar.visible
        var view = SlotSet(capacity: slots.capacity)
        view.insert(ownSlot)
        grid.forEach(around: avatar.position, radius: settings.leaveDistance) { item in
            let distanceSquared = item.position.distanceSquared(to: avatar.position)
            if distanceSquared <= enterSquared || (distanceSquared <= leaveSquared && old.contains(item.slot)) {
                view.insert(item.slot)
            }
        }
        let entered = view.slots(notIn: old)
        let left = old.slots(notIn: view)
        avatar.visible = view
        avatar.needsInitialView = false
        avatars[id] = avatar
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
