import Foundation
import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// Everything a client needs to draw an entity the first time it sees it.
public struct EntityInfo: Hashable, Sendable {
    public var localID: LocalID
    public var kind: EntityKind
    /// Avatars are drawn as a cylinder.
    public var shape: Shape
    public var name: String
    public var scale: Vector3
    public var motion: EntityMotion
    /// An object's floating text and colour; nil for avatars and for objects that look as
    /// `ObjectAppearance.standard` (no text, white, opaque).
    public var appearance: ObjectAppearance?
    /// An avatar's account id (nil for objects): clients that name avatars by id (the Second
    /// Life protocol's FullID) see the same id in every region.
    public var agentID: AgentID?

    public init(
        localID: LocalID, kind: EntityKind, shape: Shape, name: String, scale: Vector3, motion: EntityMotion,
        appearance: ObjectAppearance? = nil, agentID: AgentID? = nil
    ) {
        self.localID = localID
        self.kind = kind
        self.shape = shape
        self.name = name
        self.scale = scale
        self.motion = motion
        self.appearance = appearance
        self.agentID = agentID
    }

    /// Encoded size without the name's bytes and without an appearance.
    public static let minWireBytes = 39

    public init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "entity.localID")
        kind = try buffer.readEnum(EntityKind.self, "entity.kind")
        shape = try buffer.readEnum(Shape.self, "entity.shape")
        name = try buffer.readText("entity.name", maxBytes: maxNameBytes)
        scale = try buffer.readVector("entity.scale")
        motion = try buffer.readMotion("entity.motion")
        // Bit 0: an appearance follows; bit 1: an agent id follows it.
        let flags = try buffer.readLE(UInt8.self, "entity.flags")
        guard flags & ~0b11 == 0 else {
            throw CodecError.invalidValue(field: "entity.flags", reason: "expected bits 0 and 1 only, got \(flags)")
        }
        appearance = flags & 1 != 0 ? try buffer.readAppearance("entity.appearance") : nil
        agentID = flags & 2 != 0 ? try buffer.readUUID("entity.agentID") : nil
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        buffer.writeLE(kind.rawValue)
        buffer.writeLE(shape.rawValue)
        buffer.writeText(name)
        buffer.writeVector(scale)
        buffer.writeMotion(motion)
        buffer.writeLE(UInt8((appearance == nil ? 0 : 1) | (agentID == nil ? 0 : 2)))
        if let appearance { buffer.writeAppearance(appearance) }
        if let agentID { buffer.writeUUID(agentID) }
    }
}

/// An object's floating text or colour changed this frame (entity state: to every manager).
public struct AppearanceChange: Hashable, Sendable {
    public var localID: LocalID
    public var appearance: ObjectAppearance

    public init(localID: LocalID, appearance: ObjectAppearance) {
        self.localID = localID
        self.appearance = appearance
    }

    public static let minWireBytes = 4 + ObjectAppearance.minWireBytes

    public init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "appearance.localID")
        appearance = try buffer.readAppearance("appearance")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        buffer.writeAppearance(appearance)
    }
}

/// Script messages for one avatar, the owner of a scripted object: a script's compile errors
/// (`compile` true) or run-time errors. Addressed like replies, to the manager of `agent`.
public struct ScriptNotice: Hashable, Sendable {
    /// Most lines one notice carries, and the longest line (UTF-8 bytes).
    public static let maxLines = 32
    public static let maxLineBytes = 1024

    /// Local id of the avatar told (the object's owner).
    public var agent: LocalID
    /// The scripted object's local id, and its name.
    public var object: LocalID
    public var objectName: String
    /// The script item's name.
    public var item: String
    public var compile: Bool
    /// "name:line:col: error: message" lines, or run-time error text.
    public var lines: [String]

    /// Keeps at most `maxLines` lines (the last one kept says how many were left out) of at
    /// most `maxLineBytes` bytes each, cut at a character boundary.
    public init(agent: LocalID, object: LocalID, objectName: String, item: String, compile: Bool, lines: [String]) {
        self.agent = agent
        self.object = object
        self.objectName = objectName
        self.item = item
        self.compile = compile
        self.lines = Self.fitting(lines)
    }

    /// `lines` within the limits of a notice.
    public static func fitting(_ lines: [String]) -> [String] {
        var kept = lines.map { line in
            line.utf8.count <= maxLineBytes && !line.utf8.contains(0)
                ? line : String(line.replacingOccurrences(of: "\u{0}", with: "").prefix(utf8Bytes: maxLineBytes))
        }
        if kept.count > maxLines {
            let omitted = kept.count - (maxLines - 1)
            kept.removeLast(kept.count - (maxLines - 1))
            kept.append("… \(omitted) more")
        }
        return kept
    }

    public static let minWireBytes = 17

