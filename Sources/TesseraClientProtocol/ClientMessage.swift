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
    case touch(TouchObject)
    case addScript(AddScript)
    case scriptControl(ScriptControlRequest)
    case contents(ObjectContentsRequest)

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
        case touch = 0x0C
        case addScript = 0x0D
        case scriptControl = 0x0E
        case contents = 0x0F

        /// The protocol version that added the message.
        public var since: UInt16 {
            switch self {
            case .login, .move, .chat, .createObject, .deleteObject, .ping, .logout: 1
            case .inventory: 2
            case .teleport, .moveObject: 3
            case .pushObject: 4
            case .touch, .addScript, .scriptControl, .contents: 6
            }
        }
    }

    public var typeCode: TypeCode {
        switch self {
        case .login: .login
        case .move: .move
        case .chat: .chat
        case .createObject: .createObject
        case .deleteObject: .deleteObject
        case .ping: .ping
        case .logout: .logout
        case .inventory: .inventory
        case .teleport: .teleport
        case .moveObject: .moveObject
        case .pushObject: .pushObject
        case .touch: .touch
        case .addScript: .addScript
        case .scriptControl: .scriptControl
        case .contents: .contents
        }
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
            case .touch: .touch(try TouchObject(from: &buffer))
            case .addScript: .addScript(try AddScript(from: &buffer))
            case .scriptControl: .scriptControl(try ScriptControlRequest(from: &buffer))
            case .contents: .contents(try ObjectContentsRequest(from: &buffer))
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
        case .touch(let m): buffer.writeLE(TypeCode.touch.rawValue); m.encode(into: &buffer)
        case .addScript(let m): buffer.writeLE(TypeCode.addScript.rawValue); m.encode(into: &buffer)
        case .scriptControl(let m): buffer.writeLE(TypeCode.scriptControl.rawValue); m.encode(into: &buffer)
        case .contents(let m): buffer.writeLE(TypeCode.contents.rawValue); m.encode(into: &buffer)
        }
    }

    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 32)
        encode(into: &buffer)
        return buffer
    }
}

/// The version of docs/client-protocol.md this code speaks.
public let clientProtocolVersion: UInt16 = 8

/// The versions a server takes at login: versions 4 to 6 only added messages, error codes,
/// enumeration values and optional trailing fields, version 7 sends `EntityDeltas` in
/// place of `EntityUpdate`, and version 8 only added messages; a client of an older version is never sent what its version does
/// not have (`ServerMessage.forVersion`, `ClientView`), so a version 3 client is still served.
public let supportedClientProtocolVersions: ClosedRange<UInt16> = 3...clientProtocolVersion
