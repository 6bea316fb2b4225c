import NIOCore
import TesseraCodec

/// One message of Tessera wire: its type byte and its codec. Every message lives in its own
/// file under `Messages/`, and `WireMessage` is the closed set of them.
public protocol WireMessageBody: Hashable, Sendable {
    static var messageType: WireMessageType { get }
    init(from buffer: inout ByteBuffer) throws
    func encode(into buffer: inout ByteBuffer)
}

/// The type byte that starts each frame's payload (docs/wire-protocol.md).
public enum WireMessageType: UInt8, Sendable, CaseIterable {
    case hello = 0x01
    case helloAccepted = 0x02
    case helloRefused = 0x03
    case agentJoin = 0x10
    case agentJoined = 0x11
    case agentLeave = 0x12
    case agentInput = 0x13
    case agentNotice = 0x14
    case regionFrame = 0x20
    case gridRequest = 0x30
    case gridReply = 0x31
    case handoffOffer = 0x40
    case handoffSignal = 0x41
    case ghostFrame = 0x42
    case chatRelay = 0x43
    case regionMigrate = 0x44
    case regionMoved = 0x45
    case statusRequest = 0x50
    case statusReply = 0x51
    case adminRequest = 0x52
    case adminReply = 0x53
    case physicsFrame = 0x60
    case physicsResult = 0x61
    case scriptFrame = 0x62
    case scriptResult = 0x63
}
