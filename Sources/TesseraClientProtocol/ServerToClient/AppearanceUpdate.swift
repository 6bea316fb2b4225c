import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x8F ObjectAppearance (protocol 6) — an object in view changed its floating text or colour.
public struct AppearanceUpdate: Hashable, Sendable {
    public var localID: LocalID
    public var appearance: ObjectAppearance

    public init(localID: LocalID, appearance: ObjectAppearance) {
        self.localID = localID
        self.appearance = appearance
    }

    init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "objectAppearance.localID")
        appearance = try buffer.readAppearance("objectAppearance")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        buffer.writeAppearance(appearance)
    }
}
