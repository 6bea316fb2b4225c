import Foundation
import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// Region → script service, at most once per region frame: what changed for the region's
/// scripts since the last frame sent (docs/scripts.md). The service answers each with a
/// `ScriptResult` of the same frame number.
public struct ScriptFrame: WireMessageBody {
    public static let messageType = WireMessageType.scriptFrame

    public var region: RegionHandle
    public var frame: UInt64
    /// Wall-clock time of the frame, milliseconds since 1970.
    public var timeMillis: UInt64
    /// The service drops every script it holds for the region and takes `added` as the whole set.
    public var snapshot: Bool
    /// Sources the service may not have yet (every one in use, in a snapshot).
    public var programs: [ScriptProgram]
    public var added: [ScriptInstance]
    /// Gone without a capture (the object was deleted or died, the item removed).
    public var removed: [ScriptKey]
    /// To be captured in this frame's answer and let go (the object is crossing or being taken).
    public var frozen: [ScriptKey]
    public var control: [ScriptControl]
    /// Scripted objects whose pose changed (every scripted object in a snapshot).
    public var poses: [ObjectPose]
    public var events: [ScriptEventDelivery]
    public var chat: [ChatHeard]
    /// The region's name (`llGetRegionName`): sent in a snapshot; nil keeps the one known.
    public var regionName: String?

    public init(
        region: RegionHandle, frame: UInt64, timeMillis: UInt64, snapshot: Bool = false, programs: [ScriptProgram] = [],
        added: [ScriptInstance] = [], removed: [ScriptKey] = [], frozen: [ScriptKey] = [], control: [ScriptControl] = [],
        poses: [ObjectPose] = [], events: [ScriptEventDelivery] = [], chat: [ChatHeard] = [], regionName: String? = nil
    ) {
        self.region = region
        self.frame = frame
        self.timeMillis = timeMillis
        self.snapshot = snapshot
        self.programs = programs
        self.added = added
        self.removed = removed
        self.frozen = frozen
        self.control = control
        self.poses = poses
        self.events = events
        self.chat = chat
        self.regionName = regionName
    }

    public var isEmpty: Bool {
        !snapshot && programs.isEmpty && added.isEmpty && removed.isEmpty && frozen.isEmpty && control.isEmpty && poses.isEmpty
            && events.isEmpty && chat.isEmpty
    }

    public init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "scriptFrame.region"))
        frame = try buffer.readLE(UInt64.self, "scriptFrame.frame")
        timeMillis = try buffer.readLE(UInt64.self, "scriptFrame.timeMillis")
        snapshot = try buffer.readBool("scriptFrame.snapshot")
        programs = try (0..<buffer.readCount("scriptFrame.programs", minElementBytes: 36)).map { _ in
            let hash = try AssetID(from: &buffer, "program.hash")
            return ScriptProgram(hash: hash, source: try buffer.readLongText("program.source", maxBytes: ContentItem.maxSourceBytes))
        }
        added = try (0..<buffer.readCount("scriptFrame.added", minElementBytes: 32 + 4 + 2 + 32 + 16 + 2 + 1 + 4 + 4)).map { _ in
            try ScriptInstance(from: &buffer)
        }
        removed = try (0..<buffer.readCount("scriptFrame.removed", minElementBytes: 32)).map { _ in try ScriptKey(from: &buffer, "removed") }
        frozen = try (0..<buffer.readCount("scriptFrame.frozen", minElementBytes: 32)).map { _ in try ScriptKey(from: &buffer, "frozen") }
        control = try (0..<buffer.readCount("scriptFrame.control", minElementBytes: 33)).map { _ in
            let key = try ScriptKey(from: &buffer, "control")
            return ScriptControl(key: key, action: try buffer.readEnum(ScriptControlAction.self, "control.action"))
        }
        poses = try (0..<buffer.readCount("scriptFrame.poses", minElementBytes: ObjectPose.bytes)).map { _ in try ObjectPose(from: &buffer) }
        events = try (0..<buffer.readCount("scriptFrame.events", minElementBytes: 16 + 16 + 2 + 4 + 4)).map { _ in
            try ScriptEventDelivery(from: &buffer)
        }
        chat = try (0..<buffer.readCount("scriptFrame.chat", minElementBytes: 4 + 1 + 16 + 2 + 16 + 12 + 2)).map { _ in try ChatHeard(from: &buffer) }
        switch try buffer.readLE(UInt8.self, "scriptFrame.regionName") {
        case 0: regionName = nil
        case 1: regionName = try buffer.readText("scriptFrame.regionName", maxBytes: maxNameBytes)
        case let other: throw CodecError.invalidValue(field: "scriptFrame.regionName", reason: "expected 0 or 1, got \(other)")
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeLE(frame)
        buffer.writeLE(timeMillis)
        buffer.writeBool(snapshot)
        buffer.writeCount(programs.count)
        for program in programs {
            program.hash.encode(into: &buffer)
            buffer.writeLongText(program.source)
        }
        buffer.writeCount(added.count)
        for script in added { script.encode(into: &buffer) }
        buffer.writeCount(removed.count)
        for key in removed { key.encode(into: &buffer) }
        buffer.writeCount(frozen.count)
        for key in frozen { key.encode(into: &buffer) }
        buffer.writeCount(control.count)
        for entry in control {
            entry.key.encode(into: &buffer)
            buffer.writeLE(entry.action.rawValue)
        }
        buffer.writeCount(poses.count)
        for pose in poses { pose.encode(into: &buffer) }
        buffer.writeCount(events.count)
        for event in events { event.encode(into: &buffer) }
        buffer.writeCount(chat.count)
        for heard in chat { heard.encode(into: &buffer) }
        if let regionName {
            buffer.writeLE(UInt8(1))
            buffer.writeText(regionName, maxBytes: maxNameBytes)
        } else {
            buffer.writeLE(UInt8(0))
        }
    }
}
