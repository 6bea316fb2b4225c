import Foundation
import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// An LSL value on the wire (event arguments). Lists hold no lists, as in LSL.
public indirect enum ScriptValue: Hashable, Sendable {
    case integer(Int32)
    case float(Float)
    case string(String)
    case key(String)
    case vector(Vector3)
    case rotation(Quaternion)
    case list([ScriptValue])

    static let maxStringBytes = 4096
    static let maxListItems = 256

    public init(from buffer: inout ByteBuffer, _ field: String, inList: Bool = false) throws {
        /// Any float but NaN (infinities are LSL values; NaN never reaches a script as an argument).
        func number() throws -> Float {
            let value = Float(bitPattern: try buffer.readLE(UInt32.self, field))
            guard !value.isNaN else { throw CodecError.invalidValue(field: field, reason: "NaN") }
            return value
        }
        switch try buffer.readLE(UInt8.self, "\(field).type") {
        case 1: self = .integer(try buffer.readLE(Int32.self, field))
        case 2: self = .float(try number())
        case 3: self = .string(try buffer.readText(field, maxBytes: Self.maxStringBytes))
        case 4: self = .key(try buffer.readText(field, maxBytes: 36))
        case 5: self = .vector(Vector3(try number(), try number(), try number()))
        case 6: self = .rotation(Quaternion(x: try number(), y: try number(), z: try number(), w: try number()))
        case 7:
            guard !inList else { throw CodecError.invalidValue(field: field, reason: "a list inside a list") }
            let count = try buffer.readCount(field, minElementBytes: 2)
            guard count <= Self.maxListItems else {
                throw CodecError.invalidValue(field: field, reason: "\(count) items, more than \(Self.maxListItems)")
            }
            self = .list(try (0..<count).map { _ in try ScriptValue(from: &buffer, field, inList: true) })
        case let other: throw CodecError.invalidValue(field: "\(field).type", reason: "unknown value type \(other)")
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .integer(let value):
            buffer.writeLE(UInt8(1))
            buffer.writeLE(value)
        case .float(let value):
            buffer.writeLE(UInt8(2))
            buffer.writeLE(value.bitPattern)
        case .string(let value):
            buffer.writeLE(UInt8(3))
            buffer.writeText(value, maxBytes: Self.maxStringBytes)
        case .key(let value):
            buffer.writeLE(UInt8(4))
            buffer.writeText(value, maxBytes: 36)
        case .vector(let value):
            buffer.writeLE(UInt8(5))
            for component in [value.x, value.y, value.z] { buffer.writeLE(component.bitPattern) }
        case .rotation(let value):
            buffer.writeLE(UInt8(6))
            for component in [value.x, value.y, value.z, value.w] { buffer.writeLE(component.bitPattern) }
        case .list(let items):
            buffer.writeLE(UInt8(7))
            let kept = items.prefix(Self.maxListItems).filter { if case .list = $0 { false } else { true } }
            buffer.writeCount(kept.count)
            for item in kept { item.encode(into: &buffer) }
        }
    }
}

/// What `llDetected*` answers about one detected avatar or object.
public struct DetectedInfo: Hashable, Sendable {
    public static let agent: UInt8 = 1
    public static let active: UInt8 = 2
    public static let passive: UInt8 = 4
    public static let scripted: UInt8 = 8

    public var key: UUID
    public var name: String
    public var owner: UUID
    /// LSL's AGENT / ACTIVE / PASSIVE / SCRIPTED bits.
    public var kind: UInt8
    public var position: Vector3
    public var rotation: Quaternion
    public var velocity: Vector3
    /// The face touched (touch events), -1 otherwise.
    public var touchFace: Int32

    public init(key: UUID, name: String, owner: UUID, kind: UInt8, position: Vector3, rotation: Quaternion = .identity, velocity: Vector3 = .zero, touchFace: Int32 = -1) {
        self.key = key
        self.name = name
        self.owner = owner
        self.kind = kind
        self.position = position
        self.rotation = rotation
        self.velocity = velocity
        self.touchFace = touchFace
    }

