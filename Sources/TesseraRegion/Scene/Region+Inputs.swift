import Foundation
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

extension Region {
    mutating func apply(_ input: RegionInput, now: FrameInstant) {
        switch input {
        case .managerConnected(let manager):
            managers[manager] = true
        case .managerNamed(let manager, let name):
            managerNames[manager] = name
        case .managerDisconnected(let manager):
            managerLost(manager, now: now.seconds)
            managers[manager] = nil
            managerNames[manager] = nil
            for avatar in avatars.values where avatar.manager == manager {
                removeEntity(avatar.localID)
            }
        case .join(let manager, let join):
            admit(join, from: manager)
            if let id = agentIndex[join.agentID] { avatars[id]?.arrivedMillis = now.wallMillis }
        case .leave(let manager, let leave):
            guard let id = agentIndex[leave.agentID], avatars[id]?.manager == manager else { return }
            removeEntity(id)
        case .command(let manager, let input):
            guard let id = agentIndex[input.agentID], avatars[id]?.manager == manager else { return }
            avatars[id]!.lastSequence = max(avatars[id]!.lastSequence, input.sequence)
            run(input.command, by: id, manager: manager, now: now)
        case .rezResult(let agent, let manager, let requestID, let result):
            applyRezResult(result, agent: agent, manager: manager, requestID: requestID)
        case .takeResult(let agent, let manager, let requestID, let object, let result):
            applyTakeResult(result, object: object, agent: agent, manager: manager, requestID: requestID)
        case .regions(let regions):
            regionsChanged(regions, now: now.seconds)
        case .peer(let message):
            switch message {
            case .handoffOffer(let offer) where offer.destination == settings.handle: received(offer, now: now.seconds)
            case .handoffSignal(let signal) where signal.to == settings.handle: received(signal, from: nil, now: now.seconds)
            case .ghostFrame(let frame): received(frame)
            case .chatRelay(let relay): received(relay)
            default: break
            }
        case .managerSignal(let manager, let signal):
            guard signal.to == settings.handle else { return }
            received(signal, from: manager, now: now.seconds)
        case .serviceAttached(let service):
            serviceAttached(service)
        case .serviceLost(let service):
            serviceLost(service)
        case .physicsResult(let result):
            applyPhysics(result)
        case .scriptResult(let result):
            applyScripts(result)
        case .scriptReady(let agent, let manager, let requestID, let object, let result):
            applyScriptReady(result, object: object, agent: agent, manager: manager, requestID: requestID)
        case .objectMoved(let id, let result):
            switch result {
            case .success: sourceInput(.routed, id, now: now.seconds)
            case .failure(let status) where status.code == .serviceUnavailable:
                break // the timer asks again
            case .failure: sourceInput(.notRouted, id, now: now.seconds)
            }
        }
    }

    private mutating func admit(_ join: AgentJoin, from manager: ManagerID) {
        func refuse(_ message: String) {
            pending.direct.append((manager, .agentLeave(AgentLeave(
                region: settings.handle, agentID: join.agentID, reason: .refused, message: message
            ))))
        }
        guard managers[manager] != nil else { return }
        if let previous = agentIndex[join.agentID], let old = avatars[previous] {
            // A new login of the same account wins: the old avatar leaves, its client is told.
            removeEntity(previous)
            pending.direct.append((old.manager, .agentLeave(AgentLeave(
                region: settings.handle, agentID: join.agentID, reason: .replaced, message: "logged in again elsewhere"
            ))))
        }
        guard avatars.count < settings.maxAvatars else { return refuse("region is full") }
        let id = takeID()
        _ = slots.add(id)
        let avatar = Avatar(
            localID: id, agentID: join.agentID, name: join.name, manager: manager,
            position: spawnPoint(for: id), velocity: .zero, rotation: .identity
        )
        avatars[id] = avatar
        agentIndex[join.agentID] = id
        physics.membershipDirty = true
        pending.appeared.append(entityInfo(id)!)
        pending.direct.append((manager, .agentJoined(AgentJoined(
            region: settings.handle, agentID: join.agentID, localID: id, regionName: settings.name,
            frameRate: UInt16(settings.frameRate), viewDistance: settings.viewDistance
        ))))
    }