    public init(from buffer: inout ByteBuffer) throws {
        agent = try buffer.readLE(UInt32.self, "scriptNotice.agent")
        object = try buffer.readLE(UInt32.self, "scriptNotice.object")
        objectName = try buffer.readText("scriptNotice.objectName", maxBytes: maxNameBytes)
        item = try buffer.readText("scriptNotice.item", maxBytes: maxNameBytes)
        switch try buffer.readLE(UInt8.self, "scriptNotice.compile") {
        case 0: compile = false
        case 1: compile = true
        case let other: throw CodecError.invalidValue(field: "scriptNotice.compile", reason: "expected 0 or 1, got \(other)")
        }
        let count = try buffer.readCount("scriptNotice.lines", minElementBytes: 2)
        guard count <= Self.maxLines else {
            throw CodecError.invalidValue(field: "scriptNotice.lines", reason: "\(count) lines, at most \(Self.maxLines) allowed")
        }
        lines = try (0..<count).map { _ in try buffer.readText("scriptNotice.lines", maxBytes: Self.maxLineBytes) }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(agent)
        buffer.writeLE(object)
        buffer.writeText(objectName, maxBytes: maxNameBytes)
        buffer.writeText(item, maxBytes: maxNameBytes)
        buffer.writeLE(UInt8(compile ? 1 : 0))
        let lines = Self.fitting(lines)
        buffer.writeCount(lines.count)
        for line in lines { buffer.writeText(line, maxBytes: Self.maxLineBytes) }
    }
}

/// One item of an object's contents, as a contents reply lists it.
public typealias ContentSummary = ContentItemSummary

public struct MovedEntity: Hashable, Sendable {
    public var localID: LocalID
    public var motion: EntityMotion

    public init(localID: LocalID, motion: EntityMotion) {
        self.localID = localID
        self.motion = motion
    }

    public init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "moved.localID")
        motion = try buffer.readMotion("moved.motion")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        buffer.writeMotion(motion)
    }
}

/// Entities that came into or went out of one avatar's view this frame. The first change
/// for a newly joined avatar carries its whole initial view.
public struct InterestChange: Hashable, Sendable {
    public var agent: LocalID
    public var entered: [LocalID]
    public var left: [LocalID]

    public init(agent: LocalID, entered: [LocalID], left: [LocalID]) {
        self.agent = agent
        self.entered = entered
        self.left = left
    }

    public init(from buffer: inout ByteBuffer) throws {
        agent = try buffer.readLE(UInt32.self, "interest.agent")
        let enteredCount = try buffer.readCount("interest.entered", minElementBytes: 4)
        entered = try (0..<enteredCount).map { _ in try buffer.readLE(UInt32.self, "interest.entered") }
        let leftCount = try buffer.readCount("interest.left", minElementBytes: 4)
        left = try (0..<leftCount).map { _ in try buffer.readLE(UInt32.self, "interest.left") }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(agent)
        buffer.writeCount(entered.count)
        for id in entered { buffer.writeLE(id) }
        buffer.writeCount(left.count)
        for id in left { buffer.writeLE(id) }
    }
}

/// One chat line and the avatars that hear it.
public struct ChatDelivery: Hashable, Sendable {
    public var speaker: LocalID
    public var speakerName: String
    public var type: ChatType
    public var channel: Int32
    public var position: PackedPosition
    public var text: String
    public var recipients: [LocalID]
    /// Whether an avatar or an object spoke.
    public var speakerKind: EntityKind

    public init(
        speaker: LocalID, speakerName: String, type: ChatType, channel: Int32,
        position: PackedPosition, text: String, recipients: [LocalID], speakerKind: EntityKind = .avatar
    ) {
        self.speakerKind = speakerKind
        self.speaker = speaker
        self.speakerName = speakerName
        self.type = type
        self.channel = channel
        self.position = position
        self.text = text
        self.recipients = recipients
    }

    public init(from buffer: inout ByteBuffer) throws {
        speaker = try buffer.readLE(UInt32.self, "chat.speaker")
        speakerName = try buffer.readText("chat.speakerName", maxBytes: maxNameBytes)
        type = try buffer.readEnum(ChatType.self, "chat.type")
        channel = try buffer.readLE(Int32.self, "chat.channel")
        position = PackedPosition(rawValue: try buffer.readLE(UInt64.self, "chat.position"))
        text = try buffer.readText("chat.text", maxBytes: maxChatBytes)
        let count = try buffer.readCount("chat.recipients", minElementBytes: 4)
        recipients = try (0..<count).map { _ in try buffer.readLE(UInt32.self, "chat.recipients") }
        speakerKind = try buffer.readEnum(EntityKind.self, "chat.speakerKind")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(speaker)
        buffer.writeText(speakerName)
        buffer.writeLE(type.rawValue)
        buffer.writeLE(channel)
        buffer.writeLE(position.rawValue)
        buffer.writeText(text)
        buffer.writeCount(recipients.count)
        for id in recipients { buffer.writeLE(id) }
        buffer.writeLE(speakerKind.rawValue)
    }
}