    static let minBytes = 16 + 2 + 16 + 1 + 12 + 16 + 12 + 4

    public init(from buffer: inout ByteBuffer) throws {
        key = try buffer.readUUID("detected.key")
        name = try buffer.readText("detected.name", maxBytes: maxNameBytes)
        owner = try buffer.readUUID("detected.owner")
        kind = try buffer.readLE(UInt8.self, "detected.kind")
        guard kind & ~15 == 0 else { throw CodecError.invalidValue(field: "detected.kind", reason: "unknown bits in \(kind)") }
        position = try buffer.readVector("detected.position")
        rotation = try buffer.readQuaternion("detected.rotation")
        velocity = try buffer.readVector("detected.velocity")
        touchFace = try buffer.readLE(Int32.self, "detected.touchFace")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(key)
        buffer.writeText(name, maxBytes: maxNameBytes)
        buffer.writeUUID(owner)
        buffer.writeLE(kind)
        buffer.writeVector(position)
        buffer.writeQuaternion(rotation)
        buffer.writeVector(velocity)
        buffer.writeLE(touchFace)
    }
}

/// One script instance: an object and the contents item that is the script.
public struct ScriptKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var object: UUID
    public var item: UUID

    public init(object: UUID, item: UUID) {
        self.object = object
        self.item = item
    }

    public init(from buffer: inout ByteBuffer, _ field: String) throws {
        object = try buffer.readUUID("\(field).object")
        item = try buffer.readUUID("\(field).item")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(object)
        buffer.writeUUID(item)
    }

    public static func < (a: ScriptKey, b: ScriptKey) -> Bool {
        (a.object.uuidString, a.item.uuidString) < (b.object.uuidString, b.item.uuidString)
    }

    public var description: String { "\(object)/\(item)" }
}

/// A script the service should run (a new one, or every one in a snapshot).
public struct ScriptInstance: Hashable, Sendable {
    public var key: ScriptKey
    public var objectLocal: LocalID
    /// The contents item's name.
    public var name: String
    /// The source's hash (its asset id): a `ScriptProgram` of the same frame or an earlier one carries it.
    public var program: AssetID
    public var owner: UUID
    public var objectName: String
    public var running: Bool
    /// The checkpoint to resume from; nil starts it fresh (state_entry).
    public var state: [UInt8]?
    /// `on_rez`'s parameter when the object was just rezzed.
    public var startParameter: Int32

    public init(
        key: ScriptKey, objectLocal: LocalID, name: String, program: AssetID, owner: UUID, objectName: String,
        running: Bool = true, state: [UInt8]? = nil, startParameter: Int32 = 0
    ) {
        self.key = key
        self.objectLocal = objectLocal
        self.name = name
        self.program = program
        self.owner = owner
        self.objectName = objectName
        self.running = running
        self.state = state
        self.startParameter = startParameter
    }

    public init(from buffer: inout ByteBuffer) throws {
        key = try ScriptKey(from: &buffer, "script.key")
        objectLocal = try buffer.readLE(UInt32.self, "script.objectLocal")
        name = try buffer.readText("script.name", maxBytes: maxNameBytes)
        program = try AssetID(from: &buffer, "script.program")
        owner = try buffer.readUUID("script.owner")
        objectName = try buffer.readText("script.objectName", maxBytes: maxNameBytes)
        running = try buffer.readBool("script.running")
        state = try buffer.readOptionalBytes("script.state", maxBytes: ContentItem.maxStateBytes)
        startParameter = try buffer.readLE(Int32.self, "script.startParameter")
    }