    /// Arrivals land at a point of a disc around the region's centre, spread by id (a
    /// deterministic hash, so tests can rely on it), so a crowd arriving together does not
    /// stack on one spot. The disc has `spawnRadius` metres.
    func spawnPoint(for id: LocalID) -> Vector3 {
        var hash = UInt64(id) &* 0x9E37_79B9_7F4A_7C15
        hash ^= hash >> 31
        hash = hash &* 0xBF58_476D_1CE4_E5B9
        hash ^= hash >> 29
        let angle = Float(hash & 0xFFFF) / 65536 * 2 * .pi
        // The square root spreads arrivals evenly over the disc's area, not its radius.
        let radius = settings.spawnRadius * (Float(hash >> 16 & 0xFFFF) / 65536).squareRoot()
        let centre = regionSize / 2
        let x = centre + radius * angle.cosine, y = centre + radius * angle.sine
        return Vector3(x, y, settings.terrain.height(x: x, y: y))
    }

    private mutating func run(_ command: AgentCommand, by id: LocalID, manager: ManagerID, now: FrameInstant) {
        if avatars[id]!.handoff != nil {
            // Travelling: the hand-off carried the state up to here, and the client manager
            // replays what follows to the destination. (A resume stops the avatar at the border.)
            return
        }
        switch command {
        case .move(let intent):
            guard intent.heading.isFinite else { return }
            avatars[id]!.intent = intent
            physicsIntentChanged(id)
        case .chat(let type, let channel, let text):
            speak(type, channel: channel, text: text, speaker: id)
        case .createObject(let requestID, let spec):
            let outcome = create(spec, by: avatars[id]!.agentID)
            pending.replies.append((manager, CommandReply(agent: id, requestID: requestID, outcome: outcome)))
        case .deleteObject(let requestID, let target):
            let outcome: CommandReply.Outcome
            if let object = objects[target] {
                if object.owner != avatars[id]!.agentID {
                    outcome = .failed(code: ErrorCode.notAllowed.rawValue, message: "object \(target) belongs to someone else")
                } else if object.beingTaken {
                    outcome = .failed(code: ErrorCode.notAllowed.rawValue, message: "object \(target) is being taken into inventory")
                } else if object.travelling != nil || scripts.freezing[target] != nil {
                    outcome = .failed(code: ErrorCode.notAllowed.rawValue, message: "object \(target) is crossing into another region")
                } else {
                    removeEntity(target)
                    outcome = .deleted(target)
                }
            } else if avatars[target] != nil {
                outcome = .failed(code: ErrorCode.notAllowed.rawValue, message: "entity \(target) is an avatar")
            } else {
                outcome = .failed(code: ErrorCode.unknownEntity.rawValue, message: "no object \(target) in this region")
            }
            pending.replies.append((manager, CommandReply(agent: id, requestID: requestID, outcome: outcome)))
        case .rez(let requestID, let item, let position):
            if let problem = rezProblem(at: position, by: avatars[id]!.agentID) {
                reply(problem, to: id, manager: manager, requestID: requestID)
            } else {
                pendingRezzes += 1
                pending.effects.append(.rez(
                    agent: id, manager: manager, requestID: requestID, account: avatars[id]!.agentID, item: item, position: position))
            }
        case .teleport(let requestID, let name, let gridPosition, let position):
            teleport(id, manager: manager, requestID: requestID, region: name, gridPosition: gridPosition, position: position, now: now)
        case .moveObject(let requestID, let target, let position):
            moveObject(target, to: position, by: id, manager: manager, requestID: requestID, now: now)
        case .push(let requestID, let target, let impulse):
            pending.replies.append((manager, CommandReply(agent: id, requestID: requestID, outcome: push(target, impulse: impulse))))
        case .take(let requestID, let target):
            if let object = objects[target], let problem = takeProblem(object, by: avatars[id]!.agentID) {
                reply(problem, to: id, manager: manager, requestID: requestID)
            } else if let object = objects[target] {
                objects[target]!.beingTaken = true
                let account = avatars[id]!.agentID
                if scriptsMustFreeze(target) {
                    // The scripts' exact state goes into inventory: captured first.
                    freezeScripts(target, for: .take(agent: id, manager: manager, requestID: requestID, account: account))
                } else {
                    pending.effects.append(.take(
                        agent: id, manager: manager, requestID: requestID, account: account, object: target, objectID: object.id,
                        look: object.look, contents: object.contents))
                }
            } else {
                reply(.callFailed(code: ErrorCode.unknownEntity.rawValue, message: "no object \(target) in this region"),
                      to: id, manager: manager, requestID: requestID)
            }
        }
    }

