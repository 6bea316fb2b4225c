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

    public init(requestID: UInt32, shape: Shape, position: Vector3, rotation: Quaternion = .identity, scale: Vector3, name: String) {
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
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(shape.rawValue)
        buffer.writeVector(position)
        buffer.writeQuaternion(rotation)
        buffer.writeVector(scale)
        buffer.writeText(name)
    }
}