    public func encode(into buffer: inout ByteBuffer) {
        key.encode(into: &buffer)
        buffer.writeLE(objectLocal)
        buffer.writeText(name, maxBytes: maxNameBytes)
        program.encode(into: &buffer)
        buffer.writeUUID(owner)
        buffer.writeText(objectName, maxBytes: maxNameBytes)
        buffer.writeBool(running)
        buffer.writeOptionalBytes(state)
        buffer.writeLE(startParameter)
    }
}

/// A source the service compiles once per hash.
public struct ScriptProgram: Hashable, Sendable {
    public var hash: AssetID
    public var source: String

    public init(hash: AssetID, source: String) {
        self.hash = hash
        self.source = source
    }
}

/// Where a scripted object is (what `llGetPos` and friends read).
public struct ObjectPose: Hashable, Sendable {
    static let bytes = 16 + 4 + 12 + 16 + 12 + 12

    public var object: UUID
    public var local: LocalID
    public var position: Vector3
    public var rotation: Quaternion
    public var velocity: Vector3
    public var scale: Vector3

    public init(object: UUID, local: LocalID, position: Vector3, rotation: Quaternion, velocity: Vector3, scale: Vector3) {
        self.object = object
        self.local = local
        self.position = position
        self.rotation = rotation
        self.velocity = velocity
        self.scale = scale
    }

    public init(from buffer: inout ByteBuffer) throws {
        object = try buffer.readUUID("pose.object")
        local = try buffer.readLE(UInt32.self, "pose.local")
        position = try buffer.readVector("pose.position")
        rotation = try buffer.readQuaternion("pose.rotation")
        velocity = try buffer.readVector("pose.velocity")
        scale = try buffer.readVector("pose.scale")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(object)
        buffer.writeLE(local)
        buffer.writeVector(position)
        buffer.writeQuaternion(rotation)
        buffer.writeVector(velocity)
        buffer.writeVector(scale)
    }
}

/// An event for one script, or for every script of an object when `item` is nil.
public struct ScriptEventDelivery: Hashable, Sendable {
    public static let maxArguments = 16
    public static let maxDetected = 16

    public var object: UUID
    public var item: UUID?
    /// An LSL event name (`touch_start`, `on_rez`, …).
    public var name: String
    public var arguments: [ScriptValue]
    public var detected: [DetectedInfo]

    public init(object: UUID, item: UUID? = nil, name: String, arguments: [ScriptValue] = [], detected: [DetectedInfo] = []) {
        self.object = object
        self.item = item
        self.name = name
        self.arguments = arguments
        self.detected = detected
    }

    public init(from buffer: inout ByteBuffer) throws {
        object = try buffer.readUUID("event.object")
        item = try buffer.readOptionalUUID("event.item")
        name = try buffer.readText("event.name", maxBytes: 64)
        let count = try buffer.readCount("event.arguments", minElementBytes: 2)
        guard count <= Self.maxArguments else { throw CodecError.invalidValue(field: "event.arguments", reason: "\(count) arguments") }
        arguments = try (0..<count).map { _ in try ScriptValue(from: &buffer, "event.argument") }
        let detectedCount = try buffer.readCount("event.detected", minElementBytes: DetectedInfo.minBytes)
        guard detectedCount <= Self.maxDetected else {
            throw CodecError.invalidValue(field: "event.detected", reason: "\(detectedCount) detected, more than \(Self.maxDetected)")
        }
        detected = try (0..<detectedCount).map { _ in try DetectedInfo(from: &buffer) }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(object)
        buffer.writeOptionalUUID(item)
        buffer.writeText(name, maxBytes: 64)
        let arguments = arguments.prefix(Self.maxArguments)
        buffer.writeCount(arguments.count)
        for argument in arguments { argument.encode(into: &buffer) }
        let detected = detected.prefix(Self.maxDetected)
        buffer.writeCount(detected.count)
        for info in detected { info.encode(into: &buffer) }
    }
}

