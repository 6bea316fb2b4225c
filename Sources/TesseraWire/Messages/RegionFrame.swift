import NIOCore
import TesseraCodec
import TesseraWorld

/// Region → client manager, once per simulation frame: everything that changed in the frame
/// that this client manager needs. Entity state is sent once per frame and manager; interest
/// changes, chat and replies are addressed to avatars by their local id.
public struct RegionFrame: WireMessageBody {
    public static let messageType = WireMessageType.regionFrame

    public var region: RegionHandle
    public var frame: UInt64
    /// Wall-clock time of the frame, milliseconds since 1970 (clients measure latency from it).
    public var timeMillis: UInt64
    /// Achieved frame rate divided by the nominal rate, in [0, 1].
    public var timeDilation: Float
    /// Entities new to this manager: created this frame, or all of them on a fresh connection.
    public var appeared: [EntityInfo]
    /// Entities whose motion changed this frame.
    public var moved: [MovedEntity]
    public var removed: [LocalID]
    public var interest: [InterestChange]
    public var chat: [ChatDelivery]
    public var replies: [CommandReply]
    /// Objects whose floating text or colour changed this frame (entity state: every manager).
    public var appearance: [AppearanceChange]
    /// Script errors for the owners of scripted objects (addressed to this manager's avatars).
    public var scriptNotices: [ScriptNotice]

    public init(
        region: RegionHandle, frame: UInt64, timeMillis: UInt64, timeDilation: Float,
        appeared: [EntityInfo] = [], moved: [MovedEntity] = [], removed: [LocalID] = [],
        interest: [InterestChange] = [], chat: [ChatDelivery] = [], replies: [CommandReply] = [],
        appearance: [AppearanceChange] = [], scriptNotices: [ScriptNotice] = []
    ) {
        self.appearance = appearance
        self.scriptNotices = scriptNotices
        self.region = region
        self.frame = frame
        self.timeMillis = timeMillis
        self.timeDilation = timeDilation
        self.appeared = appeared
        self.moved = moved
        self.removed = removed
        self.interest = interest
        self.chat = chat
        self.replies = replies
    }

    public init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "regionFrame.region"))
        frame = try buffer.readLE(UInt64.self, "regionFrame.frame")
        timeMillis = try buffer.readLE(UInt64.self, "regionFrame.timeMillis")
        timeDilation = try buffer.readFloatLE("regionFrame.timeDilation")
        appeared = try Self.readArray(&buffer, "regionFrame.appeared", minBytes: EntityInfo.minWireBytes) { try EntityInfo(from: &$0) }
        moved = try Self.readArray(&buffer, "regionFrame.moved", minBytes: 22) { try MovedEntity(from: &$0) }
        removed = try Self.readArray(&buffer, "regionFrame.removed", minBytes: 4) {
            try $0.readLE(UInt32.self, "regionFrame.removed")
        }
        interest = try Self.readArray(&buffer, "regionFrame.interest", minBytes: 12) { try InterestChange(from: &$0) }
        chat = try Self.readArray(&buffer, "regionFrame.chat", minBytes: 26) { try ChatDelivery(from: &$0) }
        replies = try Self.readArray(&buffer, "regionFrame.replies", minBytes: 11) { try CommandReply(from: &$0) }
        appearance = try Self.readArray(&buffer, "regionFrame.appearance", minBytes: AppearanceChange.minWireBytes) { try AppearanceChange(from: &$0) }
        scriptNotices = try Self.readArray(&buffer, "regionFrame.scriptNotices", minBytes: ScriptNotice.minWireBytes) { try ScriptNotice(from: &$0) }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeLE(frame)
        buffer.writeLE(timeMillis)
        buffer.writeFloatLE(timeDilation)
        buffer.writeCount(appeared.count)
        for entity in appeared { entity.encode(into: &buffer) }
        buffer.writeCount(moved.count)
        for entity in moved { entity.encode(into: &buffer) }
        buffer.writeCount(removed.count)
        for id in removed { buffer.writeLE(id) }
        buffer.writeCount(interest.count)
        for change in interest { change.encode(into: &buffer) }
        buffer.writeCount(chat.count)
        for delivery in chat { delivery.encode(into: &buffer) }
        buffer.writeCount(replies.count)
        for reply in replies { reply.encode(into: &buffer) }
        buffer.writeCount(appearance.count)
        for change in appearance { change.encode(into: &buffer) }
        buffer.writeCount(scriptNotices.count)
        for notice in scriptNotices { notice.encode(into: &buffer) }
    }

    /// True when the frame carries nothing for its receiver.
    public var isEmpty: Bool {
        appeared.isEmpty && moved.isEmpty && removed.isEmpty && interest.isEmpty && chat.isEmpty && replies.isEmpty
            && appearance.isEmpty && scriptNotices.isEmpty
    }

    private static func readArray<T>(
        _ buffer: inout ByteBuffer, _ field: String, minBytes: Int,
        _ element: (inout ByteBuffer) throws -> T
    ) throws -> [T] {
        let count = try buffer.readCount(field, minElementBytes: minBytes)
        var result: [T] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try element(&buffer)) }
        return result
    }
}
