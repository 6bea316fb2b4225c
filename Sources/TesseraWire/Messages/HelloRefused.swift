import NIOCore
import TesseraCodec

/// The listening side's answer to an unacceptable `Hello`; the connection closes after it.
public struct HelloRefused: WireMessageBody {
    public static let messageType = WireMessageType.helloRefused

    public enum Reason: UInt8, Sendable, CaseIterable {
        case wrongSecret = 1
        case unsupportedVersion = 2
        case unexpectedRole = 3
        case protocolError = 4
        /// Over TLS: the `Hello`'s role or node is not the certificate's.
        case certificateMismatch = 5
    }

    public var reason: Reason
    public var message: String

    public init(reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }

    public init(from buffer: inout ByteBuffer) throws {
        reason = try buffer.readEnum(Reason.self, "helloRefused.reason")
        message = try buffer.readText("helloRefused.message", maxBytes: 1024)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(reason.rawValue)
        buffer.writeText(message)
    }
}