/// Chat said in the region on a channel some script listens to; the service delivers it to
/// the listens it matches (channel, range, name, key, message).
public struct ChatHeard: Hashable, Sendable {
    public var channel: Int32
    public var type: ChatType
    public var speaker: UUID
    public var speakerName: String
    /// The speaking object's id; nil when an avatar spoke.
    public var speakerObject: UUID?
    public var position: Vector3
    public var text: String

    public init(channel: Int32, type: ChatType, speaker: UUID, speakerName: String, speakerObject: UUID?, position: Vector3, text: String) {
        self.channel = channel
        self.type = type
        self.speaker = speaker
        self.speakerName = speakerName
        self.speakerObject = speakerObject
        self.position = position
        self.text = text
    }

    public init(from buffer: inout ByteBuffer) throws {
        channel = try buffer.readLE(Int32.self, "chatHeard.channel")
        type = try buffer.readEnum(ChatType.self, "chatHeard.type")
        speaker = try buffer.readUUID("chatHeard.speaker")
        speakerName = try buffer.readText("chatHeard.speakerName", maxBytes: maxNameBytes)
        speakerObject = try buffer.readOptionalUUID("chatHeard.speakerObject")
        position = try buffer.readVector("chatHeard.position")
        text = try buffer.readText("chatHeard.text", maxBytes: maxChatBytes)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(channel)
        buffer.writeLE(type.rawValue)
        buffer.writeUUID(speaker)
        buffer.writeText(speakerName, maxBytes: maxNameBytes)
        buffer.writeOptionalUUID(speakerObject)
        buffer.writeVector(position)
        buffer.writeText(text, maxBytes: maxChatBytes)
    }
}

public enum ScriptControlAction: UInt8, Sendable, CaseIterable {
    /// Starts the script again from state_entry (its timers, listens and queue gone).
    case reset = 1
    /// Keeps it as it is and runs it no more (events to it are dropped).
    case stop = 2
    /// Runs a stopped script again from where it stopped.
    case start = 3
}

public struct ScriptControl: Hashable, Sendable {
    public var key: ScriptKey
    public var action: ScriptControlAction

    public init(key: ScriptKey, action: ScriptControlAction) {
        self.key = key
        self.action = action
    }
}

/// What a script asked of the world.
public enum ScriptEffect: Hashable, Sendable {
    /// Chat from the object: whisper, say, shout or regionSay on a channel.
    case say(channel: Int32, type: ChatType, text: String)
    /// Chat to the object's owner alone.
    case ownerSay(text: String)
    /// Every channel the script listens on now (sorted, unique).
    case listenChannels([Int32])
    /// Region-local metres.
    case setPosition(Vector3)
    case setRotation(Quaternion)
    case setText(text: String, color: Vector3, alpha: Float)
    case setColor(Vector3, alpha: Float)
    /// An impulse in kg·m/s along the region's axes (physical objects only).
    case applyImpulse(Vector3)
    case setPhysical(Bool)
    /// Rez the contents item `item` (an object).
    case rez(item: String, position: Vector3, velocity: Vector3, rotation: Quaternion, parameter: Int32)
    case die
    /// One sensor sweep: the region answers with a `sensor` or `no_sensor` event.
    case sensor(name: String, key: UUID?, kind: UInt8, range: Float, arc: Float)

