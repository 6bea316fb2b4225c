import Crypto
import DequeModule
import Foundation
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

/// The region's side of the frame exchange with its script service (docs/scripts.md). The
/// region never waits: each frame it applies what the scripts did (effects, checkpoints,
/// errors), and sends the service what happened to them (events, chat on channels they
/// listen to, poses of scripted objects, scripts added, removed, frozen or controlled).
struct ScriptsBridge {
    /// Attach, window, snapshot and answer rules (docs/service-exchange.md).
    var exchange = FrameExchange(configured: false)
    /// The region's own script figures.
    var status = ScriptsStatus()

    /// Objects holding at least one script.
    var scripted: Set<LocalID> = []
    /// Sources the service has been sent since its last snapshot.
    var programsSent: Set<AssetID> = []
    var added: [ScriptInstance] = []
    var removed: [ScriptKey] = []
    var frozen: [ScriptKey] = []
    var control: [ScriptControl] = []
    var posesChanged: Set<LocalID> = []
    /// Events waiting for the next frame sent (held while the service is away), oldest first.
    var events = Deque<ScriptEventDelivery>()
    var chat: [ChatHeard] = []
    /// Events of frames sent and not answered: a loss sends them again after the snapshot.
    var inFlight = Deque<(frame: UInt64, events: [ScriptEventDelivery])>()
    /// Per scripted object and script item, the channels it listens on.
    var listens: [LocalID: [UUID: [Int32]]] = [:]
    /// How many scripts listen on each channel (chat on other channels never goes to the service).
    var listenedChannels: [Int32: Int] = [:]
    /// Objects whose scripts are being captured before they cross or are taken.
    var freezing: [LocalID: ScriptFreeze] = [:]
    /// The last error of each script (for the contents listing).
    var lastErrors: [ScriptKey: String] = [:]
    /// Scripts whose source did not compile (they do not run until replaced or reset).
    var compileFailed: Set<ScriptKey> = []
    /// Objects whose scripts get `changed(CHANGED_REGION_START)` once the service has them.
    var regionStarted = false

    /// Events held for the service, region-wide and per object.
    static let maxHeldEvents = 4096
    static let maxHeldEventsPerObject = 64
    /// Seconds a crossing or a take waits for the scripts' captures before it goes on with
    /// their last checkpoint.
    static let freezeTimeout: Double = 1
    /// Metres a script may move its object in one call (`llSetPos`).
    static let maxScriptMove: Float = 10
    /// Metres from the object within which `llRezObject` may place what it rezzes.
    static let maxRezDistance: Float = 10
    /// Sensor matches reported, nearest first (as in Second Life).
    static let maxSensed = 16
    static let maxSensorRange: Float = 96

    var attached: Bool { exchange.isAttached }
    var configured: Bool { exchange.status.state != .none }
}

/// A crossing or a take waiting for the scripts of the object to be captured.
struct ScriptFreeze {
    enum Purpose {
        case crossing(destination: RegionHandle, position: Vector3, agent: LocalID?, manager: ManagerID?, requestID: UInt32)
        case take(agent: LocalID, manager: ManagerID, requestID: UInt32, account: AgentID)
    }

    var purpose: Purpose
    /// Script items whose capture has not come yet.
    var waiting: Set<UUID>
    var deadline: Double
}

/// LSL's `changed` bits the region sends.
enum ScriptChange {
    static let inventory: Int32 = 0x1
    static let region: Int32 = 0x100
    static let regionStart: Int32 = 0x400
}

extension Region {
    public var scriptsStatus: ScriptsStatus {
        var status = scripts.status
        status.link = scripts.exchange.status
        status.scriptedObjects = UInt32(scripts.scripted.count)
        status.heldEvents = UInt32(scripts.events.count)
        return status
    }

    // MARK: The link

    /// The link reached the service: every script of the region goes to it in one snapshot.
    mutating func scriptsAttached() {
        scripts.exchange.attach(at: frame)
    }

    /// The link went down: objects stay, scripts pause. Events of unanswered frames wait
    /// again (they may run twice: the service resumes from its last checkpoint), crossings and
    /// takes waiting for captures go on with the last checkpoints.
    mutating func scriptsLost() {
        guard scripts.exchange.lose() else { return }
        for (_, events) in scripts.inFlight.reversed() {
            for event in events.reversed() { scripts.events.prepend(event) }
        }
        scripts.inFlight = []
        trimHeldEvents()
        scripts.added = []
        scripts.removed = []
        scripts.frozen = []
        scripts.control = []
        scripts.chat = []
        scripts.posesChanged = []
        scripts.programsSent = []
        for id in Array(scripts.freezing.keys) { finishFreeze(id) }
    }

