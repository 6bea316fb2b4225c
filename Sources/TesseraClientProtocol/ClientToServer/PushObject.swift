import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x0B — give a physical object an impulse (N·s, region axes). Answered by ObjectResult
/// (moved) once the region has passed it to physics, or Error with the same request id.
public struct PushObject: Hashable, Sendable {
    public var requestID: UInt32
    public var localID: LocalID
    public var impulse: Vector3

    public init(requestID: UInt32, localID: LocalID, impulse: Vector3) {
        self.requestID = requestID
        self.localID = localID
        self.impulse = impulse
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "pushObject.requestID")
        localID = try buffer.readLE(UInt32.self, "pushObject.localID")
        impulse = try buffer.readVector("pushObject.impulse")
        guard impulse.isFinite else { throw CodecError.invalidValue(field: "pushObject.impulse", reason: "not finite") }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(localID)
        buffer.writeVector(impulse)
    }
}
