import Foundation
import NIOCore
import TesseraClientProtocol
import TesseraCodec
import TesseraWorld

/// Samples of every client and server message, covering every enum case and field.
enum ClientProtocolSamples {
    static let agent = UUID(uuidString: "0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9")!
    static let motion = EntityMotion(position: Vector3(100.5, 20.25, 22), rotation: Quaternion(yaw: -2), velocity: Vector3(-3.2, 0, 4))

    static let clientMessages: [ClientMessage] =
        [
            .login(Login(name: "Ada Lovelace", password: "")),
            .login(Login(version: 0xFFFF, name: String(repeating: "é", count: 31) + "x", password: "")),  // 63 bytes
            .login(Login(version: 0, name: "", password: "")),
        ]
        + MovementMode.allCases.enumerated().map { index, mode in
            .move(Move(mode: mode, heading: UInt16(index) * 16_384 + 7, vertical: Int8(index % 3) - 1))
        }
        + [.move(Move(mode: .fly, heading: .max, vertical: 1))]
        + ChatType.allCases.map { .chat(ChatSend(type: $0, channel: Int32($0.rawValue) * -7, text: "\($0) ✓ ☃")) }
        + [
            .chat(ChatSend(type: .say, text: String(repeating: "y", count: maxChatBytes))),
            .chat(ChatSend(type: .shout, channel: .max, text: "")),
        ]
        + Shape.allCases.map { shape in
            .createObject(CreateObject(
                requestID: UInt32(shape.rawValue) << 24 | 5, shape: shape, position: Vector3(0.5, 255.5, 4095),
                rotation: Quaternion(x: 0.1, y: 0.2, z: 0.3, w: 0.927), scale: Vector3(0.01, 2, 64), name: "Box \(shape) ▣"
            ))
        }
        + [
            .createObject(CreateObject(requestID: 0, shape: .box, position: .zero, scale: Vector3(1, 1, 1), name: "")),
            .deleteObject(DeleteObject(requestID: 12, localID: 34)),
            .deleteObject(DeleteObject(requestID: .max, localID: .max)),
            .ping(Ping(nonce: 0xDEAD_BEEF, clientTimeMillis: 1_700_000_000_000)),
            .ping(Ping(nonce: 0, clientTimeMillis: .max)),
            .logout,
        ]

    static let entityUpdates: [ServerMessage] = (0...7).map { mask in
        let fields = EntityUpdate.Fields(rawValue: UInt8(mask))
        return .entityUpdate(EntityUpdate(
            localID: UInt32(mask) + 100,
            position: fields.contains(.position) ? motion.position : nil,
            rotation: fields.contains(.rotation) ? motion.rotation : nil,
            velocity: fields.contains(.velocity) ? motion.velocity : nil
        ))
    }

    static let serverMessages: [ServerMessage] =
        [
            .welcome(Welcome(
                agentID: agent, localID: 7, regionName: "Tessera Centre ✦", regionHandle: GridPosition(x: 1000, y: 1000).handle,
                frameRate: 45, updateRate: 15, viewDistance: 64
            )),
            .welcome(Welcome(
                agentID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), localID: .max, regionName: "",
                regionHandle: RegionHandle(rawValue: .max), frameRate: .max, updateRate: 0, viewDistance: 0.5
            )),
            .frameStamp(FrameStamp(frame: 123_456_789_012, timeMillis: 1_700_000_000_999, timeDilation: 65535)),
            .frameStamp(FrameStamp(frame: 0, timeMillis: 0, dilation: 0.5)),
        ]
        + EntityKind.allCases.flatMap { kind in
            Shape.allCases.map { shape in
                .entityEnter(EntityEnter(
                    localID: UInt32(kind.rawValue) * 10 + UInt32(shape.rawValue), kind: kind, shape: shape,
                    name: "\(kind) \(shape)", scale: Vector3(0.45, 0.6, 1.9), motion: motion
                ))
            }
        }
        + entityUpdates
        + [.entityLeave(EntityLeave(localID: 42)), .entityLeave(EntityLeave(localID: .max))]
        + ChatType.allCases.map { type in
            .chat(ChatReceived(
                speaker: 3, speakerName: "Ada", type: type, channel: Int32(type.rawValue) - 1,
                position: motion.position, text: "\(type): héllo"
            ))
        }
        + ObjectResult.Outcome.allCases.map { .objectResult(ObjectResult(requestID: 9, outcome: $0, localID: 77)) }
        + ErrorCode.allCases.map { .error(ServerError($0, requestID: UInt32($0.rawValue), message: "error \($0)")) }
        + [
            .error(ServerError(code: 999, message: "")),
            .pong(Pong(nonce: 0xDEAD_BEEF, clientTimeMillis: 1_700_000_000_000)),
        ]
}

/// Encodes server messages into one frame.
func serverFrame(_ messages: [ServerMessage]) -> ByteBuffer {
    var buffer = ByteBuffer()
    for message in messages { message.encode(into: &buffer) }
    return buffer
}

extension ClientMessage {
    var bytes: [UInt8] { Array(encoded().readableBytesView) }
}

extension ServerMessage {
    var bytes: [UInt8] { Array(serverFrame([self]).readableBytesView) }
}

func decodeClient(_ bytes: [UInt8]) throws -> ClientMessage {
    try ClientMessage.decode(ByteBuffer(bytes: bytes))
}

func decodeServer(_ bytes: [UInt8]) throws -> [ServerMessage] {
    try ServerMessage.decodeFrame(ByteBuffer(bytes: bytes))
}

/// The error a closure throws, or nil.
func thrownError(_ body: () throws -> Any) -> (any Error)? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The field an `invalidValue` error names, or nil for any other error.
func invalidField(_ error: (any Error)?) -> String? {
    guard case .invalidValue(let field, _)? = error as? CodecError else { return nil }
    return field
}
