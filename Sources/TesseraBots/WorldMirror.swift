import NIOCore
import TesseraClientProtocol
import TesseraCodec
import TesseraWorld

/// A client's picture of the world, built only from server messages, with the protocol's
/// rules checked as it goes (docs/client-protocol.md, "Update stream"): an update or leave for
/// an entity the client was never shown, or a second enter, is a protocol error.
public struct WorldMirror: Sendable {
    public struct Entity: Sendable, Hashable {
        public var kind: EntityKind
        public var name: String
        /// What the client holds: the packed position (exact, as the server counts it), the
        /// decoded rotation and velocity (protocol 7's deltas carry them in shorter forms).
        public var motion: HeldMotion
        /// Objects (protocol 6): floating text and colour; nil when it looks standard.
        public var appearance: ObjectAppearance?
    }

    public private(set) var welcome: Welcome?
    public private(set) var entities: [LocalID: Entity] = [:]
    public private(set) var lastStamp: FrameStamp?
    public private(set) var chat: [ChatReceived] = []
    /// Admin alerts shown to this client, oldest first (at most `chatLimit`).
    public private(set) var alerts: [Alert] = []
    public private(set) var results: [ObjectResult] = []
    public private(set) var errors: [ServerError] = []
    public private(set) var pongs: [Pong] = []
    /// Protocol 8: the latest map of the grid, and the terrains received, by region.
    public private(set) var regionMap: RegionMap?
    public private(set) var terrains: [RegionHandle: Terrain] = [:]
    public private(set) var inventoryReplies: [InventoryReply] = []
    /// Script errors of this avatar's objects, oldest first (at most `chatLimit`).
    public private(set) var diagnostics: [ScriptDiagnostics] = []
    /// Answers to ObjectContentsRequest, oldest first (at most `chatLimit`).
    public private(set) var contents: [ObjectContents] = []
    /// ObjectAppearance messages applied.
    public private(set) var appearanceUpdates = 0
    /// Every change of root region (crossings and teleports), oldest first.
    public private(set) var regionChanges: [RegionChanged] = []
    /// The avatar's own local id and region: Welcome's, then the last RegionChanged's.
    public private(set) var myLocalID: LocalID?
    public private(set) var regionHandle: RegionHandle?
    public private(set) var regionName: String?
    /// Entity enters and updates applied.
    public private(set) var entityUpdates = 0
    /// EntityUpdate messages (protocol 3 to 6) and EntityDeltas entries (protocol 7) applied.
    public private(set) var entityUpdateMessages = 0
    public private(set) var entityDeltaEntries = 0
    /// Chat lines kept; older ones are dropped so a long run stays small.
    public var chatLimit = 256

    public init() {}

    public enum Violation: Error, Hashable, Sendable, CustomStringConvertible {
        case updateBeforeEnter(LocalID)
        case duplicateEnter(LocalID)
        case leaveUnknown(LocalID)
        case appearanceBeforeEnter(LocalID)
        case messageBeforeWelcome(ServerMessage.TypeCode)
        case frameWithoutStamp
        case stampWentBackwards(UInt64, UInt64)

        public var description: String {
            switch self {
            case .updateBeforeEnter(let id): "EntityUpdate for \(id) before its EntityEnter"
            case .duplicateEnter(let id): "second EntityEnter for \(id)"
            case .leaveUnknown(let id): "EntityLeave for unknown \(id)"
            case .appearanceBeforeEnter(let id): "ObjectAppearance for \(id) before its EntityEnter"
            case .messageBeforeWelcome(let type): "\(type) before Welcome"
            case .frameWithoutStamp: "update frame does not start with FrameStamp"
            case .stampWentBackwards(let old, let new): "frame stamp went back from \(old) to \(new)"
            }
        }
    }

    /// Applies one server frame; throws on the first rule it breaks.
    public mutating func apply(frame messages: [ServerMessage]) throws {
        // A frame that changes region starts with the new region's stamp.
        if messages.contains(where: { if case .regionChanged = $0 { true } else { false } }) { lastStamp = nil }
        if case .frameStamp = messages.first {} else if welcome != nil, messages.contains(where: \.isWorldUpdate) {
            throw Violation.frameWithoutStamp
        }
        for message in messages { try apply(message) }
    }

