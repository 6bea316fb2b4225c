import TesseraWire
import TesseraWorld

/// The region's side of the frame exchange with its physics service (docs/physics.md). The
/// generic part (attach, snapshot, in-flight window, late and stale answers, loss) is the
/// `FrameExchange` (docs/service-exchange.md); this keeps what is physics' own: which entities
/// the service's world holds, placements, pushes and contacts. The region never waits: each
/// frame it applies whatever answers came in, moves what the service does not (or everything,
/// kinematically, while the service is lost), and sends what changed since the last frame sent.
struct PhysicsBridge {
    var exchange: FrameExchange
    /// Entities in the service's world.
    var inWorld: Set<LocalID> = []
    /// Entities the service refused (moved kinematically until they leave).
    var refused: Set<LocalID> = []
    /// Set when something may have entered or left the physical world since the last frame sent.
    var membershipDirty = false
    var intentsChanged: Set<LocalID> = []
    var placements: [LocalID: PhysicsPlacement] = [:]
    /// The frame that carried each entity's latest placement: answers to earlier frames were
    /// computed before it and must not put the entity back.
    var placedIn: [LocalID: UInt64] = [:]
    var pushes: [PhysicsPush] = []
    /// The last contacts reported, newest last (for scripts to come, and tests).
    var recentContacts: [PhysicsContact] = []
    var contacts: UInt64 = 0
    var lastStepMicros: UInt32 = 0

    static let recentContactLimit = 64

    init(configured: Bool = false) {
        exchange = FrameExchange(configured: configured, maxInFlight: 4)
    }

    var attached: Bool { exchange.isAttached }

    /// Forgets what the service held (on loss, and before a snapshot).
    mutating func forgetWorld() {
        inWorld = []
        refused = []
        intentsChanged = []
        placements = [:]
        placedIn = [:]
        pushes = []
    }
}

extension PhysicsLinkStatus {
    init(_ bridge: PhysicsBridge) {
        self.init(link: bridge.exchange.status)
        bodies = UInt32(bridge.inWorld.count)
        contacts = bridge.contacts
        lastStepMicros = bridge.lastStepMicros
    }
}

extension Region {
    public var physicsStatus: PhysicsLinkStatus { PhysicsLinkStatus(physics) }

    /// The generic counters of the physics exchange (`stale` among them).
    public var physicsExchange: ServiceLinkStatus { physics.exchange.status }

    public var recentContacts: [PhysicsContact] { physics.recentContacts }

    /// The link reached the service: everything physical goes to it in one snapshot.
    mutating func physicsAttached() {
        physics.exchange.attach(at: frame)
    }

    /// The link went down: avatars move kinematically and physical objects stop where they
    /// are, until the service is back.
    mutating func physicsLost() {
        guard physics.exchange.lose() else { return }
        physics.forgetWorld()
        for (id, object) in objects where object.physical && object.velocity != .zero {
            objects[id]!.velocity = .zero
            pending.movedObjects.append(id)
        }
    }

    mutating func applyPhysics(_ result: PhysicsResult) {
        guard result.region == settings.handle, physics.exchange.receive(answerTo: result.frame, at: frame).apply else { return }
        physics.lastStepMicros = result.stepMicros
        for refusal in result.refused {
            if refusal.id == 0 {
                physics.exchange.requestSnapshot()
            } else if physics.inWorld.remove(refusal.id) != nil {
                physics.refused.insert(refusal.id)
            }
        }
        if !physics.placedIn.isEmpty {
            physics.placedIn = physics.placedIn.filter { $0.value > result.frame }
        }
        for state in result.bodies where physics.inWorld.contains(state.id) {
            // Placed since this answer was computed (or about to be): the placement wins.
            if physics.placements[state.id] != nil || physics.placedIn[state.id] != nil { continue }
            if let avatar = avatars[state.id], avatar.handoff == nil {
                avatars[state.id]!.position = state.position
                avatars[state.id]!.velocity = state.velocity
            } else if let object = objects[state.id], object.physical, object.travelling == nil {
                var state = state
                let ground = settings.terrain.height(at: state.position)
                if state.position.z < ground - 2 {
                    // Through the ground (a tunnelling body): back on top of it, stopped.
                    state.position.z = ground + object.scale.z / 2
                    state.velocity = .zero
                    objects[state.id]!.position = state.position
                    physicsPlace(state.id)
                }
                objects[state.id]!.position = state.position
                objects[state.id]!.rotation = state.rotation
                objects[state.id]!.velocity = state.velocity
                objects[state.id]!.dirty = true
                pending.movedObjects.append(state.id)
                ghostObjectsChanged = true
            }
        }
        if !result.contacts.isEmpty {
            for contact in result.contacts { scriptedContact(contact) }
            physics.contacts += UInt64(result.contacts.count)
            physics.recentContacts.append(contentsOf: result.contacts)
            if physics.recentContacts.count > PhysicsBridge.recentContactLimit {
                physics.recentContacts.removeFirst(physics.recentContacts.count - PhysicsBridge.recentContactLimit)
            }
        }
    }

