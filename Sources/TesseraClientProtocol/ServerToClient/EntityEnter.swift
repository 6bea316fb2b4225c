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
    /// Protocol 6, objects: the floating text and colour. Absent (nil) for avatars, for
    /// objects that look as `ObjectAppearance.standard`, and always for clients of protocol
    /// 3 to 5.
    public var appearance: ObjectAppearance?

    public init(localID: LocalID, kind: EntityKind, shape: Shape, name: String, scale: Vector3, motion: EntityMotion, appearance: ObjectAppearance? = nil) {
        self.appearance = appearance
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
        // Optional (protocol 6): a body that ends after the motion has no appearance.
        appearance = buffer.readableBytes == 0 ? nil : try buffer.readAppearance("entityEnter.appearance")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        buffer.writeLE(kind.rawValue)
        buffer.writeLE(shape.rawValue)
        buffer.writeText(name)
        buffer.writeVector(scale)
        buffer.writeMotion(motion)
        if let appearance { buffer.writeAppearance(appearance) }
    }
}