    private mutating func apply(_ message: ServerMessage) throws {
        if welcome == nil, message.isWorldUpdate { throw Violation.messageBeforeWelcome(message.typeCode) }
        switch message {
        case .welcome(let value):
            welcome = value
            myLocalID = value.localID
            regionHandle = value.regionHandle
            regionName = value.regionName
        case .frameStamp(let stamp):
            if let last = lastStamp, stamp.frame < last.frame { throw Violation.stampWentBackwards(last.frame, stamp.frame) }
            lastStamp = stamp
        case .entityEnter(let enter):
            guard entities[enter.localID] == nil else { throw Violation.duplicateEnter(enter.localID) }
            entities[enter.localID] = Entity(kind: enter.kind, name: enter.name, motion: HeldMotion(enter.motion), appearance: enter.appearance)
            entityUpdates += 1
        case .entityUpdate(let update):
            guard let entity = entities[update.localID] else { throw Violation.updateBeforeEnter(update.localID) }
            entities[update.localID]?.motion = update.applied(to: entity.motion)
            entityUpdates += 1
            entityUpdateMessages += 1
        case .entityDeltas(let deltas):
            for delta in deltas.entries {
                guard let entity = entities[delta.localID] else { throw Violation.updateBeforeEnter(delta.localID) }
                entities[delta.localID]?.motion = try delta.applied(to: entity.motion)
            }
            entityUpdates += deltas.entries.count
            entityDeltaEntries += deltas.entries.count
        case .entityLeave(let leave):
            guard entities.removeValue(forKey: leave.localID) != nil else { throw Violation.leaveUnknown(leave.localID) }
        case .chat(let line):
            chat.append(line)
            if chat.count > chatLimit { chat.removeFirst(chat.count - chatLimit) }
        case .objectResult(let result):
            results.append(result)
        case .error(let error):
            errors.append(error)
        case .pong(let pong):
            pongs.append(pong)
        case .inventory(let reply):
            inventoryReplies.append(reply)
        case .objectAppearance(let update):
            guard entities[update.localID] != nil else { throw Violation.appearanceBeforeEnter(update.localID) }
            entities[update.localID]?.appearance = update.appearance
            appearanceUpdates += 1
        case .scriptDiagnostics(let value):
            diagnostics.append(value)
            if diagnostics.count > chatLimit { diagnostics.removeFirst() }
        case .objectContents(let value):
            contents.append(value)
            if contents.count > chatLimit { contents.removeFirst() }
        case .alert(let alert):
            alerts.append(alert)
            if alerts.count > chatLimit { alerts.removeFirst() }
        case .regionChanged(let change):
            // Everything known belonged to the old region; its frame numbers too.
            entities.removeAll()
            lastStamp = nil
            myLocalID = change.localID
            regionHandle = change.regionHandle
            regionName = change.regionName
            regionChanges.append(change)
            if regionChanges.count > chatLimit { regionChanges.removeFirst() }
        case .regionMap(let map):
            regionMap = map
        case .regionTerrain(let terrain):
            terrains[terrain.region] = terrain.terrain
        }
    }

    /// The client's own avatar, once it has been shown.
    public var me: Entity? { myLocalID.flatMap { entities[$0] } }

