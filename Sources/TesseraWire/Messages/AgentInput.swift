import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// Client manager → region: one command of an avatar, already validated at the edge.
public struct AgentInput: WireMessageBody {
    public static let messageType = WireMessageType.agentInput

    public var region: RegionHandle
    public var agentID: AgentID
    /// Numbers the avatar's commands in the order the client manager sent them (1, 2, …);
    /// a hand-off says which it folded into the avatar's state, and the client manager replays
    /// the later ones to the destination (docs/handoff.md).
    public var sequence: UInt32
    public var command: AgentCommand

    public init(region: RegionHandle, agentID: AgentID, sequence: UInt32 = 0, command: AgentCommand) {
        self.region = region
        self.agentID = agentID
        self.sequence = sequence
        self.command = command
    }

    public init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "agentInput.region"))
        agentID = try buffer.readUUID("agentInput.agentID")
        sequence = try buffer.readLE(UInt32.self, "agentInput.sequence")
        command = try AgentCommand(from: &buffer)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeUUID(agentID)
        buffer.writeLE(sequence)
        command.encode(into: &buffer)
    }
}

/// What an avatar can ask of its region in this version.
public enum AgentCommand: Hashable, Sendable {
    case move(MovementIntent)
    case chat(ChatType, channel: Int32, text: String)
    case createObject(requestID: UInt32, ObjectSpec)
    case deleteObject(requestID: UInt32, LocalID)
    /// Rez an inventory item at a point of the region (the region asks the grid).
    case rez(requestID: UInt32, item: UUID, position: Vector3)
    /// Take an object back into inventory (the region asks the grid).
    case take(requestID: UInt32, LocalID)
    /// Teleport to a region by name (or, when the name is empty, by grid position), landing at
    /// `position` (its local metres), or at the region's arrival point when nil.
    case teleport(requestID: UInt32, region: String, gridPosition: GridPosition, position: Vector3?)
    /// Move an object the avatar owns; a position past a border sends it to the neighbour.
    case moveObject(requestID: UInt32, LocalID, position: Vector3)
    /// Give a physical object an impulse (N·s) through the physics service.
    case push(requestID: UInt32, LocalID, impulse: Vector3)
    /// The avatar starts or stops touching an object (the region raises touch_start/touch_end
    /// in its scripts). No reply.
    case touch(LocalID, phase: TouchPhase)
    /// Add a script named `name` to an object the avatar may modify, from an item of its
    /// inventory or from source text. Answered `updated` or `failed`.
    case addScript(requestID: UInt32, LocalID, name: String, source: ScriptSourceRef)
    /// Reset, stop, start or remove the script item `item` of an object the avatar may modify.
    /// Answered `updated` or `failed`.
    case scriptControl(requestID: UInt32, LocalID, item: String, action: ScriptItemAction)
    /// List an object's contents. Answered `contents` or `failed`.
    case contents(requestID: UInt32, LocalID)

    enum Tag: UInt8 {
        case move = 1
        case chat = 2
        case createObject = 3
        case deleteObject = 4
        case rez = 5
        case take = 6
        case teleport = 7
        case moveObject = 8
        case push = 9
        case touch = 10
        case addScript = 11
        case scriptControl = 12
        case contents = 13
    }