    public init(from buffer: inout ByteBuffer) throws {
        switch try buffer.readLE(UInt8.self, "effect.type") {
        case 1:
            let channel = try buffer.readLE(Int32.self, "say.channel")
            let type = try buffer.readEnum(ChatType.self, "say.type")
            self = .say(channel: channel, type: type, text: try buffer.readText("say.text", maxBytes: maxChatBytes))
        case 2: self = .ownerSay(text: try buffer.readText("ownerSay.text", maxBytes: maxChatBytes))
        case 3:
            let count = try buffer.readCount("listenChannels", minElementBytes: 4)
            guard count <= 65 else { throw CodecError.invalidValue(field: "listenChannels", reason: "\(count) channels") }
            self = .listenChannels(try (0..<count).map { _ in try buffer.readLE(Int32.self, "listenChannels") })
        case 4: self = .setPosition(try buffer.readVector("setPosition"))
        case 5: self = .setRotation(try buffer.readQuaternion("setRotation"))
        case 6:
            let text = try buffer.readText("setText.text", maxBytes: ObjectLook.maxTextBytes)
            self = .setText(text: text, color: try buffer.readVector("setText.color"), alpha: try buffer.readFloatLE("setText.alpha"))
        case 7: self = .setColor(try buffer.readVector("setColor.color"), alpha: try buffer.readFloatLE("setColor.alpha"))
        case 8: self = .applyImpulse(try buffer.readVector("applyImpulse"))
        case 9: self = .setPhysical(try buffer.readBool("setPhysical"))
        case 10:
            let item = try buffer.readText("rez.item", maxBytes: maxNameBytes)
            let position = try buffer.readVector("rez.position")
            let velocity = try buffer.readVector("rez.velocity")
            let rotation = try buffer.readQuaternion("rez.rotation")
            self = .rez(item: item, position: position, velocity: velocity, rotation: rotation, parameter: try buffer.readLE(Int32.self, "rez.parameter"))
        case 11: self = .die
        case 12:
            let name = try buffer.readText("sensor.name", maxBytes: maxNameBytes)
            let key = try buffer.readOptionalUUID("sensor.key")
            let kind = try buffer.readLE(UInt8.self, "sensor.kind")
            let range = try buffer.readFloatLE("sensor.range")
            self = .sensor(name: name, key: key, kind: kind, range: range, arc: try buffer.readFloatLE("sensor.arc"))
        case let other: throw CodecError.invalidValue(field: "effect.type", reason: "unknown effect \(other)")
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .say(let channel, let type, let text):
            buffer.writeLE(UInt8(1))
            buffer.writeLE(channel)
            buffer.writeLE(type.rawValue)
            buffer.writeText(text, maxBytes: maxChatBytes)
        case .ownerSay(let text):
            buffer.writeLE(UInt8(2))
            buffer.writeText(text, maxBytes: maxChatBytes)
        case .listenChannels(let channels):
            buffer.writeLE(UInt8(3))
            let kept = channels.prefix(65)
            buffer.writeCount(kept.count)
            for channel in kept { buffer.writeLE(channel) }
        case .setPosition(let position):
            buffer.writeLE(UInt8(4))
            buffer.writeVector(position)
        case .setRotation(let rotation):
            buffer.writeLE(UInt8(5))
            buffer.writeQuaternion(rotation)
        case .setText(let text, let color, let alpha):
            buffer.writeLE(UInt8(6))
            buffer.writeText(text, maxBytes: ObjectLook.maxTextBytes)
            buffer.writeVector(color)
            buffer.writeFloatLE(alpha)
        case .setColor(let color, let alpha):
            buffer.writeLE(UInt8(7))
            buffer.writeVector(color)
            buffer.writeFloatLE(alpha)
        case .applyImpulse(let impulse):
            buffer.writeLE(UInt8(8))
            buffer.writeVector(impulse)
        case .setPhysical(let physical):
            buffer.writeLE(UInt8(9))
            buffer.writeBool(physical)
        case .rez(let item, let position, let velocity, let rotation, let parameter):
            buffer.writeLE(UInt8(10))
            buffer.writeText(item, maxBytes: maxNameBytes)
            buffer.writeVector(position)
            buffer.writeVector(velocity)
            buffer.writeQuaternion(rotation)
            buffer.writeLE(parameter)
        case .die:
            buffer.writeLE(UInt8(11))
        case .sensor(let name, let key, let kind, let range, let arc):
            buffer.writeLE(UInt8(12))
            buffer.writeText(name, maxBytes: maxNameBytes)
            buffer.writeOptionalUUID(key)
            buffer.writeLE(kind)
            buffer.writeFloatLE(range)
            buffer.writeFloatLE(arc)
        }
    }
}

