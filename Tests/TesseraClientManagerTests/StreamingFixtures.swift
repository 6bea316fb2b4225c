import NIOCore
import Testing
import TesseraClientManager
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// Entities, region frames and decoded ticks for the streaming tests.
enum Fixture {
    static let region = RegionHandle(rawValue: 0x0003_E800_0003_E800)

    static func motion(x: Float, y: Float, z: Float = 21, yaw: Float = 0, vx: Float = 0) -> EntityMotion {
        EntityMotion(position: Vector3(x, y, z), rotation: Quaternion(yaw: yaw), velocity: Vector3(vx, 0, 0))
    }

    /// A distinct, deterministic motion for entity `id`.
    static func motion(for id: LocalID) -> EntityMotion {
        motion(x: Float(id % 250) + 1, y: Float(id / 250 % 250) + 1)
    }

    static func info(_ id: LocalID, motion: EntityMotion? = nil, name: String? = nil) -> EntityInfo {
        EntityInfo(
            localID: id, kind: id % 2 == 0 ? .avatar : .object, shape: id % 2 == 0 ? .cylinder : .box,
            name: name ?? "entity-\(id)", scale: Vector3(0.45, 0.6, 1.9), motion: motion ?? Self.motion(for: id)
        )
    }

    static func frame(
        _ number: UInt64 = 1, timeMillis: UInt64 = 1_700_000_000_000, dilation: Float = 1,
        appeared: [EntityInfo] = [], moved: [MovedEntity] = [], removed: [LocalID] = []
    ) -> RegionFrame {
        RegionFrame(
            region: region, frame: number, timeMillis: timeMillis, timeDilation: dilation,
            appeared: appeared, moved: moved, removed: removed
        )
    }

    /// A table holding entities `ids` at their fixture motions.
    static func table(_ ids: some Sequence<LocalID>) -> EntityTable {
        var table = EntityTable()
        table.apply(frame(appeared: ids.map { info($0) }))
        return table
    }

    static func chat(_ text: String, speaker: LocalID = 99) -> ClientEvent {
        .message(.chat(ChatReceived(
            speaker: speaker, speakerName: "Speaker", type: .say, channel: 0,
            position: PackedPosition(Vector3(128, 128, 21)), text: text
        )))
    }
}

extension EntityTable {
    mutating func move(_ id: LocalID, to motion: EntityMotion, frame: UInt64 = 2) {
        apply(Fixture.frame(frame, moved: [MovedEntity(localID: id, motion: motion)]))
    }
}

/// One decoded update frame: the stamp and the messages after it.
struct Tick {
    var count: Int
    var stamp: FrameStamp?
    var messages: [ServerMessage]
    var byteCount: Int

    var enters: [EntityEnter] { messages.compactMap { if case .entityEnter(let m) = $0 { m } else { nil } } }
    var updates: [EntityUpdate] { messages.compactMap { if case .entityUpdate(let m) = $0 { m } else { nil } } }
    var leaves: [EntityLeave] { messages.compactMap { if case .entityLeave(let m) = $0 { m } else { nil } } }
}

extension ClientView {
    /// Builds a frame into a fresh buffer and decodes it, checking the frame's shape: nothing
    /// at all when the count is 0, otherwise one FrameStamp first and `count` messages after it.
    mutating func tick(
        _ events: [ClientEvent] = [], table: EntityTable, maxBytes: Int = 1 << 20,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Tick {
        var buffer = ByteBuffer()
        let count = buildFrame(events: events, table: table, maxBytes: maxBytes, into: &buffer)
        guard count > 0 else {
            #expect(buffer.readableBytes == 0, "an empty tick left bytes", sourceLocation: sourceLocation)
            return Tick(count: 0, stamp: nil, messages: [], byteCount: 0)
        }
        var messages = try ServerMessage.decodeFrame(buffer)
        guard case .frameStamp(let stamp) = messages.first else {
            Issue.record("first message is not a FrameStamp: \(messages.first.map { "\($0)" } ?? "none")", sourceLocation: sourceLocation)
            return Tick(count: count, stamp: nil, messages: messages, byteCount: buffer.readableBytes)
        }
        messages.removeFirst()
        #expect(messages.count == count, sourceLocation: sourceLocation)
        #expect(!messages.contains { $0.typeCode == .frameStamp }, "second FrameStamp", sourceLocation: sourceLocation)
        return Tick(count: count, stamp: stamp, messages: messages, byteCount: buffer.readableBytes)
    }
}

/// What a client holds, built only from the messages it decoded, with every protocol
/// violation recorded: a double enter, an update or leave for an unknown entity, an update
/// that names a field that did not change.
struct ClientMirror {
    var entities: [LocalID: EntityMotion] = [:]
    var enterCounts: [LocalID: Int] = [:]
    var updateCounts: [LocalID: Int] = [:]
    var chats: [String] = []
    var problems: [String] = []

    mutating func apply(_ tick: Tick) {
        for message in tick.messages {
            switch message {
            case .entityEnter(let enter):
                if entities[enter.localID] != nil { problems.append("double enter of \(enter.localID)") }
                entities[enter.localID] = enter.motion
                enterCounts[enter.localID, default: 0] += 1
            case .entityUpdate(let update):
                guard let old = entities[update.localID] else {
                    problems.append("update for unknown \(update.localID)")
                    continue
                }
                if update.fields.isEmpty { problems.append("empty update for \(update.localID)") }
                if update.position == old.position || update.rotation == old.rotation || update.velocity == old.velocity {
                    problems.append("update for \(update.localID) repeats an unchanged field")
                }
                entities[update.localID] = update.applied(to: old)
                updateCounts[update.localID, default: 0] += 1
            case .entityLeave(let leave):
                if entities.removeValue(forKey: leave.localID) == nil { problems.append("leave of unknown \(leave.localID)") }
            case .chat(let chat):
                chats.append(chat.text)
            default:
                break
            }
        }
    }
}
