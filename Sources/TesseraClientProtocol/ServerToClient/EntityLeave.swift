import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x85 — an entity left view or was removed; forget it.
public struct EntityLeave: Hashable, Sendable {
    public var localID: LocalID

    public init(localID: LocalID) {
        self.localID = localID
    }

    init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "entityLeave.localID")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
    }
}
