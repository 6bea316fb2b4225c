import TesseraRegion
import TesseraWire
import TesseraWorld

extension DeterministicGrid {
    /// How long a restart waits for its evacuating hand-offs, in frames (5 s, as a runner waits).
    static let evacuationFrames = 225

    /// One admin console action, as the region nodes carry it out (`RegionRunner.admin`, then
    /// `AdminReply.Outcome.combine` over every live region): applied to the regions between
    /// two frames; what clients must learn leaves with the next frame. A restart steps the grid
    /// while its avatars are evacuated.
    public func admin(_ action: AdminRequest.Action) -> AdminReply.Outcome {
        var outcomes: [AdminReply.Outcome] = []
        for index in slots.indices where exchange.isUp(slots[index].node) {
            outcomes.append(admin(action, at: index))
        }
        return AdminReply.Outcome.combine(outcomes)
    }

    private func admin(_ action: AdminRequest.Action, at index: Int) -> AdminReply.Outcome {
        let settings = slots[index].region.settings
        switch action {
        case .listAgents:
            return .agents(slots[index].region.agentEntries())
        case .kick(let agent, let message):
            return slots[index].region.kick(agent, message: message) ? .done(affected: 1, detail: "kicked from \(settings.name)") : .notHere
        case .alert(let audience, let message):
            let count = slots[index].region.alert(audience, message: message)
            if case .region(let handle) = audience, handle != settings.handle { return .notHere }
            if case .agent = audience, count == 0 { return .notHere }
            return .done(affected: UInt32(count), detail: "alerted in \(settings.name)")
        case .teleport(let agent, let region, let gridPosition, let position):
            return slots[index].region.adminTeleport(agent, region: region, gridPosition: gridPosition, position: position, now: clock.now())
        case .restart(let handle, let message):
            guard handle == settings.handle else { return .notHere }
            return restart(at: index, message: message)
        case .scripts, .controlScript:
            return slots[index].region.adminScripts(action)
        case .moveRegion:
            // Live migration moves regions between real nodes; the harness has none.
            return .failed(code: ErrorCode.notAllowed.rawValue, message: "the deterministic harness does not move regions between nodes")
        }
    }

    /// Evacuates the region's avatars, steps until they are gone (or the evacuation time is
    /// up), logs out the rest, and puts the scene back from memory (there is no storage here).
    private func restart(at index: Int, message: String) -> AdminReply.Outcome {
        let settings = slots[index].region.settings
        let (moved, loggedOut) = slots[index].region.evacuate(message: message, now: clock.now())
        for _ in 0..<Self.evacuationFrames where slots[index].region.avatarCount > 0 { step() }
        let stragglers = slots[index].region.logOutRemaining(message: message)
        let records = slots[index].region.objectRecords()
        slots[index].region.clearScene()
        slots[index].region.restore(records)
        _ = slots[index].region.takeSceneDelta()
        let objects = slots[index].region.objectCount
        return .done(
            affected: UInt32(moved + loggedOut),
            detail: "\(settings.name) restarted: \(moved - stragglers) avatars moved to a neighbour, \(loggedOut + stragglers) logged out, \(objects) objects restored")
    }
}