public struct ScriptEffectRecord: Hashable, Sendable {
    public var key: ScriptKey
    public var effect: ScriptEffect

    public init(key: ScriptKey, effect: ScriptEffect) {
        self.key = key
        self.effect = effect
    }
}

/// A script's state as the service captured it.
public struct ScriptCapture: Hashable, Sendable {
    public var key: ScriptKey
    public var state: [UInt8]
    /// Answers a `ScriptFrame.frozen` entry: the service has let the script go.
    public var frozen: Bool

    public init(key: ScriptKey, state: [UInt8], frozen: Bool) {
        self.key = key
        self.state = state
        self.frozen = frozen
    }
}

/// Compile errors or a run-time error, for the object's owner.
public struct ScriptDiagnostic: Hashable, Sendable {
    public static let maxLines = 32

    public var key: ScriptKey
    public var owner: UUID
    /// True for compile errors (the script cannot run), false for a run-time error.
    public var compile: Bool
    /// `name:line:col: error: message` for compile errors.
    public var lines: [String]

    public init(key: ScriptKey, owner: UUID, compile: Bool, lines: [String]) {
        self.key = key
        self.owner = owner
        self.compile = compile
        self.lines = lines
    }
}

/// Time one script spent recently (Top Scripts).
public struct ScriptTime: Hashable, Sendable {
    public var key: ScriptKey
    public var name: String
    public var objectName: String
    /// Microseconds per second, averaged over the last few seconds.
    public var micros: Float

    public init(key: ScriptKey, name: String, objectName: String, micros: Float) {
        self.key = key
        self.name = name
        self.objectName = objectName
        self.micros = micros
    }
}

/// The service's figures for one region.
public struct ScriptRegionStats: Hashable, Sendable {
    public static let maxTop = 20

    public var scripts: UInt32 = 0
    public var running: UInt32 = 0
    public var eventsQueued: UInt32 = 0
    /// Cumulative since the region attached.
    public var eventsDropped: UInt64 = 0
    public var chatDropped: UInt64 = 0
    public var topScripts: [ScriptTime] = []

    public init(scripts: UInt32 = 0, running: UInt32 = 0, eventsQueued: UInt32 = 0, eventsDropped: UInt64 = 0, chatDropped: UInt64 = 0, topScripts: [ScriptTime] = []) {
        self.scripts = scripts
        self.running = running
        self.eventsQueued = eventsQueued
        self.eventsDropped = eventsDropped
        self.chatDropped = chatDropped
        self.topScripts = topScripts
    }
}

extension ByteBuffer {
    public mutating func readBool(_ field: String) throws -> Bool {
        switch try readLE(UInt8.self, field) {
        case 0: false
        case 1: true
        case let other: throw CodecError.invalidValue(field: field, reason: "expected 0 or 1, got \(other)")
        }
    }

    public mutating func writeBool(_ value: Bool) {
        writeLE(UInt8(value ? 1 : 0))
    }

    /// A u32 length (0xFFFF_FFFF for none) and the bytes.
    public mutating func readOptionalBytes(_ field: String, maxBytes: Int) throws -> [UInt8]? {
        let count = try readLE(UInt32.self, field)
        if count == .max { return nil }
        guard count <= maxBytes else { throw CodecError.invalidValue(field: field, reason: "\(count) bytes, more than \(maxBytes)") }
        guard let bytes = readBytes(length: Int(count)) else { throw CodecError.truncated(field: field) }
        return bytes
    }

    public mutating func writeOptionalBytes(_ bytes: [UInt8]?) {
        guard let bytes else {
            writeLE(UInt32.max)
            return
        }
        writeLE(UInt32(bytes.count))
        writeBytes(bytes)
    }
}
