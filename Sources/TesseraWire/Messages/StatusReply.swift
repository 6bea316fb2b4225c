import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// Region node → tool: what each of its regions holds and how it runs.
public struct StatusReply: WireMessageBody {
    public static let messageType = WireMessageType.statusReply

    public var node: String
    public var regions: [RegionStatus]

    public init(node: String, regions: [RegionStatus]) {
        self.node = node
        self.regions = regions
    }

    public init(from buffer: inout ByteBuffer) throws {
        node = try buffer.readText("statusReply.node", maxBytes: 255)
        let count = try buffer.readCount("statusReply.regions", minElementBytes: 40)
        regions = try (0..<count).map { _ in try RegionStatus(from: &buffer) }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeText(node)
        buffer.writeCount(regions.count)
        for region in regions { region.encode(into: &buffer) }
    }
}

public struct RegionStatus: Hashable, Sendable {
    public var handle: RegionHandle
    public var name: String
    public var frame: UInt64
    /// The agents whose root is this region.
    public var rootAgents: [AgentID]
    public var ghosts: UInt32
    public var objects: UInt32
    public var achievedFrameRate: Float
    public var timeDilation: Float
    public var handoffsInProgress: UInt32
    public var handoffsCommitted: UInt64
    public var handoffsFailed: UInt64
    public var physics: PhysicsLinkStatus
    /// The region's script link and the script service's figures for it.
    public var scripts: ScriptsLinkStatus

    public init(
        handle: RegionHandle, name: String, frame: UInt64, rootAgents: [AgentID], ghosts: UInt32, objects: UInt32,
        achievedFrameRate: Float, timeDilation: Float, handoffsInProgress: UInt32, handoffsCommitted: UInt64, handoffsFailed: UInt64,
        physics: PhysicsLinkStatus = PhysicsLinkStatus(), scripts: ScriptsLinkStatus = ScriptsLinkStatus()
    ) {
        self.physics = physics
        self.scripts = scripts
        self.handle = handle
        self.name = name
        self.frame = frame
        self.rootAgents = rootAgents
        self.ghosts = ghosts
        self.objects = objects
        self.achievedFrameRate = achievedFrameRate
        self.timeDilation = timeDilation
        self.handoffsInProgress = handoffsInProgress
        self.handoffsCommitted = handoffsCommitted
        self.handoffsFailed = handoffsFailed
    }

    init(from buffer: inout ByteBuffer) throws {
        handle = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "region.handle"))
        name = try buffer.readText("region.name", maxBytes: maxNameBytes)
        frame = try buffer.readLE(UInt64.self, "region.frame")
        let count = try buffer.readCount("region.rootAgents", minElementBytes: 16)
        rootAgents = try (0..<count).map { _ in try buffer.readUUID("region.rootAgents") }
        ghosts = try buffer.readLE(UInt32.self, "region.ghosts")
        objects = try buffer.readLE(UInt32.self, "region.objects")
        achievedFrameRate = try buffer.readFloatLE("region.achievedFrameRate")
        timeDilation = try buffer.readFloatLE("region.timeDilation")
        handoffsInProgress = try buffer.readLE(UInt32.self, "region.handoffsInProgress")
        handoffsCommitted = try buffer.readLE(UInt64.self, "region.handoffsCommitted")
        handoffsFailed = try buffer.readLE(UInt64.self, "region.handoffsFailed")
        physics = try PhysicsLinkStatus(from: &buffer)
        scripts = try ScriptsLinkStatus(from: &buffer)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(handle.rawValue)
        buffer.writeText(name)
        buffer.writeLE(frame)
        buffer.writeCount(rootAgents.count)
        for agent in rootAgents { buffer.writeUUID(agent) }
        buffer.writeLE(ghosts)
        buffer.writeLE(objects)
        buffer.writeFloatLE(achievedFrameRate)
        buffer.writeFloatLE(timeDilation)
        buffer.writeLE(handoffsInProgress)
        buffer.writeLE(handoffsCommitted)
        buffer.writeLE(handoffsFailed)
        physics.encode(into: &buffer)
        scripts.encode(into: &buffer)
    }
}

/// How a region's link to its physics service stands (docs/physics.md, "Status").
public struct PhysicsLinkStatus: Hashable, Sendable {
    /// `none` when no physics service is configured (kinematic movement), `lost` when it is
    /// not attached (kinematic movement), or `attached`.
    public typealias State = ServiceLinkState

    public var state: State = .none
    /// Bodies in the service's world for the region.
    public var bodies: UInt32 = 0
    public var framesSent: UInt64 = 0
    /// Answers applied in the frame after the one they answer.
    public var onTime: UInt64 = 0
    /// Answers that came later than that (applied when they came, and counted).
    public var late: UInt64 = 0
    /// Frames not sent because too many were unanswered (their changes went with the next one).
    public var held: UInt64 = 0
    /// Full snapshots sent (after each attach, or when the service asked for one).
    public var snapshots: UInt64 = 0
    /// Times the link was lost while attached.
    public var losses: UInt64 = 0
    public var contacts: UInt64 = 0
    /// The service's step time for the region's last answered frame.
    public var lastStepMicros: UInt32 = 0

    public init() {}

    /// The exchange's generic counters, with the physics figures at zero.
    public init(link: ServiceLinkStatus) {
        state = link.state
        framesSent = link.framesSent
        onTime = link.onTime
        late = link.late
        held = link.held
        snapshots = link.snapshots
        losses = link.losses
    }

    static let bytes = 1 + 4 + 8 * 7 + 4

    init(from buffer: inout ByteBuffer) throws {
        state = try buffer.readEnum(State.self, "physics.state")
        bodies = try buffer.readLE(UInt32.self, "physics.bodies")
        framesSent = try buffer.readLE(UInt64.self, "physics.framesSent")
        onTime = try buffer.readLE(UInt64.self, "physics.onTime")
        late = try buffer.readLE(UInt64.self, "physics.late")
        held = try buffer.readLE(UInt64.self, "physics.held")
        snapshots = try buffer.readLE(UInt64.self, "physics.snapshots")
        losses = try buffer.readLE(UInt64.self, "physics.losses")
        contacts = try buffer.readLE(UInt64.self, "physics.contacts")
        lastStepMicros = try buffer.readLE(UInt32.self, "physics.lastStepMicros")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(state.rawValue)
        buffer.writeLE(bodies)
        buffer.writeLE(framesSent)
        buffer.writeLE(onTime)
        buffer.writeLE(late)
        buffer.writeLE(held)
        buffer.writeLE(snapshots)
        buffer.writeLE(losses)
        buffer.writeLE(contacts)
        buffer.writeLE(lastStepMicros)
    }
}
