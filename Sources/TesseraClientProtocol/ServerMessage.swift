import NIOCore
import TesseraCodec

/// Messages the server sends. A WebSocket binary frame from the server holds one or more of
/// them, each as a type byte, a u16 little-endian body length, then the body, so a client can
/// skip types it does not know (docs/client-protocol.md, "Server to client").
public enum ServerMessage: Hashable, Sendable {
    case welcome(Welcome)
    case frameStamp(FrameStamp)
    case entityEnter(EntityEnter)
    case entityUpdate(EntityUpdate)
    case entityLeave(EntityLeave)
    case chat(ChatReceived)
    case objectResult(ObjectResult)
    case error(ServerError)
    case pong(Pong)
    case inventory(InventoryReply)
    case regionChanged(RegionChanged)
    case alert(Alert)
    case objectContents(ObjectContents)
    case scriptDiagnostics(ScriptDiagnostics)
    case objectAppearance(AppearanceUpdate)
    /// Protocol 7: sent to a version 7 client instead of `entityUpdate`.
    case entityDeltas(EntityDeltas)
    /// Protocol 8: the grid's regions nearest the avatar's (a viewer's map).
    case regionMap(RegionMap)
    /// Protocol 8: a region's ground.
    case regionTerrain(RegionTerrain)

    public enum TypeCode: UInt8, Sendable, CaseIterable {
        case welcome = 0x81
        case frameStamp = 0x82
        case entityEnter = 0x83
        case entityUpdate = 0x84
        case entityLeave = 0x85
        case chat = 0x86
        case objectResult = 0x87
        case error = 0x88
        case pong = 0x89
        case inventory = 0x8A
        case regionChanged = 0x8B
        case alert = 0x8C
        case objectContents = 0x8D
        case scriptDiagnostics = 0x8E
        case objectAppearance = 0x8F
        case entityDeltas = 0x90
        case regionMap = 0x91
        case regionTerrain = 0x92
    }

    public var typeCode: TypeCode {
        switch self {
        case .welcome: .welcome
        case .frameStamp: .frameStamp
        case .entityEnter: .entityEnter
        case .entityUpdate: .entityUpdate
        case .entityLeave: .entityLeave
        case .chat: .chat
        case .objectResult: .objectResult
        case .error: .error
        case .pong: .pong
        case .inventory: .inventory
        case .regionChanged: .regionChanged
        case .alert: .alert
        case .objectContents: .objectContents
        case .scriptDiagnostics: .scriptDiagnostics
        case .objectAppearance: .objectAppearance
        case .entityDeltas: .entityDeltas
        case .regionMap: .regionMap
        case .regionTerrain: .regionTerrain
        }
    }