    /// Applies the service's answer to one of the region's frames.
    mutating func applyScripts(_ result: ScriptResult) {
        guard result.region == settings.handle, scripts.exchange.receive(answerTo: result.frame, at: frame).apply else { return }
        while let first = scripts.inFlight.first, first.frame <= result.frame { scripts.inFlight.removeFirst() }
        scripts.status.lastRunMicros = result.runMicros
        scripts.status.runMicrosTotal &+= UInt64(result.runMicros)
        scripts.status.service = result.stats
        for capture in result.captures { applyCapture(capture) }
        for record in result.effects { applyEffect(record.effect, of: record.key) }
        for diagnostic in result.diagnostics { report(diagnostic) }
    }

    private mutating func applyCapture(_ capture: ScriptCapture) {
        guard let id = objectIndex[capture.key.object], let index = objects[id]?.contents.firstIndex(where: { $0.id == capture.key.item }) else {
            return
        }
        guard capture.state.count <= ContentItem.maxStateBytes else { return }
        if objects[id]!.contents[index].state != capture.state {
            objects[id]!.contents[index].state = capture.state
            objects[id]!.dirty = true
        }
        scripts.status.checkpoints += 1
        if capture.frozen, var freeze = scripts.freezing[id] {
            freeze.waiting.remove(capture.key.item)
            scripts.freezing[id] = freeze
            if freeze.waiting.isEmpty { finishFreeze(id) }
        }
    }

    private mutating func report(_ diagnostic: ScriptDiagnostic) {
        let text = diagnostic.lines.joined(separator: "\n")
        scripts.lastErrors[diagnostic.key] = text
        if diagnostic.compile { scripts.compileFailed.insert(diagnostic.key) }
        scripts.status.errors += 1
        guard let id = objectIndex[diagnostic.key.object], let object = objects[id],
            let item = object.contents.first(where: { $0.id == diagnostic.key.item })
        else { return }
        // Told to the owner when they are in the region; kept for the contents listing anyway.
        guard let ownerID = agentIndex[object.owner], let owner = avatars[ownerID] else { return }
        pending.scriptNotices.append((owner.manager, ScriptNotice(
            agent: ownerID, object: id, objectName: object.name, item: item.name, compile: diagnostic.compile, lines: diagnostic.lines)))
    }

    /// What this frame sends the service, or nil when nothing is attached or too many frames
    /// are unanswered (what it would carry then goes with a later frame).
    mutating func takeScriptFrame(now: FrameInstant) -> ScriptFrame? {
        guard let outgoing = scripts.exchange.send(frame: frame) else { return nil }
        var message = ScriptFrame(region: settings.handle, frame: frame, timeMillis: now.wallMillis)
        if outgoing.snapshot {
            message.regionName = settings.name
            // Every script restored by the service tells its listen channels again.
            scripts.listens = [:]
            scripts.listenedChannels = [:]
            scripts.programsSent = []
            scripts.added = []
            scripts.removed = []
            scripts.frozen = []
            scripts.control = []
            scripts.posesChanged = []
            message.snapshot = true
            for id in scripts.scripted.sorted() {
                guard let object = objects[id], object.travelling == nil, scripts.freezing[id] == nil else { continue }
                message.added.append(contentsOf: instances(of: object))
                message.poses.append(pose(of: object))
            }
        } else {
            message.added = scripts.added
            message.removed = scripts.removed
            message.frozen = scripts.frozen
            message.control = scripts.control
            message.poses = scripts.posesChanged.sorted().compactMap { objects[$0].map(pose) }
            scripts.added = []
            scripts.removed = []
            scripts.frozen = []
            scripts.control = []
            scripts.posesChanged = []
        }
        message.programs = programs(for: message.added)
        if scripts.regionStarted {
            scripts.regionStarted = false
            for id in scripts.scripted.sorted() {
                guard let object = objects[id] else { continue }
                scripts.events.append(ScriptEventDelivery(object: object.id, name: "changed", arguments: [.integer(ScriptChange.regionStart)]))
            }
        }
        message.events = Array(scripts.events)
        scripts.events = []
        message.chat = scripts.chat
        scripts.chat = []
        if !message.events.isEmpty { scripts.inFlight.append((frame, message.events)) }
        return message
    }

    /// The sources of the added scripts that the service has not been sent since its snapshot.
    private mutating func programs(for added: [ScriptInstance]) -> [ScriptProgram] {
        var programs: [ScriptProgram] = []
        for instance in added where !scripts.programsSent.contains(instance.program) {
            guard let id = objectIndex[instance.key.object],
                let source = objects[id]?.contents.first(where: { $0.id == instance.key.item })?.source
            else { continue }
            scripts.programsSent.insert(instance.program)
            programs.append(ScriptProgram(hash: instance.program, source: source))
        }
        return programs
    }

    func instances(of object: SceneObject, startParameter: Int32 = 0) -> [ScriptInstance] {
        object.contents.compactMap { item in
            guard item.kind == .script, item.source != nil else { return nil }
            return ScriptInstance(
                key: ScriptKey(object: object.id, item: item.id), objectLocal: object.localID, name: item.name, program: item.asset,
                owner: object.owner, objectName: object.name, running: item.running, state: item.state, startParameter: startParameter)
        }
    }