    init(from buffer: inout ByteBuffer) throws {
        let raw = try buffer.readLE(UInt8.self, "agentInput.command")
        guard let tag = Tag(rawValue: raw) else {
            throw CodecError.invalidValue(field: "agentInput.command", reason: "unknown command \(raw)")
        }
        switch tag {
        case .move:
            let mode = try buffer.readEnum(MovementMode.self, "move.mode")
            let heading = try buffer.readFloatLE("move.heading")
            let vertical = try buffer.readLE(Int8.self, "move.vertical")
            self = .move(MovementIntent(mode: mode, heading: heading, vertical: max(-1, min(1, vertical))))
        case .chat:
            let type = try buffer.readEnum(ChatType.self, "chat.type")
            let channel = try buffer.readLE(Int32.self, "chat.channel")
            let text = try buffer.readText("chat.text", maxBytes: maxChatBytes)
            self = .chat(type, channel: channel, text: text)
        case .createObject:
            let requestID = try buffer.readLE(UInt32.self, "createObject.requestID")
            self = .createObject(requestID: requestID, try ObjectSpec(from: &buffer))
        case .deleteObject:
            let requestID = try buffer.readLE(UInt32.self, "deleteObject.requestID")
            self = .deleteObject(requestID: requestID, try buffer.readLE(UInt32.self, "deleteObject.localID"))
        case .rez:
            let requestID = try buffer.readLE(UInt32.self, "rez.requestID")
            self = .rez(requestID: requestID, item: try buffer.readUUID("rez.item"), position: try buffer.readVector("rez.position"))
        case .take:
            let requestID = try buffer.readLE(UInt32.self, "take.requestID")
            self = .take(requestID: requestID, try buffer.readLE(UInt32.self, "take.localID"))
        case .teleport:
            let requestID = try buffer.readLE(UInt32.self, "teleport.requestID")
            let region = try buffer.readText("teleport.region", maxBytes: maxNameBytes)
            let x = try buffer.readLE(UInt32.self, "teleport.gridX")
            let y = try buffer.readLE(UInt32.self, "teleport.gridY")
            let position = try buffer.readOptionalVector("teleport.position")
            self = .teleport(requestID: requestID, region: region, gridPosition: try GridPosition.decoded(x: x, y: y, field: "teleport.gridX"), position: position)
        case .moveObject:
            let requestID = try buffer.readLE(UInt32.self, "moveObject.requestID")
            let localID = try buffer.readLE(UInt32.self, "moveObject.localID")
            self = .moveObject(requestID: requestID, localID, position: try buffer.readVector("moveObject.position"))
        case .push:
            let requestID = try buffer.readLE(UInt32.self, "push.requestID")
            let localID = try buffer.readLE(UInt32.self, "push.localID")
            self = .push(requestID: requestID, localID, impulse: try buffer.readVector("push.impulse"))
        case .touch:
            let localID = try buffer.readLE(UInt32.self, "touch.localID")
            self = .touch(localID, phase: try buffer.readEnum(TouchPhase.self, "touch.phase"))
        case .addScript:
            let requestID = try buffer.readLE(UInt32.self, "addScript.requestID")
            let localID = try buffer.readLE(UInt32.self, "addScript.localID")
            let name = try buffer.readText("addScript.name", maxBytes: maxNameBytes)
            self = .addScript(requestID: requestID, localID, name: name, source: try ScriptSourceRef(from: &buffer, "addScript.source"))
        case .scriptControl:
            let requestID = try buffer.readLE(UInt32.self, "scriptControl.requestID")
            let localID = try buffer.readLE(UInt32.self, "scriptControl.localID")
            let item = try buffer.readText("scriptControl.item", maxBytes: maxNameBytes)
            self = .scriptControl(requestID: requestID, localID, item: item, action: try buffer.readEnum(ScriptItemAction.self, "scriptControl.action"))
        case .contents:
            let requestID = try buffer.readLE(UInt32.self, "contents.requestID")
            self = .contents(requestID: requestID, try buffer.readLE(UInt32.self, "contents.localID"))
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .move(let intent):
            buffer.writeLE(Tag.move.rawValue)
            buffer.writeLE(intent.mode.rawValue)
            buffer.writeFloatLE(intent.heading)
            buffer.writeLE(intent.vertical)
        case .chat(let type, let channel, let text):
            buffer.writeLE(Tag.chat.rawValue)
            buffer.writeLE(type.rawValue)
            buffer.writeLE(channel)
            buffer.writeText(text)
        case .createObject(let requestID, let spec):
            buffer.writeLE(Tag.createObject.rawValue)
            buffer.writeLE(requestID)
            spec.encode(into: &buffer)
        case .deleteObject(let requestID, let localID):
            buffer.writeLE(Tag.deleteObject.rawValue)
            buffer.writeLE(requestID)
            buffer.writeLE(localID)
        case .rez(let requestID, let item, let position):
            buffer.writeLE(Tag.rez.rawValue)
            buffer.writeLE(requestID)
            buffer.writeUUID(item)
            buffer.writeVector(position)
        case .take(let requestID, let localID):
            buffer.writeLE(Tag.take.rawValue)
            buffer.writeLE(requestID)
            buffer.writeLE(localID)
        case .teleport(let requestID, let region, let gridPosition, let position):
            buffer.writeLE(Tag.teleport.rawValue)
            buffer.writeLE(requestID)
            buffer.writeText(region)
            buffer.writeLE(gridPosition.x)
            buffer.writeLE(gridPosition.y)
            buffer.writeOptionalVector(position)
        case .moveObject(let requestID, let localID, let position):
            buffer.writeLE(Tag.moveObject.rawValue)
            buffer.writeLE(requestID)
            buffer.writeLE(localID)
            buffer.writeVector(position)
        case .push(let requestID, let localID, let impulse):
            buffer.writeLE(Tag.push.rawValue)
            buffer.writeLE(requestID)
            buffer.writeLE(localID)
            buffer.writeVector(impulse)
        case .touch(let localID, let phase):
            buffer.writeLE(Tag.touch.rawValue)
            buffer.writeLE(localID)
            buffer.writeLE(phase.rawValue)
        case .addScript(let requestID, let localID, let name, let source):
            buffer.writeLE(Tag.addScript.rawValue)
            buffer.writeLE(requestID)
            buffer.writeLE(localID)
            buffer.writeText(name, maxBytes: maxNameBytes)
            source.encode(into: &buffer)
        case .scriptControl(let requestID, let localID, let item, let action):
            buffer.writeLE(Tag.scriptControl.rawValue)
            buffer.writeLE(requestID)
            buffer.writeLE(localID)
            buffer.writeText(item, maxBytes: maxNameBytes)
            buffer.writeLE(action.rawValue)
        case .contents(let requestID, let localID):
            buffer.writeLE(Tag.contents.rawValue)
            buffer.writeLE(requestID)
            buffer.writeLE(localID)
        }
    }
}