    /// The first entity in view with this name, and its local id.
    public func entity(named name: String) -> (localID: LocalID, entity: Entity)? {
        entities.filter { $0.value.name == name }.min { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Chat lines from objects (protocol 6: the speaker kind says so; otherwise an object in
    /// view by the speaker's local id), optionally only from the object named `name`.
    public func objectChat(from name: String? = nil) -> [ChatReceived] {
        chat.filter { line in
            let fromObject = line.speakerKind.map { $0 == .object } ?? (entities[line.speaker]?.kind == .object)
            return fromObject && (name.map { line.speakerName == $0 } ?? true)
        }
    }
}

extension ServerMessage {
    var isWorldUpdate: Bool {
        switch self {
        case .entityEnter, .entityUpdate, .entityDeltas, .entityLeave, .objectAppearance: true
        default: false
        }
    }
}

/// What a load-generating bot keeps of the world, read straight from each frame's bytes:
/// the frame stamp, its own avatar, and every entity's kind and packed position (so that the
/// stream's rules are still checked: an update or leave for an entity never entered, a second
/// enter, a delta that leaves the packed range, a stamp going back). Rotations, velocities
/// other than its own, chat text, names other than those it looks for, and the replies it
/// does not act on are skipped by their length without being decoded.
struct BotMirror {
    struct Entity {
        var kind: EntityKind
        var position: PackedPosition
    }

    /// What one frame held that the bot acts on or counts.
    struct Frame {
        var stamp: FrameStamp?
        /// Entity enters, EntityUpdates and EntityDeltas entries.
        var entityUpdates = 0
        /// EntityUpdates and EntityDeltas entries, and the bytes of their messages (headers included).
        var motionUpdates = 0
        var motionUpdateBytes = 0
        var chat = 0
        var welcomed = false
        var regionChange: RegionChanged?
        /// Rare messages the bot acts on: errors and object results.
        var errors: [ServerError] = []
        var results: [ObjectResult] = []
        /// An avatar entered whose name is one of those looked for.
        var sawNamed = false
    }

    private(set) var welcomed = false
    private(set) var myLocalID: LocalID?
    private(set) var regionHandle: RegionHandle?
    private(set) var entities: [LocalID: Entity] = [:]
    /// The objects among `entities` (a bot looks for objects to touch; avatars are most of a crowd).
    private(set) var objects: Set<LocalID> = []
    /// The own avatar's velocity, m/s.
    private(set) var myVelocity: Vector3 = .zero
    private var lastFrame: UInt64?
    /// Avatar names whose arrival `Frame.sawNamed` reports.
    var namesLookedFor: Set<String> = []

    var myPosition: Vector3? { myLocalID.flatMap { entities[$0]?.position.position } }

    mutating func apply(frame: ByteBuffer) throws -> Frame {
        var result = Frame()
        var offset = frame.readerIndex
        let end = frame.writerIndex
        while offset < end {
            guard let raw = frame.getInteger(at: offset, as: UInt8.self),
                let length = frame.getInteger(at: offset + 1, endianness: .little, as: UInt16.self).map(Int.init)
            else { throw CodecError.truncated(field: "message header") }
            guard offset + 3 + length <= end, let body = frame.getSlice(at: offset + 3, length: length) else {
                throw CodecError.truncated(field: "message body of type 0x\(String(raw, radix: 16))")
            }
            offset += 3 + length
            guard let type = ServerMessage.TypeCode(rawValue: raw) else { continue }
            switch type {
            case .frameStamp:
                var reader = body
                let stamp = try FrameStamp(
                    frame: reader.readLE(UInt64.self, "frameStamp.frame"), timeMillis: reader.readLE(UInt64.self, "frameStamp.timeMillis"),
                    timeDilation: reader.readLE(UInt16.self, "frameStamp.timeDilation"))
                guard reader.readableBytes == 0 else { throw CodecError.trailingBytes(messageType: raw, count: reader.readableBytes) }
                // A frame that changes region starts with the new region's stamp.
                if let last = lastFrame, stamp.frame < last, !Self.changesRegion(frame) {
                    throw WorldMirror.Violation.stampWentBackwards(last, stamp.frame)
                }
                lastFrame = stamp.frame
                result.stamp = stamp
            case .entityEnter, .entityUpdate, .entityDeltas, .entityLeave, .objectAppearance:
                guard welcomed else { throw WorldMirror.Violation.messageBeforeWelcome(type) }
                guard result.stamp != nil else { throw WorldMirror.Violation.frameWithoutStamp }
                try applyWorld(type, body: body, into: &result)
            case .chat:
                result.chat += 1
            case .welcome:
                guard case .welcome(let welcome) = try ServerMessage.decode(type, body: body) else { continue }
                welcomed = true
                result.welcomed = true
                myLocalID = welcome.localID
                regionHandle = welcome.regionHandle
            case .regionChanged:
                guard case .regionChanged(let change) = try ServerMessage.decode(type, body: body) else { continue }
                entities.removeAll(keepingCapacity: true)
                objects.removeAll()
                myLocalID = change.localID
                regionHandle = change.regionHandle
                result.regionChange = change
            case .error:
                if case .error(let error) = try ServerMessage.decode(type, body: body) { result.errors.append(error) }
            case .objectResult:
                if case .objectResult(let value) = try ServerMessage.decode(type, body: body) { result.results.append(value) }
            case .pong, .inventory, .alert, .objectContents, .scriptDiagnostics, .regionMap, .regionTerrain:
                continue
            }
        }
        return result
    }

    private static func changesRegion(_ frame: ByteBuffer) -> Bool {
        var offset = frame.readerIndex
        while let raw = frame.getInteger(at: offset, as: UInt8.self),
            let length = frame.getInteger(at: offset + 1, endianness: .little, as: UInt16.self) {
            if raw == ServerMessage.TypeCode.regionChanged.rawValue { return true }
            offset += 3 + Int(length)
        }
        return false
    }

    private mutating func applyWorld(_ type: ServerMessage.TypeCode, body: ByteBuffer, into result: inout Frame) throws {
        switch type {
        case .entityDeltas:
            var reader = EntityDeltas.Reader(body: body)
            result.motionUpdateBytes += 3 + body.readableBytes
            while let delta = try reader.next() {
                try apply(delta)
                result.motionUpdates += 1
                result.entityUpdates += 1
            }
        case .entityUpdate:
            var reader = body
            let id = try reader.readLE(UInt32.self, "entityUpdate.localID")
            let fields = EntityUpdate.Fields(rawValue: try reader.readLE(UInt8.self, "entityUpdate.fields"))
            guard EntityUpdate.Fields.all.isSuperset(of: fields) else {
                throw CodecError.invalidValue(field: "entityUpdate.fields", reason: "unknown bits in \(fields.rawValue)")
            }
            guard entities[id] != nil else { throw WorldMirror.Violation.updateBeforeEnter(id) }
            if fields.contains(.position) {
                entities[id]?.position = PackedPosition(rawValue: try reader.readLE(UInt64.self, "entityUpdate.position"))
            }
            if fields.contains(.rotation) { _ = try reader.readLE(UInt32.self, "entityUpdate.rotation") }
            if fields.contains(.velocity) {
                let x = try reader.readLE(Int16.self, "entityUpdate.velocity")
                let y = try reader.readLE(Int16.self, "entityUpdate.velocity")
                let z = try reader.readLE(Int16.self, "entityUpdate.velocity")
                if id == myLocalID { myVelocity = PackedVelocity(x: x, y: y, z: z).velocity }
            }
            guard reader.readableBytes == 0 else { throw CodecError.trailingBytes(messageType: type.rawValue, count: reader.readableBytes) }
            result.motionUpdates += 1
            result.motionUpdateBytes += 3 + body.readableBytes
            result.entityUpdates += 1
        case .entityLeave:
            var reader = body
            let id = try reader.readLE(UInt32.self, "entityLeave.localID")
            guard reader.readableBytes == 0 else { throw CodecError.trailingBytes(messageType: type.rawValue, count: reader.readableBytes) }
            guard entities.removeValue(forKey: id) != nil else { throw WorldMirror.Violation.leaveUnknown(id) }
            objects.remove(id)
        case .entityEnter:
            guard case .entityEnter(let enter) = try ServerMessage.decode(type, body: body) else { return }
            guard entities[enter.localID] == nil else { throw WorldMirror.Violation.duplicateEnter(enter.localID) }
            entities[enter.localID] = Entity(kind: enter.kind, position: enter.motion.position)
            if enter.kind == .object { objects.insert(enter.localID) }
            if enter.localID == myLocalID { myVelocity = enter.motion.velocity.velocity }
            if enter.kind == .avatar, !namesLookedFor.isEmpty, namesLookedFor.contains(enter.name) { result.sawNamed = true }
            result.entityUpdates += 1
        case .objectAppearance:
            var reader = body
            let id = try reader.readLE(UInt32.self, "objectAppearance.localID")
            guard entities[id] != nil else { throw WorldMirror.Violation.appearanceBeforeEnter(id) }
        default:
            break
        }
    }

    private mutating func apply(_ delta: EntityDelta) throws {
        guard let index = entities.index(forKey: delta.localID) else { throw WorldMirror.Violation.updateBeforeEnter(delta.localID) }
        if let position = delta.position {
            entities.values[index].position = position
        } else if delta.flags.contains(.deltaXY) || delta.flags.contains(.deltaZ) {
            let steps = EntityDelta.steps(entities.values[index].position)
            let x = steps.x + Int64(delta.dx) * EntityDelta.horizontalUnit
            let y = steps.y + Int64(delta.dy) * EntityDelta.horizontalUnit
            let z = steps.z + Int64(delta.dz) * EntityDelta.verticalUnit
            guard (0..<(1 << 20)).contains(x), (0..<(1 << 20)).contains(y), (0..<(1 << 24)).contains(z) else {
                throw CodecError.invalidValue(field: "entityDeltas.position", reason: "entity \(delta.localID) moved out of the packed range")
            }
            entities.values[index].position = PackedPosition(rawValue: UInt64(x) | UInt64(y) << 20 | UInt64(z) << 40)
        }
        if delta.localID == myLocalID {
            if let short = delta.shortVelocity { myVelocity = EntityDelta.velocity(short: short) }
            if let velocity = delta.velocity { myVelocity = velocity.velocity }
        }
    }
}
