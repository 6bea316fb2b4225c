import Foundation
import TesseraGridProtocol
import TesseraHandoff
import TesseraWire
import TesseraWorld

/// The source side: crossings detected after movement, teleports and object moves start a
/// hand-off; the `HandoffSource` machine decides, this code carries out its actions.
extension Region {
    /// Avatars past the square after this frame's movement travel to the region there.
    mutating func startCrossings(now: FrameInstant) {
        for (id, avatar) in avatars where avatar.handoff == nil && !avatar.position.isInsideRegionSquare {
            let dx = squareStep(avatar.position.x)
            let dy = squareStep(avatar.position.y)
            guard let target = settings.handle.neighbour(dx: dx, dy: dy), known[target] != nil else {
                // The neighbour went away after the avatar stepped out: back inside.
                avatars[id]!.position = avatar.position.clampedInside(margin: 0.5)
                continue
            }
            let position = avatar.position + target.offset(from: settings.handle)
            startAvatarHandoff(id, to: target, kind: .crossing, position: position, requestID: 0, now: now)
        }
    }

    mutating func startAvatarHandoff(_ id: LocalID, to destination: RegionHandle, kind: HandoffOffer.Kind, position: Vector3, requestID: UInt32, now: FrameInstant) {
        guard let avatar = avatars[id], let manager = managerNames[avatar.manager] else { return }
        let handoffID = takeHandoffID()
        let state = TravellingAvatar(
            agentID: avatar.agentID, name: avatar.name, manager: manager, position: position,
            velocity: kind == .teleport ? .zero : avatar.velocity, rotation: avatar.rotation,
            intent: kind == .teleport ? .stop : avatar.intent, appliedSequence: avatar.lastSequence)
        let offer = HandoffOffer(
            handoffID: handoffID, source: settings.handle, destination: destination, kind: kind,
            startedMillis: now.wallMillis, traveller: .avatar(state))
        avatars[id]!.handoff = handoffID
        physics.membershipDirty = true
        let (machine, actions) = HandoffSource.start(handoffID)
        outgoing[handoffID] = OutgoingHandoff(
            machine: machine, offer: offer, traveller: id, manager: avatar.manager,
            requester: kind == .teleport ? id : nil, requestID: requestID)
        perform(actions, outgoing: handoffID, now: now.seconds)
    }

    /// `agent` and `manager` name who moved it (nil when physics carried it over the border).
    mutating func startObjectHandoff(_ id: LocalID, to destination: RegionHandle, position: Vector3, by agent: LocalID?, manager: ManagerID?, requestID: UInt32, now: FrameInstant) {
        guard objects[id] != nil, scripts.freezing[id] == nil else { return }
        if scriptsMustFreeze(id) {
            // Its scripts' exact state travels with it: captured first, then offered.
            freezeScripts(id, for: .crossing(destination: destination, position: position, agent: agent, manager: manager, requestID: requestID))
            return
        }
        beginObjectHandoff(id, to: destination, position: position, by: agent, manager: manager, requestID: requestID, now: now)
    }

    mutating func beginObjectHandoff(_ id: LocalID, to destination: RegionHandle, position: Vector3, by agent: LocalID?, manager: ManagerID?, requestID: UInt32, now: FrameInstant) {
        guard let object = objects[id], object.travelling == nil else { return }
        let handoffID = takeHandoffID()
        var record = object.record
        record.position = position
        let offer = HandoffOffer(
            handoffID: handoffID, source: settings.handle, destination: destination, kind: .crossing,
            startedMillis: now.wallMillis, traveller: .object(TravellingObject(record: record, stored: object.stored, velocity: object.velocity)))
        objects[id]!.travelling = handoffID
        physics.membershipDirty = true
        ghostObjectsChanged = true
        let (machine, actions) = HandoffSource.start(handoffID)
        outgoing[handoffID] = OutgoingHandoff(
            machine: machine, offer: offer, traveller: id, manager: manager, requester: agent, requestID: requestID)
        perform(actions, outgoing: handoffID, now: now.seconds)
    }

    mutating func takeHandoffID() -> HandoffID {
        defer { nextHandoff &+= 1 }
        return HandoffID(rawValue: nextHandoff)
    }

    /// Feeds one input to a source machine and carries out what it returns.
    mutating func sourceInput(_ input: HandoffSource.Input, _ id: HandoffID, now: Double) {
        guard outgoing[id] != nil else { return }
        if case .refused(let reason) = input { outgoing[id]!.refusal = reason }
        let actions = outgoing[id]!.machine.handle(input)
        perform(actions, outgoing: id, now: now)
    }

    private mutating func perform(_ actions: [HandoffSource.Action], outgoing id: HandoffID, now: Double) {
        for action in actions {
            guard let handoff = outgoing[id] else { return }
            switch action {
            case .sendOffer:
                pending.peer.append((handoff.destination, .handoffOffer(handoff.offer)))
            case .sendCancel:
                pending.peer.append((handoff.destination, .handoffSignal(signal(handoff.offer, to: handoff.destination, .cancel))))
            case .sendRoute(let localID):
                outgoing[id]!.destinationLocalID = localID
                route(id, localID: localID, now: now)
            case .sendQuery:
                query(id)
            case .armTimer:
                outgoing[id]!.deadline = now + HandoffTimeouts.source
            case .commit:
                committed(id)
                finish(id, now: now)
            case .resume:
                resumed(id)
                finish(id, now: now)
            case .drop:
                handoffCounters.dropped += 1
                removeEntity(handoff.traveller)
                finish(id, now: now)
            }
        }
    }

