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
        for candidate in grid.query(around: avatar.position, radius: settings.leaveDistance) {
            guard let position = position(of: candidate) else { continue }
            let limit = avatar.visible.contains(candidate) ? leaveSquared : enterSquared
            if position.distanceSquared(to: avatar.position) <= limit { view.insert(candidate) }
        }
        let entered = view.subtracting(avatar.visible)
        let left = avatar.visible.subtracting(view)
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
        for candidate in grid.query(around: position, radius: settings.viewDistance) {
            guard let avatar = avatars[candidate], !avatar.visible.contains(object),
                avatar.position.distanceSquared(to: position) <= enterSquared
            else { continue }
            avatars[candidate]!.visible.insert(object)
            pending.interest[candidate, default: ([], [])].entered.append(object)
        }
    }

    func position(of id: LocalID) -> Vector3? {
        avatars[id]?.position ?? objects[id]?.position
    }
}
