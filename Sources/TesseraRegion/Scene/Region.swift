import Foundation
import TesseraGridProtocol
import TesseraHandoff
import TesseraWire
import TesseraWorld

/// One 256 m region: the authoritative scene. A plain value owned by exactly one runner;
/// `step(now:inputs:)` is the whole frame, so tests drive it on a manual clock.
public struct Region {
    public let settings: RegionSettings
    public internal(set) var frame: UInt64 = 0
    var avatars: [LocalID: Avatar] = [:]
    var agentIndex: [AgentID: LocalID] = [:]
    var objects: [LocalID: SceneObject] = [:]
    var objectIndex: [UUID: LocalID] = [:]
    /// Stored objects removed from the scene since the last flush.
    var deletedStored: [UUID] = []
    /// Rezzes asked of the grid and not answered yet: they count against the object limit.
    var pendingRezzes = 0
    /// Whether rez and take can be asked of grid services (false in a region without them).
    public var gridServicesAttached = false
    /// Connected client managers; true while one still needs the full entity snapshot.
    var managers: [ManagerID: Bool] = [:]
    var published: [LocalID: EntityMotion] = [:]
    var nextLocalID: LocalID = 1
    var dilationMeter: TimeDilationMeter
    var grid = SpatialGrid(cellSize: 16)
    /// Threads the avatars' views may be computed on in one frame (1: the frame's own thread only).
    public var interestThreads = Region.defaultInterestThreads
    /// The work (views due × entities) from which a frame's views are split over threads.
    public var interestParallelWork = 200_000
    var slots = EntitySlots()
    var pending = FrameAccumulator()
    /// Every other region reachable now, by handle (hand-off destinations; adjacent ones are neighbours).
    var known: [RegionHandle: String] = [:]
    /// The node name of each connected client manager.
    var managerNames: [ManagerID: String] = [:]
    var outgoing: [HandoffID: OutgoingHandoff] = [:]
    var incoming: [HandoffID: IncomingHandoff] = [:]
    var nextHandoff: UInt64
    public internal(set) var handoffCounters = HandoffCounters()
    var ghosts: [LocalID: Ghost] = [:]
    var ghostIndex: [GhostKey: LocalID] = [:]
    /// Per adjacent neighbour: the motion it last got of each entity ghosted to it.
    var ghostsSent: [RegionHandle: [LocalID: EntityMotion]] = [:]
    /// Set when an object appeared, left, moved or started or stopped travelling: only then are
    /// the objects near the borders looked for again (they are static otherwise).
    var ghostObjectsChanged = true
    /// The monotonic time of the frame (or reaction) being applied.
    var clockSeconds: Double = 0
    /// The wall-clock time of the frame (or reaction) being applied, milliseconds since 1970.
    var clockMillis: UInt64 = 0
    var physics: PhysicsBridge
    var scripts = ScriptsBridge()

    public init(settings: RegionSettings) {
        self.settings = settings
        dilationMeter = TimeDilationMeter(frameRate: settings.frameRate)
        // Unique across restarts and regions without coordination: a random start.
        nextHandoff = UInt64.random(in: 1...(UInt64.max / 2))
        physics = PhysicsBridge(configured: settings.physics != nil)
        scripts.exchange = FrameExchange(configured: settings.scripts != nil)
    }

    public var avatarCount: Int { avatars.count }
    public var objectCount: Int { objects.count }
    public var ghostCount: Int { ghosts.count }
    /// The agents whose root is this region: those not travelling in a hand-off (a traveller's
    /// root is decided by the client manager's switch; the source learns it a moment later).
    public var rootAgents: [AgentID] { avatars.values.compactMap { $0.handoff == nil ? $0.agentID : nil } }
    public var timeDilation: Float { dilationMeter.dilation }
    public var achievedFrameRate: Double { dilationMeter.achievedFrameRate }

