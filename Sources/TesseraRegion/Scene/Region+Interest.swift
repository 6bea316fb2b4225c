import TesseraWorld

extension Region {
    /// Recomputes what avatars see. Each avatar is revisited every `interestInterval` frames,
    /// staggered by id so the work spreads evenly; a new arrival gets its whole view at once.
    mutating func updateInterest() {
        grid.removeAll()
        for avatar in avatars.values { grid.insert(avatar.localID, at: avatar.position) }
        for object in objects.values { grid.insert(object.localID, at: object.position) }
        let interval = UInt64(max(settings.interestInterval, 1))
        for (id, avatar) in avatars where avatar.needsInitialView || (frame &+ UInt64(id)) % interval == 0 {
            refreshView(of: id)
        }
        // Entities created this frame are announced to those who see them now, not a cycle later.
        for info in pending.appeared where objects[info.localID] != nil {
            announce(info.localID)
        }
    }

    private mutating func refreshView(of id: LocalID) {
        guard var avatar = avatars[id] else { return }
        let enterSquared = settings.viewDistance * settings.viewDistance
        let leaveSquared = settings.leaveDistance * settings.leaveDistance
        var view: Set<LocalID> = [id]
        view.reserveCapacity(avatar.visible.count + 8)
        var entered: [LocalID] = avatar.visible.contains(id) ? [] : [id]
        grid.forEach(around: avatar.position, radius: settings.leaveDistance) { item in
            let distanceSquared = item.position.distanceSquared(to: avatar.position)
            guard distanceSquared <= leaveSquared, item.id != id else { return }
            if avatar.visible.contains(item.id) {
                view.insert(item.id)
            } else if distanceSquared <= enterSquared {
                view.insert(item.id)
                entered.append(item.id)
            }
        }
        // Everything seen before is either still in view or has left; counting avoids a set
        // difference when nothing left, the common case.
        let kept = view.count - entered.count
        let left = kept == avatar.visible.count ? [] : avatar.visible.filter { !view.contains($0) }
        avatar.visible = view
        avatar.needsInitialView = false
        avatars[id] = avatar
        if !entered.isEmpty || !left.isEmpty {
            pending.interest[id, default: ([], [])].entered.append(contentsOf: entered.sorted())
            pending.interest[id, default: ([], [])].left.append(contentsOf: left.sorted())
        }
    }

    private mutating func announce(_ object: LocalID) {
        guard let position = position(of: object) else { return }
        let enterSquared = settings.viewDistance * settings.viewDistance
        var watchers: [LocalID] = []
        grid.forEach(around: position, radius: settings.viewDistance) { item in
            if item.position.distanceSquared(to: position) <= enterSquared { watchers.append(item.id) }
        }
        for candidate in watchers {
            guard let avatar = avatars[candidate], !avatar.visible.contains(object) else { continue }
            avatars[candidate]!.visible.insert(object)
            pending.interest[candidate, default: ([], [])].entered.append(object)
        }
    }

    func position(of id: LocalID) -> Vector3? {
        avatars[id]?.position ?? objects[id]?.position
    }
}