    private mutating func finish(_ id: HandoffID, now: Double) {
        outgoing[id]?.deadline = nil
        outgoing[id]?.finishedAt = now
    }

    /// An avatar asks its client manager to switch; an object's "route" is its storage row.
    private mutating func route(_ id: HandoffID, localID: LocalID, now: Double) {
        guard let handoff = outgoing[id] else { return }
        switch handoff.offer.traveller {
        case .avatar(let avatar):
            guard let manager = handoff.manager else { return }
            pending.direct.append((manager, .handoffSignal(signal(handoff.offer, to: settings.handle, .route(
                localID: localID, appliedSequence: avatar.appliedSequence, kind: handoff.offer.kind,
                startedMillis: handoff.offer.startedMillis, requestID: handoff.requestID)))))
        case .object(let object):
            if gridServicesAttached, object.stored {
                pending.effects.append(.moveObject(handoff: id, record: object.record, to: handoff.destination.gridPosition))
            } else {
                sourceInput(.routed, id, now: now)
            }
        }
    }

    private mutating func query(_ id: HandoffID) {
        guard let handoff = outgoing[id] else { return }
        switch handoff.offer.traveller {
        case .avatar:
            guard let manager = handoff.manager else { return }
            pending.direct.append((manager, .handoffSignal(signal(handoff.offer, to: settings.handle, .query))))
        case .object(let object):
            // Moving the row again is idempotent: it answers whether the row is the destination's.
            pending.effects.append(.moveObject(handoff: id, record: object.record, to: handoff.destination.gridPosition))
        }
    }

    private mutating func committed(_ id: HandoffID) {
        guard let handoff = outgoing[id] else { return }
        handoffCounters.committed += 1
        if handoff.isObject {
            // The row moved with the object: this region must not delete it at its next flush.
            pending.peer.append((handoff.destination, .handoffSignal(signal(handoff.offer, to: handoff.destination, .commit))))
            removeEntity(handoff.traveller, stored: false)
            if let requester = handoff.requester, let manager = handoff.manager {
                pending.replies.append((manager, CommandReply(agent: requester, requestID: handoff.requestID, outcome: .crossed(handoff.traveller))))
            }
        } else {
            removeEntity(handoff.traveller)
        }
    }

    /// The hand-off failed: the traveller is root here again, pushed back inside the border.
    private mutating func resumed(_ id: HandoffID) {
        guard let handoff = outgoing[id] else { return }
        handoffCounters.failed += 1
        let reason = handoff.refusal
        physics.membershipDirty = true
        if handoff.isObject {
            objects[handoff.traveller]?.travelling = nil
            scriptsReturned(handoff.traveller)
            if let object = objects[handoff.traveller], !object.position.isInsideRegionSquare {
                // Carried past the border by physics: it stays here, stopped just inside.
                objects[handoff.traveller]!.position = object.position.clampedInside(margin: 0.05)
                objects[handoff.traveller]!.velocity = .zero
                pending.movedObjects.append(handoff.traveller)
                // Still in the service's world when no frame went out meanwhile: put it there too.
                physicsPlace(handoff.traveller)
            }
            ghostObjectsChanged = true
            if let requester = handoff.requester, let manager = handoff.manager {
                pending.replies.append((manager, CommandReply(agent: requester, requestID: handoff.requestID, outcome: .failed(
                    code: ErrorCode.handoffFailed.rawValue, message: HandoffRefusal.explanation(reason, region: known[handoff.destination])))))
            }
            return
        }
        guard var avatar = avatars[handoff.traveller], avatar.handoff == id else { return }
        avatar.handoff = nil
        avatar.position = avatar.position.clampedInside(margin: 0.5)
        avatar.velocity = .zero
        avatar.intent = .stop
        avatars[handoff.traveller] = avatar
        physicsPlace(handoff.traveller)
        physicsIntentChanged(handoff.traveller)
        if let requester = handoff.requester {
            pending.replies.append((avatar.manager, CommandReply(agent: requester, requestID: handoff.requestID, outcome: .failed(
                code: ErrorCode.handoffFailed.rawValue, message: HandoffRefusal.explanation(reason, region: known[handoff.destination])))))
        } else {
            // A crossing: nobody asked, so the client manager tells the client (Error 27, request 0).
            pending.direct.append((avatar.manager, .handoffSignal(signal(handoff.offer, to: settings.handle, .failed(reason)))))
        }
    }

    func signal(_ offer: HandoffOffer, to: RegionHandle, _ step: HandoffSignal.Step) -> HandoffSignal {
        HandoffSignal(handoffID: offer.handoffID, subject: offer.traveller.subject, source: offer.source, destination: offer.destination, to: to, step: step)
    }
}

extension Vector3 {
    /// The nearest point at least `margin` metres inside the region's square.
    func clampedInside(margin: Float) -> Vector3 {
        Vector3(Swift.min(Swift.max(x, margin), regionSize - margin), Swift.min(Swift.max(y, margin), regionSize - margin), z)
    }
}