    private func rezProblem(at position: Vector3, by account: AgentID) -> CommandReply.Outcome? {
        guard gridServicesAttached else {
            return .callFailed(code: ErrorCode.serviceUnavailable.rawValue, message: "this region runs without grid services")
        }
        guard position.isFinite, position.isInsideRegionSquare, position.z >= 0, position.z < PackedPosition.maxAltitude else {
            return .callFailed(code: ErrorCode.invalidValue.rawValue, message: "position \(position.plainText) is outside the region")
        }
        guard objects.count + pendingRezzes < settings.maxObjects else {
            return .callFailed(code: ErrorCode.objectLimit.rawValue, message: "region holds its limit of \(settings.maxObjects) objects")
        }
        if let problem = quotaProblem(for: account) { return .callFailed(code: ErrorCode.objectLimit.rawValue, message: problem) }
        return nil
    }

    /// Why `owner` may not have one more object here, or nil. Counted only when the region
    /// holds at least the quota, so the common case costs nothing; rezzes on their way count
    /// against the region's limit, not the owner's.
    func quotaProblem(for owner: AgentID) -> String? {
        guard objects.count >= settings.maxObjectsPerOwner else { return nil }
        var owned = 0
        for object in objects.values where object.owner == owner {
            owned += 1
        }
        guard owned >= settings.maxObjectsPerOwner else { return nil }
        return "you have \(owned) objects in this region, the most one owner may have (\(settings.maxObjectsPerOwner))"
    }

    private func takeProblem(_ object: SceneObject, by account: AgentID) -> CommandReply.Outcome? {
        func refuse(_ code: ErrorCode, _ message: String) -> CommandReply.Outcome { .callFailed(code: code.rawValue, message: message) }
        guard gridServicesAttached else { return refuse(.serviceUnavailable, "this region runs without grid services") }
        guard object.owner == account else { return refuse(.notAllowed, "object \(object.localID) belongs to someone else") }
        guard !object.beingTaken else { return refuse(.notAllowed, "object \(object.localID) is already being taken") }
        guard object.travelling == nil, scripts.freezing[object.localID] == nil else {
            return refuse(.notAllowed, "object \(object.localID) is crossing into another region")
        }
        guard object.asset != nil, object.stored else {
            return refuse(.notAllowed, "object \(object.localID) was built in the world; only objects rezzed from inventory can be taken")
        }
        return nil
    }

    private mutating func create(_ spec: ObjectSpec, by creator: AgentID) -> CommandReply.Outcome {
        if let problem = Self.validate(spec) {
            return .failed(code: ErrorCode.invalidValue.rawValue, message: problem)
        }
        guard objects.count + pendingRezzes < settings.maxObjects else {
            return .failed(code: ErrorCode.objectLimit.rawValue, message: "region holds its limit of \(settings.maxObjects) objects")
        }
        if let problem = quotaProblem(for: creator) { return .failed(code: ErrorCode.objectLimit.rawValue, message: problem) }
        let record = SceneObjectRecord(
            id: UUID(), owner: creator, creator: creator, asset: nil, name: spec.name, shape: spec.shape,
            position: spec.position, rotation: spec.rotation, scale: spec.scale, masks: SceneObject.fullMasks,
            physical: spec.physical, reportsCollisions: spec.reportsCollisions)
        return .created(insertObject(record, stored: false))
    }