    /// Whether an avatar's motion comes from the service this frame.
    func physicallyMoved(_ id: LocalID) -> Bool { physics.attached && physics.inWorld.contains(id) }

    /// Puts an entity somewhere at once in the service's world too (a teleport, a move).
    mutating func physicsPlace(_ id: LocalID) {
        guard physics.inWorld.contains(id) else { return }
        if let avatar = avatars[id] {
            physics.placements[id] = PhysicsPlacement(id: id, position: avatar.position, rotation: .identity, velocity: avatar.velocity)
        } else if let object = objects[id] {
            physics.placements[id] = PhysicsPlacement(id: id, position: object.position, rotation: object.rotation, velocity: object.velocity)
        }
    }

    mutating func physicsIntentChanged(_ id: LocalID) {
        if physics.attached { physics.intentsChanged.insert(id) }
    }

    /// After the service's answers: what is past a border with no region behind it is put
    /// back inside (a wall), and physical objects past a border with one cross into it.
    mutating func confinePhysical(now: FrameInstant) {
        guard physics.attached else { return }
        let handle = settings.handle
        let known = known
        for (id, avatar) in avatars where avatar.handoff == nil && !avatar.position.isInsideRegionSquare && physics.inWorld.contains(id) {
            let (blockX, blockY) = Self.walls(at: avatar.position, of: handle, known: known)
            guard blockX || blockY else { continue }
            var position = avatar.position
            var velocity = avatar.velocity
            if blockX { position.x = min(max(position.x, 0.1), regionSize - 0.1); velocity.x = 0 }
            if blockY { position.y = min(max(position.y, 0.1), regionSize - 0.1); velocity.y = 0 }
            avatars[id]!.position = position
            avatars[id]!.velocity = velocity
            physicsPlace(id)
        }
        for id in Set(pending.movedObjects) {
            guard let object = objects[id], object.physical, object.travelling == nil, !object.position.isInsideRegionSquare else { continue }
            let dx = squareStep(object.position.x)
            let dy = squareStep(object.position.y)
            // An object on its way into inventory stays here (a take and a crossing never overlap).
            if !object.beingTaken, let target = handle.neighbour(dx: dx, dy: dy), known[target] != nil {
                startObjectHandoff(id, to: target, position: object.position + target.offset(from: handle), by: nil, manager: nil, requestID: 0, now: now)
                continue
            }
            var position = object.position.clampedInside(margin: 0.05)
            position.z = object.position.z
            objects[id]!.position = position
            objects[id]!.velocity = .zero
            pending.movedObjects.append(id)
            physicsPlace(id)
        }
    }

