import Foundation
import TesseraGridProtocol
import TesseraHandoff
import TesseraWire
import TesseraWorld

/// The destination side: an offer is admitted as pending (not simulated, not visible) and
/// becomes root on activation: from the client manager for an avatar, from the source (after
/// the storage move) for an object.
extension Region {
    mutating func received(_ offer: HandoffOffer, now: Double) {
        if incoming[offer.handoffID] != nil {
            return destinationInput(.offer, offer.handoffID, now: now)
        }
        let manager: ManagerID? =
            if case .avatar(let avatar) = offer.traveller {
                managerNames.first { $0.value == avatar.manager }?.key
            } else { nil }
        let admit = admission(offer, manager: manager)
        let (machine, actions) = HandoffDestination.offered(offer.handoffID, admit: admit)
        incoming[offer.handoffID] = IncomingHandoff(machine: machine, offer: offer, manager: manager)
        perform(actions, incoming: offer.handoffID, now: now)
    }

    private mutating func admission(_ offer: HandoffOffer, manager: ManagerID?) -> Result<LocalID, HandoffRefusalError> {
        let pendingCount = incoming.values.count { if case .pending = $0.machine.state { true } else { false } }
        switch offer.traveller {
        case .avatar(let avatar):
            guard manager != nil else { return .failure(HandoffRefusalError(.managerUnknown)) }
            guard agentIndex[avatar.agentID] == nil else { return .failure(HandoffRefusalError(.duplicateAgent)) }
            guard avatars.count + pendingCount < settings.maxAvatars else { return .failure(HandoffRefusalError(.regionFull)) }
        case .object(let object):
            guard objectIndex[object.record.id] == nil else { return .failure(HandoffRefusalError(.duplicateAgent)) }
            guard objects.count + pendingRezzes + pendingCount < settings.maxObjects else { return .failure(HandoffRefusalError(.regionFull)) }
        }
        return .success(takeID())
    }

    mutating func destinationInput(_ input: HandoffDestination.Input, _ id: HandoffID, now: Double) {
        guard incoming[id] != nil else { return }
        let actions = incoming[id]!.machine.handle(input)
        perform(actions, incoming: id, now: now)
    }

    private mutating func perform(_ actions: [HandoffDestination.Action], incoming id: HandoffID, now: Double) {
        for action in actions {
            guard let handoff = incoming[id] else { return }
            let offer = handoff.offer
            switch action {
            case .sendAccept(let localID):
                pending.peer.append((offer.source, .handoffSignal(signal(offer, to: offer.source, .accept(localID)))))
            case .sendRefuse(let reason):
                pending.peer.append((offer.source, .handoffSignal(signal(offer, to: offer.source, .refuse(reason)))))
                incoming[id]!.finishedAt = now
            case .armTimer:
                incoming[id]!.deadline = now + HandoffTimeouts.destination
            case .sendQuery:
                // An object's activation comes from its source, which either commits or cancels.
                if let manager = handoff.manager {
                    pending.direct.append((manager, .handoffSignal(signal(offer, to: settings.handle, .query))))
                }
            case .activate(let localID):
                arrive(offer, as: localID, manager: handoff.manager)
                incoming[id]!.deadline = nil
                incoming[id]!.finishedAt = now
            case .dropPending:
                incoming[id]!.deadline = nil
                incoming[id]!.finishedAt = now
            case .rejectActivation:
                if let manager = handoff.manager {
                    pending.direct.append((manager, .handoffSignal(signal(offer, to: settings.handle, .rejectActivation))))
                }
            case .remove(let localID):
                removeEntity(localID)
                incoming[id]!.finishedAt = now
            }
        }
    }

    /// The traveller is root here from this frame on; its client gets its view in this frame.
    private mutating func arrive(_ offer: HandoffOffer, as id: LocalID, manager: ManagerID?) {
        switch offer.traveller {
        case .avatar(let state):
            guard let manager else { return }
            if let ghost = ghostIndex.first(where: { ghosts[$0.value]?.agentID == state.agentID })?.value {
                removeEntity(ghost)
            }
            _ = slots.add(id)
            var avatar = Avatar(
                localID: id, agentID: state.agentID, name: state.name, manager: manager,
                position: state.position.clampedInside(margin: 0.05), velocity: state.velocity, rotation: state.rotation)
            avatar.intent = state.intent
            avatar.lastSequence = state.appliedSequence
            avatar.arrivedMillis = clockMillis
            avatars[id] = avatar
            agentIndex[state.agentID] = id
            physics.membershipDirty = true
            pending.appeared.append(entityInfo(id)!)
        case .object(let object):
            var record = object.record
            record.position = record.position.clampedInside(margin: 0.01)
            insertObject(record, stored: object.stored, as: id, crossed: true)
            objects[id]!.velocity = object.velocity
        }
    }