/// The outcome of an avatar's create, delete, rez or take command.
public struct CommandReply: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        case created(LocalID)
        case deleted(LocalID)
        case failed(code: UInt16, message: String)
        /// A rez made this object (persistent id and local id).
        case rezzed(LocalID, object: UUID)
        /// A take made this inventory item.
        case taken(item: UUID)
        /// A rez or take failed (answered to the client as an inventory reply).
        case callFailed(code: UInt16, message: String)
        /// An object moved within the region, or the avatar teleported within it.
        case moved(LocalID)
        /// An object moved over a border into the neighbour region, which now holds it.
        case crossed(LocalID)
        /// An addScript or scriptControl was carried out on this object's contents.
        case updated(LocalID)
        /// The contents of this object, answering a contents command (at most
        /// `ContentSummary.maxItems`).
        case contents(LocalID, [ContentSummary])
    }

    public var agent: LocalID
    public var requestID: UInt32
    public var outcome: Outcome

    public init(agent: LocalID, requestID: UInt32, outcome: Outcome) {
        self.agent = agent
        self.requestID = requestID
        self.outcome = outcome
    }

    public init(from buffer: inout ByteBuffer) throws {
        agent = try buffer.readLE(UInt32.self, "reply.agent")
        requestID = try buffer.readLE(UInt32.self, "reply.requestID")
        switch try buffer.readLE(UInt8.self, "reply.outcome") {
        case 1: outcome = .created(try buffer.readLE(UInt32.self, "reply.localID"))
        case 2: outcome = .deleted(try buffer.readLE(UInt32.self, "reply.localID"))
        case 3:
            let code = try buffer.readLE(UInt16.self, "reply.code")
            outcome = .failed(code: code, message: try buffer.readText("reply.message", maxBytes: 1024))
        case 4:
            let localID = try buffer.readLE(UInt32.self, "reply.localID")
            outcome = .rezzed(localID, object: try buffer.readUUID("reply.object"))
        case 5: outcome = .taken(item: try buffer.readUUID("reply.item"))
        case 6:
            let code = try buffer.readLE(UInt16.self, "reply.code")
            outcome = .callFailed(code: code, message: try buffer.readText("reply.message", maxBytes: 1024))
        case 7: outcome = .moved(try buffer.readLE(UInt32.self, "reply.localID"))
        case 8: outcome = .crossed(try buffer.readLE(UInt32.self, "reply.localID"))
        case 9: outcome = .updated(try buffer.readLE(UInt32.self, "reply.localID"))
        case 10:
            let localID = try buffer.readLE(UInt32.self, "reply.localID")
            let count = try buffer.readCount("reply.items", minElementBytes: ContentSummary.minWireBytes)
            guard count <= ContentSummary.maxItems else {
                throw CodecError.invalidValue(field: "reply.items", reason: "\(count) items, at most \(ContentSummary.maxItems) allowed")
            }
            outcome = .contents(localID, try (0..<count).map { _ in try ContentSummary(from: &buffer, field: "content") })
        case let other:
            throw CodecError.invalidValue(field: "reply.outcome", reason: "unknown outcome \(other)")
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(agent)
        buffer.writeLE(requestID)
        switch outcome {
        case .created(let id):
            buffer.writeLE(UInt8(1))
            buffer.writeLE(id)
        case .deleted(let id):
            buffer.writeLE(UInt8(2))
            buffer.writeLE(id)
        case .failed(let code, let message):
            buffer.writeLE(UInt8(3))
            buffer.writeLE(code)
            buffer.writeText(message)
        case .rezzed(let localID, let object):
            buffer.writeLE(UInt8(4))
            buffer.writeLE(localID)
            buffer.writeUUID(object)
        case .taken(let item):
            buffer.writeLE(UInt8(5))
            buffer.writeUUID(item)
        case .callFailed(let code, let message):
            buffer.writeLE(UInt8(6))
            buffer.writeLE(code)
            buffer.writeText(message)
        case .moved(let id):
            buffer.writeLE(UInt8(7))
            buffer.writeLE(id)
        case .crossed(let id):
            buffer.writeLE(UInt8(8))
            buffer.writeLE(id)
        case .updated(let id):
            buffer.writeLE(UInt8(9))
            buffer.writeLE(id)
        case .contents(let id, let items):
            buffer.writeLE(UInt8(10))
            buffer.writeLE(id)
            let kept = items.prefix(ContentSummary.maxItems)
            buffer.writeCount(kept.count)
            for item in kept { item.encode(into: &buffer) }
        }
    }
}

extension ObjectAppearance {
    /// The appearance of a scene object's look.
    public init(_ look: ObjectLook) {
        self.init(text: look.text, textColor: look.textColor, textAlpha: look.textAlpha, color: look.color, alpha: look.alpha)
    }

    /// What `EntityInfo.appearance` carries for a look: nil for the standard one.
    public static func carried(for look: ObjectLook) -> ObjectAppearance? {
        let appearance = ObjectAppearance(look)
        return appearance == .standard ? nil : appearance
    }
}
