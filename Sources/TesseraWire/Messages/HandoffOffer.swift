import Foundation
import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraHandoff
import TesseraWorld

/// Source region → destination region: take this traveller (docs/handoff.md). The state is
/// complete: the destination can simulate the traveller from it alone. Positions are in the
/// destination's local metres.
public struct HandoffOffer: WireMessageBody {
    public static let messageType = WireMessageType.handoffOffer

    public enum Kind: UInt8, Sendable, CaseIterable {
        /// Walked, flew or was moved over a border.
        case crossing = 1
        case teleport = 2
    }

    public var handoffID: HandoffID
    public var source: RegionHandle
    public var destination: RegionHandle
    public var kind: Kind
    /// Wall-clock milliseconds at which the traveller left the source's square (or asked to
    /// teleport): the start of the crossing latency the client measures.
    public var startedMillis: UInt64
    public var traveller: Traveller

    public init(handoffID: HandoffID, source: RegionHandle, destination: RegionHandle, kind: Kind, startedMillis: UInt64, traveller: Traveller) {
        self.handoffID = handoffID
        self.source = source
        self.destination = destination
        self.kind = kind
        self.startedMillis = startedMillis
        self.traveller = traveller
    }

    public init(from buffer: inout ByteBuffer) throws {
        handoffID = HandoffID(rawValue: try buffer.readLE(UInt64.self, "handoffOffer.handoffID"))
        source = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "handoffOffer.source"))
        destination = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "handoffOffer.destination"))
        kind = try buffer.readEnum(Kind.self, "handoffOffer.kind")
        startedMillis = try buffer.readLE(UInt64.self, "handoffOffer.startedMillis")
        traveller = try Traveller(from: &buffer)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(handoffID.rawValue)
        buffer.writeLE(source.rawValue)
        buffer.writeLE(destination.rawValue)
        buffer.writeLE(kind.rawValue)
        buffer.writeLE(startedMillis)
        traveller.encode(into: &buffer)
    }
}

/// What crosses: an avatar or an object.
public enum Traveller: Hashable, Sendable {
    case avatar(TravellingAvatar)
    case object(TravellingObject)

    /// The agent id of an avatar, the storage id of an object.
    public var subject: UUID {
        switch self {
        case .avatar(let avatar): avatar.agentID
        case .object(let object): object.record.id
        }
    }

    init(from buffer: inout ByteBuffer) throws {
        switch try buffer.readLE(UInt8.self, "traveller.kind") {
        case 1: self = .avatar(try TravellingAvatar(from: &buffer))
        case 2: self = .object(try TravellingObject(from: &buffer))
        case let other: throw CodecError.invalidValue(field: "traveller.kind", reason: "unknown traveller kind \(other)")
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .avatar(let avatar):
            buffer.writeLE(UInt8(1))
            avatar.encode(into: &buffer)
        case .object(let object):
            buffer.writeLE(UInt8(2))
            object.encode(into: &buffer)
        }
    }
}

/// An avatar's whole state in flight.
public struct TravellingAvatar: Hashable, Sendable {
    public var agentID: AgentID
    public var name: String
    /// The client manager that routes the avatar's client, by its node name.
    public var manager: String
    public var position: Vector3
    public var velocity: Vector3
    public var rotation: Quaternion
    public var intent: MovementIntent
    /// The sequence number of the last client command folded into this state; the client
    /// manager replays the ones after it to the destination.
    public var appliedSequence: UInt32

    public init(
        agentID: AgentID, name: String, manager: String, position: Vector3, velocity: Vector3,
        rotation: Quaternion, intent: MovementIntent, appliedSequence: UInt32
    ) {
        self.agentID = agentID
        self.name = name
        self.manager = manager
        self.position = position
        self.velocity = velocity
        self.rotation = rotation
        self.intent = intent
        self.appliedSequence = appliedSequence
    }

    init(from buffer: inout ByteBuffer) throws {
        agentID = try buffer.readUUID("avatar.agentID")
        name = try buffer.readText("avatar.name", maxBytes: maxNameBytes)
        manager = try buffer.readText("avatar.manager", maxBytes: maxNameBytes)
        position = try buffer.readVector("avatar.position")
        velocity = try buffer.readVector("avatar.velocity")
        rotation = try buffer.readQuaternion("avatar.rotation")
        let mode = try buffer.readEnum(MovementMode.self, "avatar.intent.mode")
        let heading = try buffer.readFloatLE("avatar.intent.heading")
        let vertical = try buffer.readLE(Int8.self, "avatar.intent.vertical")
        intent = MovementIntent(mode: mode, heading: heading, vertical: max(-1, min(1, vertical)))
        appliedSequence = try buffer.readLE(UInt32.self, "avatar.appliedSequence")
        guard position.isFinite, velocity.isFinite, rotation.isFinite, heading.isFinite else {
            throw CodecError.invalidValue(field: "avatar", reason: "position, velocity, rotation and heading must be finite")
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(agentID)
        buffer.writeText(name)
        buffer.writeText(manager)
        buffer.writeVector(position)
        buffer.writeVector(velocity)
        buffer.writeQuaternion(rotation)
        buffer.writeLE(intent.mode.rawValue)
        buffer.writeFloatLE(intent.heading)
        buffer.writeLE(intent.vertical)
        buffer.writeLE(appliedSequence)
    }
}

/// An object's whole state in flight: its storage record (position in the destination's
/// metres) and whether that record exists in storage yet.
public struct TravellingObject: Hashable, Sendable {
    public var record: SceneObjectRecord
    public var stored: Bool
    /// A physical object (`record.physical`) keeps this velocity in the destination's world.
    public var velocity: Vector3

    public init(record: SceneObjectRecord, stored: Bool, velocity: Vector3 = .zero) {
        self.record = record
        self.stored = stored
        self.velocity = velocity
    }

    init(from buffer: inout ByteBuffer) throws {
        record = try SceneObjectRecord(from: &buffer)
        switch try buffer.readLE(UInt8.self, "object.stored") {
        case 0: stored = false
        case 1: stored = true
        case let other: throw CodecError.invalidValue(field: "object.stored", reason: "expected 0 or 1, got \(other)")
        }
        velocity = try buffer.readVector("object.velocity")
        guard record.position.isFinite, record.rotation.isFinite, velocity.isFinite else {
            throw CodecError.invalidValue(field: "object", reason: "position, rotation and velocity must be finite")
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        record.encode(into: &buffer)
        buffer.writeLE(UInt8(stored ? 1 : 0))
        buffer.writeVector(velocity)
    }
}
