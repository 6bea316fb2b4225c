import TesseraWorld

/// Why bytes from a peer or client could not be understood. Every decoding failure is one of these;
/// the connection that sent them is closed, the process carries on.
public enum CodecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message ended before the named field.
    case truncated(field: String)
    /// A frame announced more bytes than the limit allows.
    case frameTooLarge(length: Int, limit: Int)
    /// A frame with no message type byte.
    case emptyFrame
    case unknownMessageType(UInt8)
    /// A field held a value outside its domain.
    case invalidValue(field: String, reason: String)
    /// The message decoded but bytes were left over.
    case trailingBytes(messageType: UInt8, count: Int)
    /// A message arrived that the connection's state does not allow (e.g. before `Hello`).
    case unexpectedMessage(String)

    public var description: String {
        switch self {
        case .truncated(let field): "message truncated at \(field)"
        case .frameTooLarge(let length, let limit): "frame of \(length) bytes exceeds the limit of \(limit)"
        case .emptyFrame: "empty frame"
        case .unknownMessageType(let type): "unknown message type 0x\(String(type, radix: 16))"
        case .invalidValue(let field, let reason): "invalid \(field): \(reason)"
        case .trailingBytes(let type, let count): "\(count) trailing bytes after message 0x\(String(type, radix: 16))"
        case .unexpectedMessage(let what): "unexpected message: \(what)"
        }
    }
}

extension GridPosition {
    /// A grid position read from bytes: a coordinate beyond `GridPosition.maxCoordinate` is an
    /// invalid value of `field`, never a position.
    public static func decoded(x: UInt32, y: UInt32, field: String) throws -> GridPosition {
        guard let position = GridPosition(x: x, y: y) else {
            throw CodecError.invalidValue(field: field, reason: "grid position (\(x), \(y)) is beyond the grid's largest coordinate \(GridPosition.maxCoordinate)")
        }
        return position
    }
}
