import NIOCore
import TesseraCodec

/// Messages a client sends, one per WebSocket binary frame: a type byte, then the body
/// (docs/client-protocol.md, "Client to server").
public enum ClientMessage: Hashable, Sendable {
    case login(Login)
    case move(Move)
    case chat(ChatSend)
    case createObject(CreateObject)
    case deleteObject(DeleteObject)
    case ping(Ping)
    case logout
    case inventory(InventoryRequest)
    case teleport(Teleport)
    case moveObject(MoveObject)
    case pushObject(PushObject)

    public enum TypeCode: UInt8, Sendable, CaseIterable {
        case login = 0x01
        case move = 0x02
        case chat = 0x03
        case createObject = 0x04
        case deleteObject = 0x05
        case ping = 0x06
        case logout = 0x07
        case inventory = 0x08
        case teleport = 0x09
        case moveObject = 0x0A
        case pushObject = 0x0B
    }

    public static func decode(_ frame: ByteBuffer) throws -> ClientMessage {
        var buffer = frame
        guard let raw = buffer.readInteger(as: UInt8.self) else { throw CodecError.emptyFrame }
        guard let type = TypeCode(rawValue: raw) else { throw CodecError.unknownMessageType(raw) }
        let message: ClientMessage =
            switch type {
            case .login: .login(try Login(from: &buffer))
            case .move: .move(try Move(from: &buffer))
            case .chat: .chat(try ChatSend(from: &buffer))
            case .createObject: .createObject(try CreateObject(from: &buffer))
            case .deleteObject: .deleteObject(try DeleteObject(from: &buffer))
            case .ping: .ping(try Ping(from: &buffer))
            case .logout: .logout
            case .inventory: .inventory(try InventoryRequest(from: &buffer))
            case .teleport: .teleport(try Teleport(from: &buffer))
            case .moveObject: .moveObject(try MoveObject(from: &buffer))
            case .pushObject: .pushObject(try PushObject(from: &buffer))
            }
        guard buffer.readableBytes == 0 else {
            throw CodecError.trailingBytes(messageType: raw, count: buffer.readableBytes)
        }
        return message
    }

    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .login(let m): buffer.writeLE(TypeCode.login.rawValue); m.encode(into: &buffer)
        case .move(let m): buffer.writeLE(TypeCode.move.rawValue); m.encode(into: &buffer)
        case .chat(let m): buffer.writeLE(TypeCode.chat.rawValue); m.encode(into: &buffer)
        case .createObject(let m): buffer.writeLE(TypeCode.createObject.rawValue); m.encode(into: &buffer)
        case .deleteObject(let m): buffer.writeLE(TypeCode.deleteObject.rawValue); m.encode(into: &buffer)
        case .ping(let m): buffer.writeLE(TypeCode.ping.rawValue); m.encode(into: &buffer)
        case .logout: buffer.writeLE(TypeCode.logout.rawValue)
        case .inventory(let m): buffer.writeLE(TypeCode.inventory.rawValue); m.encode(into: &buffer)
        case .teleport(let m): buffer.writeLE(TypeCode.teleport.rawValue); m.encode(into: &buffer)
        case .moveObject(let m): buffer.writeLE(TypeCode.moveObject.rawValue); m.encode(into: &buffer)
        case .pushObject(let m): buffer.writeLE(TypeCode.pushObject.rawValue); m.encode(into: &buffer)
        }
    }

    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 32)
        encode(into: &buffer)
        return buffer
    }
}

/// The version of docs/client-protocol.md this code speaks.
public let clientProtocolVersion: UInt16 = 5

/// The versions a server takes at login: versions 4 and 5 only added messages, error codes
/// and an optional trailing field, so a version 3 client is still served.
public let supportedClientProtocolVersions: ClosedRange<UInt16> = 3...clientProtocolVersion