    /// A hand-off signal from another region or a client manager.
    mutating func received(_ signal: HandoffSignal, from manager: ManagerID?, now: Double) {
        let id = signal.handoffID
        switch signal.step {
        case .accept(let localID): sourceInput(.accepted(localID), id, now: now)
        case .refuse(let reason): sourceInput(.refused(reason), id, now: now)
        case .cancel: destinationInput(.cancel, id, now: now)
        case .commit: destinationInput(.activate, id, now: now)
        case .routed:
            if outgoing[id] != nil { sourceInput(.routed, id, now: now) }
        case .notRouted:
            if outgoing[id] != nil { sourceInput(.notRouted, id, now: now) } else { destinationInput(.notRouted, id, now: now) }
        case .activate(let localID):
            guard let handoff = incoming[id], handoff.manager == manager,
                case .pending(let pendingID) = handoff.machine.state, pendingID == localID
            else {
                if let handoff = incoming[id], case .active = handoff.machine.state { return }
                // Unknown here (this region restarted, or it was cancelled): the client must be told.
                if let manager {
                    pending.direct.append((manager, .handoffSignal(HandoffSignal(
                        handoffID: id, subject: signal.subject, source: signal.source, destination: signal.destination,
                        to: settings.handle, step: .rejectActivation))))
                }
                return
            }
            destinationInput(.activate, id, now: now)
        case .route, .query, .rejectActivation, .failed:
            break // addressed to a client manager
        }
    }

    /// Timers that ran out this frame, and finished hand-offs old enough to forget.
    mutating func expireHandoffs(now: Double) {
        for (id, handoff) in outgoing {
            if let deadline = handoff.deadline, deadline <= now {
                outgoing[id]!.deadline = nil
                sourceInput(.timeout, id, now: now)
            } else if let finished = handoff.finishedAt, now - finished > HandoffTimeouts.linger {
                outgoing[id] = nil
            }
        }
        for (id, handoff) in incoming {
            if let deadline = handoff.deadline, deadline <= now {
                incoming[id]!.deadline = nil
                destinationInput(.timeout, id, now: now)
            } else if let finished = handoff.finishedAt, now - finished > HandoffTimeouts.linger {
                incoming[id] = nil
            }
        }
    }

    /// A client manager connection closed: its travellers have no client any more.
    mutating func managerLost(_ manager: ManagerID, now: Double) {
        for (id, handoff) in outgoing where handoff.manager == manager && !handoff.isObject {
            sourceInput(.managerLost, id, now: now)
        }
        for (id, handoff) in incoming where handoff.manager == manager {
            destinationInput(.managerLost, id, now: now)
        }
    }

    /// The set of reachable regions changed: hand-offs toward a lost one learn it.
    mutating func regionsChanged(_ regions: [RegionHandle: String], now: Double) {
        let lost = Set(known.keys).subtracting(regions.keys)
        known = regions
        for handle in lost {
            for (id, handoff) in outgoing where handoff.destination == handle {
                sourceInput(.destinationLost, id, now: now)
            }
            // A pending object whose source is gone will never be committed or cancelled.
            for (id, handoff) in incoming where handoff.offer.source == handle && handoff.manager == nil {
                // Only a pending object: one that arrived is root here and stays.
                guard case .pending = handoff.machine.state else { continue }
                destinationInput(.managerLost, id, now: now)
            }
            dropGhosts(from: handle)
            ghostsSent[handle] = nil
        }
        for handle in regions.keys where ghostsSent[handle] == nil && settings.handle.isAdjacent(to: handle) {
            ghostsSent[handle] = [:]
            ghostObjectsChanged = true
        }
    }

    public var handoffsInProgress: Int {
        outgoing.values.count { !$0.machine.isFinished } + incoming.values.count { if case .pending = $0.machine.state { true } else { false } }
    }
}