    func pose(of object: SceneObject) -> ObjectPose {
        ObjectPose(object: object.id, local: object.localID, position: object.position, rotation: object.rotation, velocity: object.velocity, scale: object.scale)
    }

    // MARK: The scene's side

    /// An object entered the scene (restored, rezzed, arrived, built): its scripts start or resume.
    mutating func scriptsArrived(_ id: LocalID, startParameter: Int32? = nil, crossed: Bool = false) {
        guard let object = objects[id], object.contents.contains(where: { $0.kind == .script }) else { return }
        scripts.scripted.insert(id)
        guard scripts.attached, !scripts.exchange.needsSnapshot else { return }
        scripts.added.append(contentsOf: instances(of: object, startParameter: startParameter ?? 0))
        scripts.posesChanged.insert(id)
        if let startParameter {
            queueEvent(ScriptEventDelivery(object: object.id, name: "on_rez", arguments: [.integer(startParameter)]), for: id)
        }
        if crossed {
            queueEvent(ScriptEventDelivery(object: object.id, name: "changed", arguments: [.integer(ScriptChange.region)]), for: id)
        }
    }

    /// An object left the scene: its scripts go too (a crossing or a take captured them first).
    mutating func scriptsLeft(_ object: SceneObject) {
        guard scripts.scripted.remove(object.localID) != nil else { return }
        if let listens = scripts.listens.removeValue(forKey: object.localID) {
            for channels in listens.values { unlisten(channels) }
        }
        scripts.freezing[object.localID] = nil
        scripts.posesChanged.remove(object.localID)
        for item in object.contents where item.kind == .script {
            scripts.lastErrors[ScriptKey(object: object.id, item: item.id)] = nil
        }
        scripts.events.removeAll { $0.object == object.id }
        guard scripts.attached else { return }
        for item in object.contents where item.kind == .script {
            scripts.removed.append(ScriptKey(object: object.id, item: item.id))
        }
    }

    /// Notes scripted objects that moved (the service mirrors their poses for `llGetPos`).
    mutating func noteScriptedMoves(_ ids: [LocalID]) {
        guard !scripts.scripted.isEmpty else { return }
        for id in ids where scripts.scripted.contains(id) { scripts.posesChanged.insert(id) }
    }

    /// Queues an event, or drops it (counted) when the object's or the region's share of held
    /// events is full.
    mutating func queueEvent(_ event: ScriptEventDelivery, for id: LocalID) {
        guard scripts.configured else { return }
        if scripts.events.count >= ScriptsBridge.maxHeldEvents
            || (!scripts.attached && scripts.events.lazy.filter({ $0.object == event.object }).count >= ScriptsBridge.maxHeldEventsPerObject)
        {
            scripts.status.eventsDropped += 1
            return
        }
        scripts.events.append(event)
    }

    private mutating func trimHeldEvents() {
        while scripts.events.count > ScriptsBridge.maxHeldEvents {
            scripts.events.removeLast()
            scripts.status.eventsDropped += 1
        }
    }

    /// A touch starts or ends on an object: its scripts hear it with the toucher detected.
    mutating func touch(_ target: LocalID, by agent: LocalID, started: Bool) {
        guard scripts.scripted.contains(target), let object = objects[target], let avatar = avatars[agent] else { return }
        let detected = DetectedInfo(
            key: avatar.agentID, name: avatar.name, owner: avatar.agentID, kind: DetectedInfo.agent, position: avatar.position,
            rotation: avatar.rotation, velocity: avatar.velocity, touchFace: 0)
        queueEvent(ScriptEventDelivery(object: object.id, name: started ? "touch_start" : "touch_end", arguments: [.integer(1)], detected: [detected]), for: target)
    }

    /// Physics reported a contact of a scripted object starting or ending.
    mutating func scriptedContact(_ contact: PhysicsContact) {
        for (body, other) in [(contact.body, contact.other), (contact.other, contact.body)] where scripts.scripted.contains(body) {
            guard let object = objects[body] else { continue }
            let detected = detectedInfo(other) ?? DetectedInfo(key: Self.nobody, name: "", owner: Self.nobody, kind: DetectedInfo.passive, position: object.position)
            queueEvent(ScriptEventDelivery(
                object: object.id, name: contact.started ? "collision_start" : "collision_end", arguments: [.integer(1)], detected: [detected]), for: body)
        }
    }

    static let nobody = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// What `llDetected*` tells about an avatar or object of the scene.
    func detectedInfo(_ id: LocalID) -> DetectedInfo? {
        if let avatar = avatars[id] {
            return DetectedInfo(
                key: avatar.agentID, name: avatar.name, owner: avatar.agentID, kind: DetectedInfo.agent, position: avatar.position,
                rotation: avatar.rotation, velocity: avatar.velocity)
        }
        guard let object = objects[id] else { return nil }
        var kind = object.physical ? DetectedInfo.active : DetectedInfo.passive
        if scripts.scripted.contains(id) { kind |= DetectedInfo.scripted }
        return DetectedInfo(
            key: object.id, name: object.name, owner: object.owner, kind: kind, position: object.position, rotation: object.rotation,
            velocity: object.velocity)
    }