    /// Appends the message with its type and length header.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(typeCode.rawValue)
        let lengthIndex = buffer.writerIndex
        buffer.writeLE(UInt16(0))
        let start = buffer.writerIndex
        switch self {
        case .welcome(let m): m.encode(into: &buffer)
        case .frameStamp(let m): m.encode(into: &buffer)
        case .entityEnter(let m): m.encode(into: &buffer)
        case .entityUpdate(let m): m.encode(into: &buffer)
        case .entityLeave(let m): m.encode(into: &buffer)
        case .chat(let m): m.encode(into: &buffer)
        case .objectResult(let m): m.encode(into: &buffer)
        case .error(let m): m.encode(into: &buffer)
        case .pong(let m): m.encode(into: &buffer)
        case .inventory(let m): m.encode(into: &buffer)
        case .regionChanged(let m): m.encode(into: &buffer)
        case .alert(let m): m.encode(into: &buffer)
        case .objectContents(let m): m.encode(into: &buffer)
        case .scriptDiagnostics(let m): m.encode(into: &buffer)
        case .objectAppearance(let m): m.encode(into: &buffer)
        case .entityDeltas(let m): m.encode(into: &buffer)
        case .regionMap(let m): m.encode(into: &buffer)
        case .regionTerrain(let m): m.encode(into: &buffer)
        }
        buffer.setInteger(UInt16(buffer.writerIndex - start), at: lengthIndex, endianness: .little)
    }

    /// Decodes every message of one server frame. Unknown types are skipped by their length;
    /// a known type whose body does not decode to exactly its length is an error.
    public static func decodeFrame(_ frame: ByteBuffer) throws -> [ServerMessage] {
        var buffer = frame
        var messages: [ServerMessage] = []
        while buffer.readableBytes > 0 {
            let raw = try buffer.readLE(UInt8.self, "message.type")
            let length = Int(try buffer.readLE(UInt16.self, "message.length"))
            guard var body = buffer.readSlice(length: length) else {
                throw CodecError.truncated(field: "message body of type 0x\(String(raw, radix: 16))")
            }
            guard let type = TypeCode(rawValue: raw) else { continue }
            messages.append(try decodeBody(type, &body))
            guard body.readableBytes == 0 else {
                throw CodecError.trailingBytes(messageType: raw, count: body.readableBytes)
            }
        }
        return messages
    }

    /// Decodes the body of one message of a known type, which must be exactly its bytes (what
    /// `decodeFrame` does for each message), for a client that walks the headers itself.
    public static func decode(_ type: TypeCode, body: ByteBuffer) throws -> ServerMessage {
        var body = body
        let message = try decodeBody(type, &body)
        guard body.readableBytes == 0 else {
            throw CodecError.trailingBytes(messageType: type.rawValue, count: body.readableBytes)
        }
        return message
    }

    private static func decodeBody(_ type: TypeCode, _ body: inout ByteBuffer) throws -> ServerMessage {
        switch type {
        case .welcome: .welcome(try Welcome(from: &body))
        case .frameStamp: .frameStamp(try FrameStamp(from: &body))
        case .entityEnter: .entityEnter(try EntityEnter(from: &body))
        case .entityUpdate: .entityUpdate(try EntityUpdate(from: &body))
        case .entityLeave: .entityLeave(try EntityLeave(from: &body))
        case .chat: .chat(try ChatReceived(from: &body))
        case .objectResult: .objectResult(try ObjectResult(from: &body))
        case .error: .error(try ServerError(from: &body))
        case .pong: .pong(try Pong(from: &body))
        case .inventory: .inventory(try InventoryReply(from: &body))
        case .regionChanged: .regionChanged(try RegionChanged(from: &body))
        case .alert: .alert(try Alert(from: &body))
        case .objectContents: .objectContents(try ObjectContents(from: &body))
        case .scriptDiagnostics: .scriptDiagnostics(try ScriptDiagnostics(from: &body))
        case .objectAppearance: .objectAppearance(try AppearanceUpdate(from: &body))
        case .entityDeltas: .entityDeltas(try EntityDeltas(from: &body))
        case .regionMap: .regionMap(try RegionMap(from: &body))
        case .regionTerrain: .regionTerrain(try RegionTerrain(from: &body))
        }
    }

    /// The message as a client of protocol `version` is sent it, or nil when that version has
    /// no such message. Clients of protocol 3 to 6 get no EntityDeltas (they are sent
    /// EntityUpdate; a version 7 client never is). Clients of protocol 3 to 5 get no
    /// ObjectContents, ScriptDiagnostics or ObjectAppearance, no appearance in EntityEnter, no
    /// speaker kind in ChatReceived, and region-wide and owner-only chat (types 3 and 4) as
    /// `say` (1).
    public func forVersion(_ version: UInt16) -> ServerMessage? {
        guard version < 8 else { return self }
        switch self {
        case .regionMap, .regionTerrain: return nil
        default: break
        }
        guard version < 7 else { return self }
        if case .entityDeltas = self { return nil }
        guard version < 6 else { return self }
        switch self {
        case .objectContents, .scriptDiagnostics, .objectAppearance, .entityDeltas:
            return nil
        case .entityEnter(var enter):
            enter.appearance = nil
            return .entityEnter(enter)
        case .chat(var line):
            line.speakerKind = nil
            if line.type.isObjectOnly { line.type = .say }
            return .chat(line)
        case .objectResult(let result) where result.outcome == .updated:
            return nil
        default:
            return self
        }
    }
}

/// WebSocket close codes the server uses: 4000 + the error code that caused the close
/// (docs/client-protocol.md, "Closing").
public enum CloseCode {
    public static func forError(_ code: UInt16) -> UInt16 { 4000 + code }
}
