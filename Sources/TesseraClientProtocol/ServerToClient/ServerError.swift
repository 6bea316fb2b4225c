import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x88 — a request failed, or (request id 0) a notice about the connection.
public struct ServerError: Hashable, Sendable {
    public var code: UInt16
    public var requestID: UInt32
    public var message: String

    public init(code: UInt16, requestID: UInt32 = 0, message: String) {
        self.code = code
        self.requestID = requestID
        self.message = message
    }

    public init(_ code: ErrorCode, requestID: UInt32 = 0, message: String) {
        self.init(code: code.rawValue, requestID: requestID, message: message)
    }

    public var errorCode: ErrorCode? { ErrorCode(rawValue: code) }

    init(from buffer: inout ByteBuffer) throws {
        code = try buffer.readLE(UInt16.self, "error.code")
        requestID = try buffer.readLE(UInt32.self, "error.requestID")
        message = try buffer.readText("error.message", maxBytes: 1024)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(code)
        buffer.writeLE(requestID)
        buffer.writeText(message)
    }
}