    /// Chat said in the region: scripts hear it when one listens on its channel.
    mutating func scriptsHear(_ type: ChatType, channel: Int32, text: String, speaker: UUID, name: String, object: UUID?, at position: Vector3) {
        guard scripts.configured, scripts.listenedChannels[channel] != nil else { return }
        guard scripts.chat.count < ScriptsBridge.maxHeldEvents else {
            scripts.status.eventsDropped += 1
            return
        }
        scripts.chat.append(ChatHeard(channel: channel, type: type, speaker: speaker, speakerName: name, speakerObject: object, position: position, text: text))
    }

    private mutating func unlisten(_ channels: [Int32]) {
        for channel in channels {
            let count = (scripts.listenedChannels[channel] ?? 0) - 1
            scripts.listenedChannels[channel] = count > 0 ? count : nil
        }
    }

    // MARK: Effects

    private mutating func applyEffect(_ effect: ScriptEffect, of key: ScriptKey) {
        guard let id = objectIndex[key.object], let object = objects[id], object.travelling == nil,
            object.contents.contains(where: { $0.id == key.item })
        else {
            scripts.status.effectsRefused += 1
            return
        }
        scripts.status.effects += 1
        switch effect {
        case .say(let channel, let type, let text):
            objectSays(id, type: type, channel: channel, text: text)
        case .ownerSay(let text):
            guard let owner = agentIndex[object.owner], let avatar = avatars[owner], !text.isEmpty else { return }
            pending.chat.append(ChatDelivery(
                speaker: id, speakerName: object.name, type: .ownerSay, channel: ChatChannel.publicChannel,
                position: PackedPosition(object.position), text: text, recipients: [avatar.localID], speakerKind: .object))
        case .listenChannels(let channels):
            let unique = Array(Set(channels)).sorted()
            let previous = scripts.listens[id]?[key.item] ?? []
            unlisten(previous)
            for channel in unique { scripts.listenedChannels[channel, default: 0] += 1 }
            scripts.listens[id, default: [:]][key.item] = unique.isEmpty ? nil : unique
        case .setPosition(let target):
            guard target.isFinite, scripts.freezing[id] == nil else { return refuse() }
            var position = target
            let step = position - object.position
            if step.length > ScriptsBridge.maxScriptMove { position = object.position + step * (ScriptsBridge.maxScriptMove / step.length) }
            position = position.clampedInside(margin: 0.05)
            position.z = min(max(position.z, 0), PackedPosition.maxAltitude - 1)
            moveScripted(id, to: position)
        case .setRotation(let rotation):
            guard rotation.isFinite, rotation.lengthSquared > 1e-6 else { return refuse() }
            objects[id]!.rotation = rotation.normalized
            objects[id]!.dirty = true
            pending.movedObjects.append(id)
            physicsPlace(id)
            scripts.posesChanged.insert(id)
        case .setText(let text, let color, let alpha):
            var look = object.look
            look.text = text
            look.textColor = color
            look.textAlpha = alpha
            setLook(id, look)
        case .setColor(let color, let alpha):
            var look = object.look
            look.color = color
            look.alpha = alpha
            setLook(id, look)
        case .applyImpulse(let impulse):
            guard object.physical, impulse.isFinite, physics.inWorld.contains(id) else { return refuse() }
            let limit = Self.maxImpulsePerKilogram * object.mass
            let scaled = impulse.length > limit ? impulse * (limit / impulse.length) : impulse
            physics.pushes.append(PhysicsPush(id: id, kind: .impulse, vector: scaled))
        case .setPhysical(let physical):
            guard object.physical != physical else { return }
            objects[id]!.physical = physical
            objects[id]!.dirty = true
            if !physical, object.velocity != .zero {
                objects[id]!.velocity = .zero
                pending.movedObjects.append(id)
            }
            physicsRebuild(id)
        case .rez(let name, let position, let velocity, let rotation, let parameter):
            rezFromContents(id, item: name, position: position, velocity: velocity, rotation: rotation, parameter: parameter, by: key)
        case .die:
            removeEntity(id)
        case .sensor(let name, let target, let kind, let range, let arc):
            sense(from: id, for: key, name: name, key: target, kind: kind, range: range, arc: arc)
        }

        func refuse() { scripts.status.effectsRefused += 1 }
    }

    /// Chat from an object: avatars in range hear channel 0; scripts listening hear any channel.
    mutating func objectSays(_ id: LocalID, type: ChatType, channel: Int32, text: String) {
        guard let object = objects[id], !text.isEmpty else { return }
        if channel == ChatChannel.publicChannel, type != .regionSay, type != .ownerSay {
            let rangeSquared = type.range * type.range
            var recipients: [LocalID] = []
            for (candidate, listener) in avatars where listener.position.distanceSquared(to: object.position) <= rangeSquared {
                recipients.append(candidate)
            }
            if !recipients.isEmpty {
                pending.chat.append(ChatDelivery(
                    speaker: id, speakerName: object.name, type: type, channel: channel, position: PackedPosition(object.position),
                    text: text, recipients: recipients.sorted(), speakerKind: .object))
            }
        }
        scriptsHear(type, channel: channel, text: text, speaker: object.id, name: object.name, object: object.id, at: object.position)
    }

