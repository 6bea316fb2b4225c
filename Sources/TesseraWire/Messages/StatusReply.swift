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

    public init(
        handle: RegionHandle, name: String, frame: UInt64, rootAgents: [AgentID], ghosts: UInt32, objects: UInt32,
        achievedFrameRate: Float, timeDilation: Float, handoffsInProgress: UInt32, handoffsCommitted: UInt64, handoffsFailed: UInt64
    ) {
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
    }
}
