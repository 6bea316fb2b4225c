import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x83 — an entity came into view: everything needed to draw it.
public struct EntityEnter: Hashable, Sendable {
    public var localID: LocalID
    public var kind: EntityKind
    public var shape: Shape
    public var name: String
    public var scale: Vector3
    public var motion: EntityMotion

    public init(localID: LocalID, kind: EntityKind, shape: Shape, name: String, scale: Vector3, motion: EntityMotion) {
        self.localID = localID
        self.kind = kind
        self.shape = shape
        self.name = name
        self.scale = scale
        self.motion = motion
    }

    init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "entityEnter.localID")
        kind = try buffer.readEnum(EntityKind.self, "entityEnter.kind")
        shape = try buffer.readEnum(Shape.self, "entityEnter.shape")
        name = try buffer.readText("entityEnter.name", maxBytes: maxNameBytes)
        scale = try buffer.readVector("entityEnter.scale")
        motion = try buffer.readMotion("entityEnter.motion")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        buffer.writeLE(kind.rawValue)
        buffer.writeLE(shape.rawValue)
        buffer.writeText(name)
        buffer.writeVector(scale)
        buffer.writeMotion(motion)
    }
}