    /// What this frame sends the service, or nil when nothing is attached or too many
    /// frames are unanswered (their changes then go with a later frame).
    mutating func takePhysicsFrame() -> PhysicsFrame? {
        guard let outgoing = physics.exchange.send(frame: frame) else { return nil }
        let elapsed = Float(outgoing.framesCovered) * settings.frameSeconds
        let seconds = min(max(elapsed, settings.frameSeconds), 0.25)
        if outgoing.snapshot {
            physics.membershipDirty = false
            physics.forgetWorld()
            let members = physicalMembers()
            physics.inWorld = Set(members)
            return PhysicsFrame(
                region: settings.handle, frame: frame, seconds: seconds, terrain: settings.terrain,
                added: members.compactMap(physicsBody), intents: members.compactMap(avatarIntent))
        }
        var added: [PhysicsBody] = []
        var removed: [LocalID] = []
        var intents: [AvatarIntent] = []
        if physics.membershipDirty {
            physics.membershipDirty = false
            let members = Set(physicalMembers())
            for id in physics.inWorld where !members.contains(id) { removed.append(id) }
            for id in members where !physics.inWorld.contains(id) {
                guard let body = physicsBody(id) else { continue }
                added.append(body)
                if let intent = avatarIntent(id) { intents.append(intent) }
            }
            physics.inWorld = members
        }
        for id in physics.intentsChanged where physics.inWorld.contains(id) {
            if let intent = avatarIntent(id) { intents.append(intent) }
        }
        physics.intentsChanged = []
        let placements = physics.placements.values.filter { physics.inWorld.contains($0.id) }
        physics.placements = [:]
        for placement in placements { physics.placedIn[placement.id] = frame }
        let pushes = physics.pushes.filter { physics.inWorld.contains($0.id) }
        physics.pushes = []
        return PhysicsFrame(
            region: settings.handle, frame: frame, seconds: seconds, added: added, removed: removed.sorted(),
            pushes: pushes, intents: intents, placements: placements.sorted { $0.id < $1.id })
    }

    /// Everything that belongs in the physical world now: avatars and objects not travelling,
    /// minus what the service refused.
    private func physicalMembers() -> [LocalID] {
        var members: [LocalID] = []
        members.reserveCapacity(avatars.count + objects.count)
        for (id, avatar) in avatars where avatar.handoff == nil && !physics.refused.contains(id) { members.append(id) }
        for (id, object) in objects where object.travelling == nil && !physics.refused.contains(id) { members.append(id) }
        return members.sorted()
    }

    private func physicsBody(_ id: LocalID) -> PhysicsBody? {
        if let avatar = avatars[id] {
            return PhysicsBody(
                id: id, kind: .avatar, shape: .cylinder, scale: Avatar.scale, position: avatar.position, velocity: avatar.velocity,
                mass: 80, friction: 0.2)
        }
        guard let object = objects[id] else { return nil }
        return PhysicsBody(
            id: id, kind: .prim, shape: object.shape, scale: object.scale, position: object.position, rotation: object.rotation,
            velocity: object.physical ? object.velocity : .zero, mass: object.physical ? object.mass : 0,
            friction: 0.6, restitution: object.physical ? 0.3 : 0.1, reportsContacts: object.reportsCollisions || scripts.scripted.contains(id))
    }

    private func avatarIntent(_ id: LocalID) -> AvatarIntent? {
        guard let avatar = avatars[id] else { return nil }
        return AvatarIntent(intent: avatar.intent, id: id)
    }
}

extension AvatarIntent {
    /// The same speeds as kinematic movement; climbing while not flying is a jump.
    init(intent: MovementIntent, id: LocalID) {
        let speed = intent.mode.speed
        let flying = intent.mode == .fly
        self.init(
            id: id,
            velocity: Vector3(speed * intent.heading.cosine, speed * intent.heading.sine, flying ? Float(intent.vertical) * MovementIntent.verticalFlySpeed : 0),
            flying: flying, jump: !flying && intent.vertical > 0)
    }
}

extension SceneObject {
    /// Kilograms: a density of 100 kg/m³ over the shape's volume (at least 0.1 kg).
    var mass: Float {
        let box = scale.x * scale.y * scale.z
        let volume: Float =
            switch shape {
            case .box: box
            case .sphere: box * .pi / 6
            case .cylinder: box * .pi / 4
            }
        return max(volume * 100, 0.1)
    }
}