/// Whether an avatar starts or stops touching an object.
public enum TouchPhase: UInt8, Hashable, Sendable, CaseIterable {
    case start = 1
    case end = 2
}

/// What an avatar asks of a script item in an object.
public enum ScriptItemAction: UInt8, Hashable, Sendable, CaseIterable {
    /// Start it afresh: globals to their initial values, default state, queue emptied.
    case reset = 1
    /// Stop running it (its state is kept).
    case stop = 2
    /// Run it again after a stop.
    case start = 3
    /// Take it out of the object's contents.
    case remove = 4
}

/// Where a new script's source comes from.
public enum ScriptSourceRef: Hashable, Sendable {
    /// A script item of the avatar's inventory (its asset is the LSL source).
    case inventory(UUID)
    /// The source text itself (at most `maxTextBytes` bytes of UTF-8, no U+0000).
    case text(String)

    /// Longest script source, in UTF-8 bytes (64 KiB).
    public static let maxTextBytes = 65536

    /// A `u8` kind (1 inventory, 2 text), then the item id (`uuid`) or the text (`u32` byte
    /// count, then UTF-8).
    init(from buffer: inout ByteBuffer, _ field: String) throws {
        switch try buffer.readLE(UInt8.self, field + ".kind") {
        case 1: self = .inventory(try buffer.readUUID(field + ".item"))
        case 2: self = .text(try buffer.readLongText(field + ".text", maxBytes: Self.maxTextBytes))
        case let other: throw CodecError.invalidValue(field: field + ".kind", reason: "expected 1 (inventory item) or 2 (text), got \(other)")
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .inventory(let item):
            buffer.writeLE(UInt8(1))
            buffer.writeUUID(item)
        case .text(let text):
            buffer.writeLE(UInt8(2))
            buffer.writeLongText(text, maxBytes: Self.maxTextBytes)
        }
    }
}

/// An object to create: shape, placement, size and name.
public struct ObjectSpec: Hashable, Sendable {
    public var shape: Shape
    public var position: Vector3
    public var rotation: Quaternion
    public var scale: Vector3
    public var name: String
    /// Moved by physics (falls, collides, can be pushed) instead of staying put.
    public var physical: Bool
    /// Its collision starts and ends are asked of the physics service.
    public var reportsCollisions: Bool

    public init(shape: Shape, position: Vector3, rotation: Quaternion, scale: Vector3, name: String, physical: Bool = false, reportsCollisions: Bool = false) {
        self.physical = physical
        self.reportsCollisions = reportsCollisions
        self.shape = shape
        self.position = position
        self.rotation = rotation
        self.scale = scale
        self.name = name
    }

    init(from buffer: inout ByteBuffer) throws {
        shape = try buffer.readEnum(Shape.self, "object.shape")
        position = try buffer.readVector("object.position")
        rotation = try buffer.readQuaternion("object.rotation")
        scale = try buffer.readVector("object.scale")
        name = try buffer.readText("object.name", maxBytes: maxNameBytes)
        let flags = try buffer.readLE(UInt8.self, "object.flags")
        guard flags & ~3 == 0 else { throw CodecError.invalidValue(field: "object.flags", reason: "unknown bits in \(flags)") }
        physical = flags & 1 != 0
        reportsCollisions = flags & 2 != 0
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(shape.rawValue)
        buffer.writeVector(position)
        buffer.writeQuaternion(rotation)
        buffer.writeVector(scale)
        buffer.writeText(name)
        buffer.writeLE(UInt8((physical ? 1 : 0) | (reportsCollisions ? 2 : 0)))
    }
}
