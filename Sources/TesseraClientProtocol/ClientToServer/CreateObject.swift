import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x04 — create a primitive object. Answered by ObjectResult or Error with the same request id.
public struct CreateObject: Hashable, Sendable {
    public var requestID: UInt32
    public var shape: Shape
    public var position: Vector3
    public var rotation: Quaternion
    public var scale: Vector3
    public var name: String
    /// Moved by physics: it falls, collides, and can be pushed (PushObject).
    public var physical: Bool
    /// Its collisions are reported (to scripts, when they come).
    public var reportsCollisions: Bool

    public init(
        requestID: UInt32, shape: Shape, position: Vector3, rotation: Quaternion = .identity, scale: Vector3, name: String,
        physical: Bool = false, reportsCollisions: Bool = false
    ) {
        self.physical = physical
        self.reportsCollisions = reportsCollisions
        self.requestID = requestID
        self.shape = shape
        self.position = position
        self.rotation = rotation
        self.scale = scale
        self.name = name
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "createObject.requestID")
        shape = try buffer.readEnum(Shape.self, "createObject.shape")
        position = try buffer.readVector("createObject.position")
        rotation = try buffer.readQuaternion("createObject.rotation")
        scale = try buffer.readVector("createObject.scale")
        name = try buffer.readText("createObject.name", maxBytes: maxNameBytes)
        // Optional (protocol 4): a client of protocol 3 ends the message at the name.
        let flags = buffer.readableBytes == 0 ? 0 : try buffer.readLE(UInt8.self, "createObject.flags")
        guard flags & ~3 == 0 else { throw CodecError.invalidValue(field: "createObject.flags", reason: "unknown bits in \(flags)") }
        physical = flags & 1 != 0
        reportsCollisions = flags & 2 != 0
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(shape.rawValue)
        buffer.writeVector(position)
        buffer.writeQuaternion(rotation)
        buffer.writeVector(scale)
        buffer.writeText(name)
        buffer.writeLE(UInt8((physical ? 1 : 0) | (reportsCollisions ? 2 : 0)))
    }
}