    /// One simulation frame: apply inputs, move, compute interest, publish.
    public mutating func step(now: FrameInstant, inputs: [RegionInput]) -> RegionOutput {
        frame &+= 1
        clockSeconds = now.seconds
        clockMillis = now.wallMillis
        dilationMeter.record(now.seconds)
        for input in inputs { apply(input, now: now) }
        let dt = settings.frameSeconds
        let handle = settings.handle
        let known = known
        let walls = { (point: Vector3) in Self.walls(at: point, of: handle, known: known) }
        for (id, avatar) in avatars where avatar.handoff == nil {
            if physicallyMoved(id) {
                avatars[id]!.rotation = Quaternion(yaw: avatar.intent.heading)
            } else {
                Kinematics.step(&avatars[id]!, dt: dt, terrain: settings.terrain, walls: walls)
            }
        }
        confinePhysical(now: now)
        startCrossings(now: now)
        expireHandoffs(now: now.seconds)
        expireScriptFreezes(now: now.seconds)
        let moved = collectMoved()
        noteScriptedMoves(pending.movedObjects)
        updateInterest()
        publishGhosts()
        var output = publish(now: now, moved: moved)
        output.physicsFrame = takePhysicsFrame()
        output.scriptFrame = takeScriptFrame(now: now)
        return output
    }

    /// Between frames: applies inputs that must not wait for the next frame (hand-off steps),
    /// gives arriving avatars their view, and publishes what that produced. Nothing moves and
    /// the frame number stays, so a hand-off's round trips cost network time, not frame waits.
    public mutating func react(now: FrameInstant, inputs: [RegionInput]) -> RegionOutput {
        clockSeconds = now.seconds
        clockMillis = now.wallMillis
        for input in inputs { apply(input, now: now) }
        if !pending.appeared.isEmpty || avatars.values.contains(where: \.needsInitialView) {
            updateInterest(arrivalsOnly: true)
        }
        var moved: [MovedEntity] = []
        for id in pending.movedObjects {
            guard let motion = objects[id]?.motion, published[id] != motion else { continue }
            published[id] = motion
            moved.append(MovedEntity(localID: id, motion: motion))
        }
        return publish(now: now, moved: moved)
    }

    mutating func takeID() -> LocalID {
        defer { nextLocalID &+= 1; if nextLocalID == 0 { nextLocalID = 1 } }
        return nextLocalID
    }

    private mutating func collectMoved() -> [MovedEntity] {
        var moved: [MovedEntity] = []
        func note(_ id: LocalID, _ motion: EntityMotion) {
            if published[id] != motion {
                published[id] = motion
                moved.append(MovedEntity(localID: id, motion: motion))
            }
        }
        for avatar in avatars.values { note(avatar.localID, avatar.motion) }
        for ghost in ghosts.values { note(ghost.localID, ghost.info.motion) }
        for id in pending.movedObjects { if let object = objects[id] { note(id, object.motion) } }
        return moved
    }

    /// Which axes stop a point past the square: those with no region behind them. Past a
    /// corner with no region across it, the avatar slides along whichever side has one.
    static func walls(at point: Vector3, of handle: RegionHandle, known: [RegionHandle: String]) -> (x: Bool, y: Bool) {
        let dx = squareStep(point.x)
        let dy = squareStep(point.y)
        if dx == 0, dy == 0 { return (false, false) }
        func exists(_ dx: Int, _ dy: Int) -> Bool {
            handle.neighbour(dx: dx, dy: dy).map { known[$0] != nil } ?? false
        }
        if exists(dx, dy) { return (false, false) }
        if dx != 0, dy != 0 {
            if exists(dx, 0) { return (false, true) }
            if exists(0, dy) { return (true, false) }
        }
        return (true, true)
    }