    private mutating func moveScripted(_ id: LocalID, to position: Vector3) {
        objects[id]!.position = position
        objects[id]!.dirty = true
        pending.movedObjects.append(id)
        ghostObjectsChanged = true
        physicsPlace(id)
        scripts.posesChanged.insert(id)
    }

    private mutating func setLook(_ id: LocalID, _ look: ObjectLook) {
        let look = look.clamped()
        guard objects[id]!.look != look else { return }
        objects[id]!.look = look
        objects[id]!.dirty = true
        pending.looks[id] = look
    }

    /// `llRezObject`: a new object from the template of a contents item, near the rezzing one.
    private mutating func rezFromContents(_ id: LocalID, item name: String, position: Vector3, velocity: Vector3, rotation: Quaternion, parameter: Int32, by key: ScriptKey) {
        let object = objects[id]!
        func fail(_ message: String) {
            scripts.status.effectsRefused += 1
            report(ScriptDiagnostic(key: key, owner: object.owner, compile: false, lines: ["llRezObject: \(message)"]))
        }
        guard let item = object.contents.first(where: { $0.name == name }), item.kind == .object, let template = item.template else {
            return fail("no object named \"\(name)\" in the contents of \(object.name)")
        }
        guard position.isFinite, velocity.isFinite, rotation.isFinite else { return fail("position, velocity and rotation must be finite") }
        guard position.distance(to: object.position) <= ScriptsBridge.maxRezDistance else {
            return fail("the position is more than \(Int(ScriptsBridge.maxRezDistance)) m from the object")
        }
        guard position.isInsideRegionSquare, position.z >= 0, position.z < PackedPosition.maxAltitude else {
            return fail("the position is outside the region")
        }
        guard objects.count + pendingRezzes < settings.maxObjects else { return fail("the region holds its limit of \(settings.maxObjects) objects") }
        if let problem = quotaProblem(for: object.owner) { return fail(problem) }
        let speed = velocity.length
        let maxSpeed: Float = 200
        let contents = template.contents.map { script in
            var copy = script
            copy.id = UUID()
            copy.state = nil
            return copy
        }
        let record = SceneObjectRecord(
            id: UUID(), owner: object.owner, creator: object.creator, asset: nil, name: template.name, shape: template.shape,
            position: position, rotation: rotation.lengthSquared > 1e-6 ? rotation.normalized : .identity, scale: template.scale,
            masks: object.masks, physical: template.physical, reportsCollisions: template.reportsCollisions, look: template.look.clamped(),
            contents: contents)
        let rezzed = insertObject(record, stored: false, startParameter: parameter)
        if template.physical {
            objects[rezzed]!.velocity = speed > maxSpeed ? velocity * (maxSpeed / speed) : velocity
        }
        scripts.status.rezzed += 1
    }

