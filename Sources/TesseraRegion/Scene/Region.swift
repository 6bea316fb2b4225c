import Foundation
import TesseraWire
import TesseraWorld

/// One 256 m region: the authoritative scene. A plain value owned by exactly one runner;
/// `step(now:inputs:)` is the whole frame, so tests drive it on a manual clock.
public struct Region {
    public let settings: RegionSettings
    public private(set) var frame: UInt64 = 0
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
    var slots = EntitySlots()
    var pending = FrameAccumulator()

    public init(settings: RegionSettings) {
        self.settings = settings
        dilationMeter = TimeDilationMeter(frameRate: settings.frameRate)
    }

    public var avatarCount: Int { avatars.count }
    public var objectCount: Int { objects.count }
    public var timeDilation: Float { dilationMeter.dilation }
    public var achievedFrameRate: Double { dilationMeter.achievedFrameRate }

    /// One simulation frame: apply inputs, move, compute interest, publish.
    public mutating func step(now: FrameInstant, inputs: [RegionInput]) -> RegionOutput {
        frame &+= 1
        dilationMeter.record(now.seconds)
        for input in inputs { apply(input) }
        let dt = settings.frameSeconds
        for id in avatars.keys {
            Kinematics.step(&avatars[id]!, dt: dt, ground: settings.terrainHeight)
        }
        let moved = collectMoved()
        updateInterest()
        return publish(now: now, moved: moved)
    }

    mutating func takeID() -> LocalID {
        defer { nextLocalID &+= 1; if nextLocalID == 0 { nextLocalID = 1 } }
        return nextLocalID
    }

    private mutating func collectMoved() -> [MovedEntity] {
        var moved: [MovedEntity] = []
        for avatar in avatars.values {
            let motion = avatar.motion
            if published[avatar.localID] != motion {
                published[avatar.localID] = motion
                moved.append(MovedEntity(localID: avatar.localID, motion: motion))
            }
        }
        return moved
    }

    private mutating func publish(now: FrameInstant, moved: [MovedEntity]) -> RegionOutput {
        var output = RegionOutput()
        output.messages = pending.direct
        output.gridEffects = pending.effects
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
            managers[manager] = false
            output.messages.append((manager, .regionFrame(regionFrame)))
        }
        return output
    }

    func entityInfo(_ id: LocalID) -> EntityInfo? {
        if let avatar = avatars[id] {
            return EntityInfo(
                localID: id, kind: .avatar, shape: .cylinder, name: avatar.name,
                scale: Avatar.scale, motion: avatar.motion
            )
        }
        if let object = objects[id] {
            return EntityInfo(
                localID: id, kind: .object, shape: object.shape, name: object.name,
                scale: object.scale, motion: object.motion
            )
        }
        return nil
    }

    func allEntityInfos() -> [EntityInfo] {
        (Array(avatars.keys) + Array(objects.keys)).sorted().compactMap(entityInfo)
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
}

extension Region {
    /// Read access for tests and the admin surface.
    public func avatarState(_ agent: AgentID) -> (localID: LocalID, position: Vector3, velocity: Vector3, visible: Set<LocalID>)? {
        guard let id = agentIndex[agent], let avatar = avatars[id] else { return nil }
        return (id, avatar.position, avatar.velocity, Set(avatar.visible.slots.map { slots.ids[$0] }))
    }

    public func objectIDs() -> [LocalID] { objects.keys.sorted() }
}
