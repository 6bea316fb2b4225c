import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x01 — the first message of a connection. In this version a name is the whole login.
public struct Login: Hashable, Sendable {
    public var version: UInt16
    public var name: String

    public init(version: UInt16 = clientProtocolVersion, name: String) {
        self.version = version
        self.name = name
    }

    init(from buffer: inout ByteBuffer) throws {
        version = try buffer.readLE(UInt16.self, "login.version")
        name = try buffer.readText("login.name", maxBytes: maxNameBytes)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(version)
        buffer.writeText(name)
    }
}