    /// One sensor sweep from `id`, answered to the asking script with the next frame.
    private mutating func sense(from id: LocalID, for key: ScriptKey, name: String, key target: UUID?, kind: UInt8, range: Float, arc: Float) {
        guard let object = objects[id] else { return }
        let range = range.isFinite ? min(max(range, 0), ScriptsBridge.maxSensorRange) : 0
        let arc = arc.isFinite ? min(max(arc, 0), .pi) : 0
        let rangeSquared = range * range
        let forward = object.rotation.forward
        var found: [(Float, DetectedInfo)] = []
        func consider(_ candidate: LocalID) {
            guard candidate != id, let info = detectedInfo(candidate), info.kind & kind != 0 else { return }
            if !name.isEmpty, info.name != name { return }
            if let target, info.key != target { return }
            let offset = info.position - object.position
            let distanceSquared = offset.distanceSquared(to: .zero)
            guard distanceSquared <= rangeSquared else { return }
            if arc < .pi, distanceSquared > 1e-6 {
                let cosine = (offset.x * forward.x + offset.y * forward.y + offset.z * forward.z) / distanceSquared.squareRoot()
                guard cosine >= arc.cosine else { return }
            }
            found.append((distanceSquared, info))
        }
        if kind & DetectedInfo.agent != 0 { for candidate in avatars.keys where avatars[candidate]!.handoff == nil { consider(candidate) } }
        if kind & (DetectedInfo.active | DetectedInfo.passive | DetectedInfo.scripted) != 0 {
            for candidate in objects.keys where objects[candidate]!.travelling == nil { consider(candidate) }
        }
        found.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1.key.uuidString < $1.1.key.uuidString) }
        let detected = found.prefix(ScriptsBridge.maxSensed).map(\.1)
        let event = detected.isEmpty
            ? ScriptEventDelivery(object: key.object, item: key.item, name: "no_sensor")
            : ScriptEventDelivery(object: key.object, item: key.item, name: "sensor", arguments: [.integer(Int32(detected.count))], detected: Array(detected))
        queueEvent(event, for: id)
    }

    // MARK: Crossings and takes wait for the scripts' state

    /// Whether the object's scripts must be captured before it leaves (the service runs them now).
    func scriptsMustFreeze(_ id: LocalID) -> Bool {
        scripts.attached && scripts.scripted.contains(id) && scripts.freezing[id] == nil
    }

    /// Asks the service for the captures of the object's scripts; `purpose` goes on when they come.
    mutating func freezeScripts(_ id: LocalID, for purpose: ScriptFreeze.Purpose) {
        guard let object = objects[id] else { return }
        let items = object.contents.filter { $0.kind == .script && $0.source != nil }.map(\.id)
        scripts.freezing[id] = ScriptFreeze(purpose: purpose, waiting: Set(items), deadline: clockSeconds + ScriptsBridge.freezeTimeout)
        scripts.frozen.append(contentsOf: items.map { ScriptKey(object: object.id, item: $0) })
        scripts.status.freezes += 1
        if items.isEmpty { finishFreeze(id) }
    }

    mutating func expireScriptFreezes(now: Double) {
        for (id, freeze) in scripts.freezing where freeze.deadline <= now {
            scripts.status.freezeTimeouts += 1
            finishFreeze(id)
        }
    }

    /// The captures came (or will not): the crossing or take goes on with the states the object holds.
    private mutating func finishFreeze(_ id: LocalID) {
        guard let freeze = scripts.freezing.removeValue(forKey: id), let object = objects[id] else { return }
        // The service let the scripts go: the object is no longer theirs until it comes back.
        if let listens = scripts.listens.removeValue(forKey: id) {
            for channels in listens.values { unlisten(channels) }
        }
        switch freeze.purpose {
        case .crossing(let destination, let position, let agent, let manager, let requestID):
            beginObjectHandoff(id, to: destination, position: position, by: agent, manager: manager, requestID: requestID, now: FrameInstant(seconds: clockSeconds, wallMillis: clockMillis))
        case .take(let agent, let manager, let requestID, let account):
            pending.effects.append(.take(
                agent: agent, manager: manager, requestID: requestID, account: account, object: id, objectID: object.id,
                look: object.look, contents: object.contents))
        }
    }

    /// A crossing or a take did not happen: the object's scripts run here again from the
    /// state they were captured in.
    mutating func scriptsReturned(_ id: LocalID) {
        guard scripts.scripted.contains(id), let object = objects[id], scripts.attached, !scripts.exchange.needsSnapshot else { return }
        if let listens = scripts.listens.removeValue(forKey: id) {
            for channels in listens.values { unlisten(channels) }
        }
        scripts.added.append(contentsOf: instances(of: object))
        scripts.posesChanged.insert(id)
    }

    // MARK: Contents

    /// Adds a script to an object's contents; the reason it cannot, as a reply, otherwise.
    mutating func addScript(_ item: ContentItem, to id: LocalID) -> CommandReply.Outcome? {
        func refuse(_ code: ErrorCode, _ message: String) -> CommandReply.Outcome { .failed(code: code.rawValue, message: message) }
        guard let object = objects[id] else { return refuse(.unknownEntity, "no object \(id) in this region") }
        guard object.travelling == nil, scripts.freezing[id] == nil, !object.beingTaken else {
            return refuse(.notAllowed, "object \(id) is busy (being taken or crossing)")
        }
        guard !object.contents.contains(where: { $0.name == item.name }) else {
            return refuse(.invalidValue, "object \(id) already has an item named \"\(item.name)\"")
        }
        guard object.contents.count < ContentItem.maxItems else {
            return refuse(.objectLimit, "object \(id) holds \(ContentItem.maxItems) items, the most an object may")
        }
        objects[id]!.contents = object.contents + [item]
        objects[id]!.dirty = true
        scripts.status.scriptsAdded += 1
        if scripts.scripted.insert(id).inserted, physics.inWorld.contains(id) {
            // A scripted object's body reports its contacts (collision events): built again.
            physicsRebuild(id)
        }
        if scripts.attached, !scripts.exchange.needsSnapshot, item.source != nil {
            scripts.added.append(ScriptInstance(
                key: ScriptKey(object: object.id, item: item.id), objectLocal: id, name: item.name, program: item.asset,
                owner: object.owner, objectName: object.name, running: item.running, state: item.state))
            scripts.posesChanged.insert(id)
        }
        contentsChanged(id, except: item.id)
        return nil
    }

    /// Removes a contents item by name.
    mutating func removeContent(named name: String, from id: LocalID) -> Bool {
        guard let object = objects[id], let index = object.contents.firstIndex(where: { $0.name == name }) else { return false }
        let item = object.contents[index]
        objects[id]!.contents.remove(at: index)
        objects[id]!.dirty = true
        if item.kind == .script {
            if scripts.attached { scripts.removed.append(ScriptKey(object: object.id, item: item.id)) }
            if let channels = scripts.listens[id]?.removeValue(forKey: item.id) { unlisten(channels) }
            scripts.lastErrors[ScriptKey(object: object.id, item: item.id)] = nil
            scripts.compileFailed.remove(ScriptKey(object: object.id, item: item.id))
        }
        if !objects[id]!.contents.contains(where: { $0.kind == .script }) {
            scripts.scripted.remove(id)
            scripts.listens[id] = nil
        }
        contentsChanged(id, except: nil)
        return true
    }

    /// Resets, stops or starts one script of an object (by its item's name).
    mutating func controlScript(named name: String, in id: LocalID, _ action: ScriptControlAction) -> Bool {
        guard let object = objects[id], let index = object.contents.firstIndex(where: { $0.name == name && $0.kind == .script }) else { return false }
        let item = object.contents[index]
        switch action {
        case .reset:
            objects[id]!.contents[index].state = nil
            objects[id]!.contents[index].running = true
            scripts.lastErrors[ScriptKey(object: object.id, item: item.id)] = nil
            scripts.compileFailed.remove(ScriptKey(object: object.id, item: item.id))
        case .stop: objects[id]!.contents[index].running = false
        case .start: objects[id]!.contents[index].running = true
        }
        objects[id]!.dirty = true
        if scripts.attached { scripts.control.append(ScriptControl(key: ScriptKey(object: object.id, item: item.id), action: action)) }
        return true
    }

    private mutating func contentsChanged(_ id: LocalID, except item: UUID?) {
        guard let object = objects[id], scripts.scripted.contains(id) else { return }
        for script in object.contents where script.kind == .script && script.id != item {
            queueEvent(ScriptEventDelivery(object: object.id, item: script.id, name: "changed", arguments: [.integer(ScriptChange.inventory)]), for: id)
        }
    }

    /// An object's contents as its owner may list them.
    public func contentsListing(_ id: LocalID) -> [ContentsEntry]? {
        guard let object = objects[id] else { return nil }
        return object.contents.map { item in
            let key = ScriptKey(object: object.id, item: item.id)
            return ContentsEntry(
                name: item.name, kind: item.kind, running: item.running && !scripts.compileFailed.contains(key),
                error: scripts.lastErrors[key])
        }
    }
}