    private mutating func publish(now: FrameInstant, moved: [MovedEntity]) -> RegionOutput {
        var output = RegionOutput()
        output.messages = pending.direct
        output.gridEffects = pending.effects
        output.peerMessages = pending.peer
        let frameData = pending
        pending = FrameAccumulator()
        for (manager, needsSnapshot) in managers {
            var regionFrame = RegionFrame(
                region: settings.handle, frame: frame, timeMillis: now.wallMillis,
                timeDilation: dilationMeter.dilation,
                appeared: needsSnapshot ? allEntityInfos() : frameData.appeared,
                moved: moved,
                removed: frameData.removed
            )
            regionFrame.interest = frameData.interest.compactMap { agent, change in
                avatars[agent]?.manager == manager
                    ? InterestChange(agent: agent, entered: change.entered, left: change.left) : nil
            }
            regionFrame.chat = frameData.chat.compactMap { delivery in
                var addressed = delivery
                addressed.recipients = delivery.recipients.filter { avatars[$0]?.manager == manager }
                return addressed.recipients.isEmpty ? nil : addressed
            }
            regionFrame.replies = frameData.replies.filter { $0.0 == manager }.map(\.1)
            regionFrame.scriptNotices = frameData.scriptNotices.filter { $0.0 == manager }.map(\.1)
            regionFrame.appearance = frameData.looks.sorted { $0.key < $1.key }.map { AppearanceChange(localID: $0.key, appearance: ObjectAppearance($0.value)) }
            managers[manager] = false
            output.messages.append((manager, .regionFrame(regionFrame)))
        }
        return output
    }

    func entityInfo(_ id: LocalID) -> EntityInfo? {
        if let avatar = avatars[id] {
            return EntityInfo(
                localID: id, kind: .avatar, shape: .cylinder, name: avatar.name,
                scale: Avatar.scale, motion: avatar.motion, agentID: avatar.agentID
            )
        }
        if let object = objects[id] {
            var info = EntityInfo(
                localID: id, kind: .object, shape: object.shape, name: object.name,
                scale: object.scale, motion: object.motion
            )
            info.appearance = ObjectAppearance.carried(for: object.look)
            return info
        }
        return ghosts[id]?.info
    }

    func allEntityInfos() -> [EntityInfo] {
        (Array(avatars.keys) + Array(objects.keys) + Array(ghosts.keys)).sorted().compactMap(entityInfo)
    }
}

/// What a frame gathers while it applies inputs, published at its end.
struct FrameAccumulator {
    var direct: [(ManagerID, WireMessage)] = []
    var appeared: [EntityInfo] = []
    var removed: [LocalID] = []
    var interest: [LocalID: (entered: [LocalID], left: [LocalID])] = [:]
    var chat: [ChatDelivery] = []
    var replies: [(ManagerID, CommandReply)] = []
    var effects: [GridEffect] = []
    var peer: [(RegionHandle, WireMessage)] = []
    /// Objects moved within the region this frame.
    var movedObjects: [LocalID] = []
    /// Objects whose colour or floating text changed this frame.
    var looks: [LocalID: ObjectLook] = [:]
    /// Script errors for owners, by their client manager.
    var scriptNotices: [(ManagerID, ScriptNotice)] = []
}

extension Region {
    /// Read access for tests and the admin surface.
    public func avatarState(_ agent: AgentID) -> (localID: LocalID, position: Vector3, velocity: Vector3, visible: Set<LocalID>)? {
        guard let id = agentIndex[agent], let avatar = avatars[id] else { return nil }
        return (id, avatar.position, avatar.velocity, Set(avatar.visible.slots.map { slots.ids[$0] }))
    }

    public func objectIDs() -> [LocalID] { objects.keys.sorted() }

    /// An object as the region knows it now.
    public struct ObjectState: Sendable, Hashable {
        public var localID: LocalID
        public var name: String
        public var position: Vector3
        public var velocity: Vector3
        public var physical: Bool
        public var travelling: Bool
    }

    public func objectStates() -> [ObjectState] {
        objects.values.sorted { $0.localID < $1.localID }.map {
            ObjectState(localID: $0.localID, name: $0.name, position: $0.position, velocity: $0.velocity, physical: $0.physical, travelling: $0.travelling != nil)
        }
    }
}