    /// An impulse for a physical object, given to the physics service with the next frame.
    private mutating func push(_ target: LocalID, impulse: Vector3) -> CommandReply.Outcome {
        func fail(_ code: ErrorCode, _ message: String) -> CommandReply.Outcome { .failed(code: code.rawValue, message: message) }
        guard let object = objects[target] else { return fail(.unknownEntity, "no object \(target) in this region") }
        guard object.physical else { return fail(.notAllowed, "object \(target) is not physical") }
        guard impulse.isFinite, impulse.length <= Self.maxImpulsePerKilogram * object.mass else {
            return fail(.invalidValue, "impulse must be finite and at most \(Int(Self.maxImpulsePerKilogram)) N·s per kg of the object (\(object.mass) kg)")
        }
        guard object.travelling == nil else { return fail(.notAllowed, "object \(target) is crossing into another region") }
        guard physics.inWorld.contains(target) else { return fail(.serviceUnavailable, "physics is not running in this region right now") }
        physics.pushes.append(PhysicsPush(id: target, kind: .impulse, vector: impulse))
        return .moved(target)
    }

    /// A push may change an object's speed by at most this many metres per second.
    static let maxImpulsePerKilogram: Float = 50

    static func validate(_ spec: ObjectSpec) -> String? {
        guard spec.position.isFinite, spec.position.isInsideRegionSquare,
            spec.position.z >= 0, spec.position.z < PackedPosition.maxAltitude
        else { return "position \(spec.position.plainText) is outside the region" }
        guard spec.rotation.isFinite, spec.rotation.lengthSquared > 1e-6 else {
            return "rotation is not a usable quaternion"
        }
        let bounds = SceneObject.minScale...SceneObject.maxScale
        guard bounds.contains(spec.scale.x), bounds.contains(spec.scale.y), bounds.contains(spec.scale.z) else {
            return "scale must be within \(SceneObject.minScale)...\(SceneObject.maxScale) m on each axis"
        }
        guard !spec.name.isEmpty else { return "name is empty" }
        return nil
    }

    /// Removes an avatar or object and tells every avatar that saw it. A stored object's row
    /// is deleted by the next flush, unless `stored` is false (a take already deleted it).
    mutating func removeEntity(_ id: LocalID, stored: Bool = true) {
        if let avatar = avatars.removeValue(forKey: id) {
            agentIndex[avatar.agentID] = nil
            // Gone while travelling (logged out, replaced by a new login): the hand-off ends
            // here, and the destination drops what it holds, so no route request can follow.
            if let handoff = avatar.handoff, outgoing[handoff]?.machine.isFinished == false {
                sourceInput(.managerLost, handoff, now: clockSeconds)
            }
            physics.membershipDirty = true
        } else if let object = objects.removeValue(forKey: id) {
            scriptsLeft(object)
            physics.membershipDirty = true
            objectIndex[object.id] = nil
            ghostObjectsChanged = true
            if stored, object.stored { deletedStored.append(object.id) }
        } else if let ghost = ghosts.removeValue(forKey: id) {
            ghostIndex[ghost.key] = nil
        } else {
            return
        }
        published[id] = nil
        pending.removed.append(id)
        pending.interest[id] = nil
        guard let slot = slots.slot(of: id) else { return }
        for (watcher, avatar) in avatars where avatar.visible.contains(slot) {
            avatars[watcher]!.visible.remove(slot)
            pending.interest[watcher, default: ([], [])].left.append(id)
        }
        slots.remove(id)
    }

    /// Chat on the public channel reaches every avatar within the type's range, the speaker
    /// included. Other channels are for listeners (scripts) and reach no avatar.
    mutating func speak(_ type: ChatType, channel: Int32, text: String, speaker: LocalID) {
        guard let source = avatars[speaker], !text.isEmpty, type.spokenByAvatars else { return }
        var recipients: [LocalID] = []
        if channel == ChatChannel.publicChannel {
            let rangeSquared = type.range * type.range
            // A linear scan: chat is rare next to frames, and the grid is rebuilt after inputs.
            for (candidate, listener) in avatars
            where listener.position.distanceSquared(to: source.position) <= rangeSquared {
                recipients.append(candidate)
            }
            if !recipients.contains(speaker) { recipients.append(speaker) }
        }
        if channel == ChatChannel.publicChannel { relay(type, channel: channel, text: text, speaker: speaker, name: source.name, at: source.position) }
        scriptsHear(type, channel: channel, text: text, speaker: source.agentID, name: source.name, object: nil, at: source.position)
        guard !recipients.isEmpty else { return }
        pending.chat.append(ChatDelivery(
            speaker: speaker, speakerName: source.name, type: type, channel: channel,
            position: PackedPosition(source.position), text: text, recipients: recipients.sorted()
        ))
    }
}