/// One line of an object's contents listing.
public struct ContentsEntry: Sendable, Hashable {
    public var name: String
    public var kind: ContentKind
    public var running: Bool
    public var error: String?
}

/// The region's script link, as `tessera status` and the console show it.
public struct ScriptsStatus: Sendable, Hashable {
    /// The exchange's state and counters (attached, frames sent, on time, late, stale, held, snapshots, losses).
    public var link = ServiceLinkStatus()
    public var state: ServiceLinkState { link.state }
    public var framesSent: UInt64 { link.framesSent }
    public var onTime: UInt64 { link.onTime }
    public var late: UInt64 { link.late }
    public var stale: UInt64 { link.stale }
    public var held: UInt64 { link.held }
    public var snapshots: UInt64 { link.snapshots }
    public var losses: UInt64 { link.losses }
    public var scriptedObjects: UInt32 = 0
    public var heldEvents: UInt32 = 0
    public var lastRunMicros: UInt32 = 0
    public var runMicrosTotal: UInt64 = 0
    public var checkpoints: UInt64 = 0
    public var effects: UInt64 = 0
    public var effectsRefused: UInt64 = 0
    /// Events the region dropped (its held events were full).
    public var eventsDropped: UInt64 = 0
    public var errors: UInt64 = 0
    public var freezes: UInt64 = 0
    public var freezeTimeouts: UInt64 = 0
    public var rezzed: UInt64 = 0
    public var scriptsAdded: UInt64 = 0
    /// The service's own figures for the region, from its latest answer.
    public var service = ScriptRegionStats()

    public init() {}
}

extension Region {
    /// Puts an object into the service's world again (its mass or physical flag changed).
    mutating func physicsRebuild(_ id: LocalID) {
        physics.inWorld.remove(id)
        physics.membershipDirty = true
    }

    /// Why `agent` may not change the contents of `target`, or nil.
    func contentsProblem(_ target: LocalID, by agent: LocalID, listing: Bool = false) -> CommandReply.Outcome? {
        func refuse(_ code: ErrorCode, _ message: String) -> CommandReply.Outcome { .failed(code: code.rawValue, message: message) }
        guard let object = objects[target] else { return refuse(.unknownEntity, "no object \(target) in this region") }
        if listing { return nil }
        guard let avatar = avatars[agent], object.owner == avatar.agentID else {
            return refuse(.notAllowed, "object \(target) belongs to someone else")
        }
        guard object.travelling == nil, scripts.freezing[target] == nil, !object.beingTaken else {
            return refuse(.notAllowed, "object \(target) is busy (being taken or crossing)")
        }
        return nil
    }

