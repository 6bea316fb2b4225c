import TesseraPhysicsService
import TesseraRegion
import TesseraWire

extension DeterministicGrid {
    /// The physics service's part, as `PhysicsConnectionHandler` does it: a snapshot with a
    /// terrain builds the region's world, every frame is applied and stepped, and the answer
    /// reaches the region in time for its next frame.
    func simulate(_ frame: PhysicsFrame, in index: Int) -> PhysicsResult {
        if let terrain = frame.terrain, slots[index].world == nil {
            do {
                slots[index].world = try RegionWorld(region: frame.region, terrain: terrain)
            } catch {
                return PhysicsResult(region: frame.region, frame: frame.frame, refused: [PhysicsRefusal(id: 0, reason: "\(error)")])
            }
        }
        guard let world = slots[index].world else {
            return PhysicsResult(region: frame.region, frame: frame.frame, refused: [PhysicsRefusal(id: 0, reason: "no world: send a full snapshot")])
        }
        return world.apply(frame)
    }

    /// The physics service comes up (or back): every live region attaches and sends a snapshot.
    public func attachPhysics() {
        physicsAttached = true
        for slot in slots { exchange.push(.physicsAttached, to: slot.region.settings.handle) }
    }

    /// The physics service dies between two frames: its worlds are gone, answers in flight are
    /// lost, and every live region moves kinematically until `attachPhysics()`.
    public func detachPhysics() {
        physicsAttached = false
        answers.removeAll { if case .physicsResult = $0.1 { true } else { false } }
        for index in slots.indices {
            slots[index].world = nil
            exchange.push(.physicsLost, to: slots[index].region.settings.handle)
        }
    }
}

extension DeterministicGrid {
    /// The object named `name` in the region named `region`, as the region holds it now.
    public func object(_ name: String, in region: String) -> Region.ObjectState? {
        self.region(region)?.objectStates().first { $0.name == name }
    }

    /// Steps until the object named `name` is in `region` and satisfies `condition`; returns it.
    @discardableResult
    public func run(
        until what: String, object name: String, in region: String, within frames: Int = 450, _ condition: (Region.ObjectState) -> Bool
    ) throws -> Region.ObjectState {
        var found: Region.ObjectState?
        try run(until: "\(name) in \(region): \(what)", within: frames) {
            found = object(name, in: region).flatMap { condition($0) ? $0 : nil }
            return found != nil
        }
        guard let found else { throw DeterministicGridError.notReached("\(name) in \(region): \(what)", frames: frames) }
        return found
    }
}
