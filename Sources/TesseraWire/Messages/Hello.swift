import NIOCore
import TesseraCodec

/// The first message on every connection, sent by the side that connected.
public struct Hello: WireMessageBody {
    public static let messageType = WireMessageType.hello
    /// "TSRW", so a stray client of another protocol is told apart from a corrupt peer.
    public static let magic: UInt32 = 0x5752_5354

    public var version: UInt16
    public var role: WireRole
    public var nodeName: String
    public var gridSecret: String

    public init(version: UInt16 = wireProtocolVersion, role: WireRole, nodeName: String, gridSecret: String) {
        self.version = version
        self.role = role
        self.nodeName = nodeName
        self.gridSecret = gridSecret
    }

    public init(from buffer: inout ByteBuffer) throws {
        let magic = try buffer.readLE(UInt32.self, "hello.magic")
        guard magic == Self.magic else {
            throw CodecError.invalidValue(field: "hello.magic", reason: "not a Tessera wire peer")
        }
        version = try buffer.readLE(UInt16.self, "hello.version")
        role = try buffer.readEnum(WireRole.self, "hello.role")
        nodeName = try buffer.readText("hello.nodeName", maxBytes: 255)
        gridSecret = try buffer.readText("hello.gridSecret", maxBytes: 1024)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(Self.magic)
        buffer.writeLE(version)
        buffer.writeLE(role.rawValue)
        buffer.writeText(nodeName)
        buffer.writeText(gridSecret)
    }
}

extension Hello: CustomStringConvertible {
    /// Never prints the secret.
    public var description: String { "Hello(v\(version), \(role), \(nodeName))" }
}