    /// A client adds a script to an object it owns: as source text, or from its inventory.
    /// The source is stored (or read) by the grid first; `applyScriptReady` adds it.
    mutating func requestScript(
        _ name: String, source: ScriptSourceRef, to target: LocalID, by agent: LocalID, manager: ManagerID, requestID: UInt32
    ) {
        if let problem = contentsProblem(target, by: agent) { return reply(problem, to: agent, manager: manager, requestID: requestID) }
        let account = avatars[agent]!.agentID
        guard !name.isEmpty, name.utf8.count <= maxNameBytes else {
            return reply(.failed(code: ErrorCode.invalidValue.rawValue, message: "a script's name has 1 to \(maxNameBytes) bytes"), to: agent, manager: manager, requestID: requestID)
        }
        switch source {
        case .text(let text):
            guard text.utf8.count <= ContentItem.maxSourceBytes else {
                return reply(.failed(code: ErrorCode.invalidValue.rawValue, message: "a script's source has at most \(ContentItem.maxSourceBytes) bytes"), to: agent, manager: manager, requestID: requestID)
            }
            guard gridServicesAttached else {
                // No storage (a region run alone): the source is kept by its hash in the scene only.
                let item = ContentItem(id: UUID(), name: name, kind: .script, asset: ScriptHash.of(text), source: text)
                return applyScriptReady(.success(item), object: target, agent: agent, manager: manager, requestID: requestID)
            }
            pending.effects.append(.storeScript(agent: agent, manager: manager, requestID: requestID, account: account, object: target, name: name, source: text))
        case .inventory(let item):
            guard gridServicesAttached else {
                return reply(.callFailed(code: ErrorCode.serviceUnavailable.rawValue, message: "this region runs without grid services"), to: agent, manager: manager, requestID: requestID)
            }
            pending.effects.append(.scriptItem(agent: agent, manager: manager, requestID: requestID, account: account, object: target, name: name, item: item))
        }
    }

    /// A client resets, stops, starts or removes a script of an object it owns.
    mutating func controlScriptRequest(_ target: LocalID, item: String, action: ScriptItemAction, by agent: LocalID, manager: ManagerID, requestID: UInt32) {
        if let problem = contentsProblem(target, by: agent) { return reply(problem, to: agent, manager: manager, requestID: requestID) }
        let done: Bool
        switch action {
        case .reset: done = controlScript(named: item, in: target, .reset)
        case .stop: done = controlScript(named: item, in: target, .stop)
        case .start: done = controlScript(named: item, in: target, .start)
        case .remove: done = removeContent(named: item, from: target)
        }
        if done {
            reply(.updated(target), to: agent, manager: manager, requestID: requestID)
        } else {
            reply(.failed(code: ErrorCode.unknownItem.rawValue, message: "object \(target) has no script named \"\(item)\""), to: agent, manager: manager, requestID: requestID)
        }
    }

    mutating func applyScriptReady(_ result: Result<ContentItem, CallStatus>, object target: LocalID, agent: LocalID, manager: ManagerID, requestID: UInt32) {
        switch result {
        case .success(let item):
            if let problem = addScript(item, to: target) {
                reply(problem, to: agent, manager: manager, requestID: requestID)
            } else {
                reply(.updated(target), to: agent, manager: manager, requestID: requestID)
            }
        case .failure(let status):
            reply(.callFailed(code: status.asFailure.rawCode, message: status.message), to: agent, manager: manager, requestID: requestID)
        }
    }
}

/// A script source's asset id: the SHA-256 of its UTF-8 bytes, as storage names every asset.
enum ScriptHash {
    static func of(_ source: String) -> AssetID {
        AssetID(Data(SHA256.hash(data: Data(source.utf8))))!
    }
}

extension Quaternion {
    /// The object's forward axis (local +x) in region axes.
    var forward: Vector3 {
        Vector3(1 - 2 * (y * y + z * z), 2 * (x * y + w * z), 2 * (x * z - w * y))
    }
}

extension Region {
    /// An admin resets, stops or starts a script (Top Scripts); false when the object or
    /// its script item is not here.
    public mutating func adminControlScript(object: UUID, item: String, _ action: ScriptControlAction) -> Bool {
        guard let id = objectIndex[object] else { return false }
        return controlScript(named: item, in: id, action)
    }

    /// The scripts of the region by recent time, from the service's latest answer.
    public var topScripts: [ScriptTime] { scripts.status.service.topScripts }

    /// The scripted objects of the region: object id, name, owner and script item names.
    public func scriptedObjects() -> [(object: UUID, local: LocalID, name: String, owner: AgentID, scripts: [String])] {
        scripts.scripted.sorted().compactMap { id in
            guard let object = objects[id] else { return nil }
            return (object.id, id, object.name, object.owner, object.contents.filter { $0.kind == .script }.map(\.name))
        }
    }
}
