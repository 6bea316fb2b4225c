import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// How a region's link to its script service stands, and the service's figures for the region
/// (docs/wire-protocol.md, "0x51 StatusReply"; docs/scripts.md).
public struct ScriptsLinkStatus: Hashable, Sendable {
    /// 0 none (no script service configured: scripts do not run), 1 lost (configured, not
    /// attached: events are held), 2 attached.
    public typealias State = PhysicsLinkStatus.State

    public var state: State = .none
    /// Objects of the region with at least one script.
    public var scriptedObjects: UInt32 = 0
    /// Scripts the service holds for the region, and how many of them run (not stopped, compiled).
    public var scripts: UInt32 = 0
    public var running: UInt32 = 0
    /// Events waiting in the scripts' queues on the service.
    public var eventsQueued: UInt32 = 0
    /// Events the region holds while the service is away.
    public var heldEvents: UInt32 = 0
    public var framesSent: UInt64 = 0
    public var late: UInt64 = 0
    public var snapshots: UInt64 = 0
    public var losses: UInt64 = 0
    /// The service's time running the region's scripts for the last answered frame.
    public var lastRunMicros: UInt32 = 0
    /// The sum of that over every answered frame since the node started.
    public var runMicrosTotal: UInt64 = 0
    /// Events the service dropped because a script's 64-event queue was full (cumulative).
    public var eventsDropped: UInt64 = 0
    /// Events the region dropped because its held events were full (cumulative).
    public var heldDropped: UInt64 = 0
    /// Chat the service dropped by the per-script rate limit (cumulative).
    public var chatDropped: UInt64 = 0
    /// Compile and run-time errors reported by the service.
    public var errors: UInt64 = 0

    public init() {}

    /// Encoded size in bytes.
    public static let bytes = 1 + 4 * 5 + 8 * 4 + 4 + 8 * 5

    public init(from buffer: inout ByteBuffer) throws {
        state = try buffer.readEnum(State.self, "scripts.state")
        scriptedObjects = try buffer.readLE(UInt32.self, "scripts.scriptedObjects")
        scripts = try buffer.readLE(UInt32.self, "scripts.scripts")
        running = try buffer.readLE(UInt32.self, "scripts.running")
        eventsQueued = try buffer.readLE(UInt32.self, "scripts.eventsQueued")
        heldEvents = try buffer.readLE(UInt32.self, "scripts.heldEvents")
        framesSent = try buffer.readLE(UInt64.self, "scripts.framesSent")
        late = try buffer.readLE(UInt64.self, "scripts.late")
        snapshots = try buffer.readLE(UInt64.self, "scripts.snapshots")
        losses = try buffer.readLE(UInt64.self, "scripts.losses")
        lastRunMicros = try buffer.readLE(UInt32.self, "scripts.lastRunMicros")
        runMicrosTotal = try buffer.readLE(UInt64.self, "scripts.runMicrosTotal")
        eventsDropped = try buffer.readLE(UInt64.self, "scripts.eventsDropped")
        heldDropped = try buffer.readLE(UInt64.self, "scripts.heldDropped")
        chatDropped = try buffer.readLE(UInt64.self, "scripts.chatDropped")
        errors = try buffer.readLE(UInt64.self, "scripts.errors")
        guard running <= scripts else {
            throw CodecError.invalidValue(field: "scripts.running", reason: "\(running) running of \(scripts) scripts")
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(state.rawValue)
        buffer.writeLE(scriptedObjects)
        buffer.writeLE(scripts)
        buffer.writeLE(running)
        buffer.writeLE(eventsQueued)
        buffer.writeLE(heldEvents)
        buffer.writeLE(framesSent)
        buffer.writeLE(late)
        buffer.writeLE(snapshots)
        buffer.writeLE(losses)
        buffer.writeLE(lastRunMicros)
        buffer.writeLE(runMicrosTotal)
        buffer.writeLE(eventsDropped)
        buffer.writeLE(heldDropped)
        buffer.writeLE(chatDropped)
        buffer.writeLE(errors)
    }
}

/// A region's scripts as an admin sees them (`AdminRequest.Action.scripts`): its link status
/// and its scripts by recent time, the most expensive first (as Top Scripts).
public struct ScriptsReport: Hashable, Sendable {
    public var region: RegionHandle
    public var regionName: String
    public var status: ScriptsLinkStatus
    /// At most `ScriptRegionStats.maxTop`, by `micros` descending.
    public var top: [ScriptTime]

    public init(region: RegionHandle, regionName: String, status: ScriptsLinkStatus, top: [ScriptTime]) {
        self.region = region
        self.regionName = regionName
        self.status = status
        self.top = top
    }

    init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "scriptsReport.region"))
        regionName = try buffer.readText("scriptsReport.regionName", maxBytes: maxNameBytes)
        status = try ScriptsLinkStatus(from: &buffer)
        let count = try buffer.readCount("scriptsReport.top", minElementBytes: 32 + 2 + 2 + 4)
        guard count <= ScriptRegionStats.maxTop else {
            throw CodecError.invalidValue(field: "scriptsReport.top", reason: "\(count) entries, at most \(ScriptRegionStats.maxTop)")
        }
        top = try (0..<count).map { _ in
            let key = try ScriptKey(from: &buffer, "scriptsReport.top")
            let name = try buffer.readText("scriptsReport.top.name", maxBytes: maxNameBytes)
            let objectName = try buffer.readText("scriptsReport.top.objectName", maxBytes: maxNameBytes)
            let micros = try buffer.readFloatLE("scriptsReport.top.micros")
            guard micros.isFinite, micros >= 0 else {
                throw CodecError.invalidValue(field: "scriptsReport.top.micros", reason: "not a finite number ≥ 0")
            }
            return ScriptTime(key: key, name: name, objectName: objectName, micros: micros)
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeText(regionName, maxBytes: maxNameBytes)
        status.encode(into: &buffer)
        let top = top.prefix(ScriptRegionStats.maxTop)
        buffer.writeCount(top.count)
        for entry in top {
            entry.key.encode(into: &buffer)
            buffer.writeText(entry.name, maxBytes: maxNameBytes)
            buffer.writeText(entry.objectName, maxBytes: maxNameBytes)
            buffer.writeFloatLE(entry.micros.isFinite ? max(0, entry.micros) : 0)
        }
    }
}
