import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x0A — move an object the avatar owns to `position` (region-local metres). A position
/// past a border with a region behind it sends the object to that region.
public struct MoveObject: Hashable, Sendable {
    public var requestID: UInt32
    public var localID: LocalID
    public var position: Vector3

    public init(requestID: UInt32, localID: LocalID, position: Vector3) {
        self.requestID = requestID
        self.localID = localID
        self.position = position
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "moveObject.requestID")
        localID = try buffer.readLE(UInt32.self, "moveObject.localID")
        position = try buffer.readVector("moveObject.position")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(localID)
        buffer.writeVector(position)
    }
}
