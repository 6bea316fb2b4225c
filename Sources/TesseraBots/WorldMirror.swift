import TesseraClientProtocol
import TesseraWorld

/// A client's picture of the world, built only from server messages, with the protocol's
/// rules checked as it goes (docs/client-protocol.md, "Update stream"): an update or leave for
/// an entity the client was never shown, or a second enter, is a protocol error.
public struct WorldMirror: Sendable {
    public struct Entity: Sendable, Hashable {
        public var kind: EntityKind
        public var name: String
        public var motion: EntityMotion
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
            entities[enter.localID] = Entity(kind: enter.kind, name: enter.name, motion: enter.motion, appearance: enter.appearance)
            entityUpdates += 1
        case .entityUpdate(let update):
            guard let entity = entities[update.localID] else { throw Violation.updateBeforeEnter(update.localID) }
            entities[update.localID]?.motion = update.applied(to: entity.motion)
            entityUpdates += 1
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
        case .entityEnter, .entityUpdate, .entityLeave, .objectAppearance: true
        default: false
        }
    }
}
