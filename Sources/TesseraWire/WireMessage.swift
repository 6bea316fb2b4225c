import NIOCore
import TesseraCodec

/// The closed set of Tessera wire messages (docs/wire-protocol.md).
public enum WireMessage: Hashable, Sendable {
    case hello(Hello)
    case helloAccepted(HelloAccepted)
    case helloRefused(HelloRefused)
    case agentJoin(AgentJoin)
    case agentJoined(AgentJoined)
    case agentLeave(AgentLeave)
    case agentInput(AgentInput)
    case agentNotice(AgentNotice)
    case regionFrame(RegionFrame)
    case gridRequest(GridRequest)
    case gridReply(GridReply)
    case handoffOffer(HandoffOffer)
    case handoffSignal(HandoffSignal)
    case ghostFrame(GhostFrame)
    case chatRelay(ChatRelay)
    case statusRequest(StatusRequest)
    case statusReply(StatusReply)
    case adminRequest(AdminRequest)
    case adminReply(AdminReply)
    case physicsFrame(PhysicsFrame)
    case physicsResult(PhysicsResult)
    case scriptFrame(ScriptFrame)
    case scriptResult(ScriptResult)
    case regionMigrate(RegionMigrate)
    case regionMoved(RegionMoved)

    public var body: any WireMessageBody {
        switch self {
        case .hello(let m): m
        case .helloAccepted(let m): m
        case .helloRefused(let m): m
        case .agentJoin(let m): m
        case .agentJoined(let m): m
        case .agentLeave(let m): m
        case .agentInput(let m): m
        case .agentNotice(let m): m
        case .regionFrame(let m): m
        case .gridRequest(let m): m
        case .gridReply(let m): m
        case .handoffOffer(let m): m
        case .handoffSignal(let m): m
        case .ghostFrame(let m): m
        case .chatRelay(let m): m
        case .statusRequest(let m): m
        case .statusReply(let m): m
        case .adminRequest(let m): m
        case .adminReply(let m): m
        case .physicsFrame(let m): m
        case .physicsResult(let m): m
        case .scriptFrame(let m): m
        case .scriptResult(let m): m
        case .regionMigrate(let m): m
        case .regionMoved(let m): m
        }
    }

    public var messageType: WireMessageType { type(of: body).messageType }

    /// Decodes one frame payload (type byte and body). The whole payload must be consumed.
    public static func decode(payload: inout ByteBuffer) throws -> WireMessage {
        guard let raw = payload.readInteger(as: UInt8.self) else { throw CodecError.emptyFrame }
        guard let type = WireMessageType(rawValue: raw) else { throw CodecError.unknownMessageType(raw) }
        let message: WireMessage =
            switch type {
            case .hello: .hello(try Hello(from: &payload))
            case .helloAccepted: .helloAccepted(try HelloAccepted(from: &payload))
            case .helloRefused: .helloRefused(try HelloRefused(from: &payload))
            case .agentJoin: .agentJoin(try AgentJoin(from: &payload))
            case .agentJoined: .agentJoined(try AgentJoined(from: &payload))
            case .agentLeave: .agentLeave(try AgentLeave(from: &payload))
            case .agentInput: .agentInput(try AgentInput(from: &payload))
            case .agentNotice: .agentNotice(try AgentNotice(from: &payload))
            case .regionFrame: .regionFrame(try RegionFrame(from: &payload))
            case .gridRequest: .gridRequest(try GridRequest(from: &payload))
            case .gridReply: .gridReply(try GridReply(from: &payload))
            case .handoffOffer: .handoffOffer(try HandoffOffer(from: &payload))
            case .handoffSignal: .handoffSignal(try HandoffSignal(from: &payload))
            case .ghostFrame: .ghostFrame(try GhostFrame(from: &payload))
            case .chatRelay: .chatRelay(try ChatRelay(from: &payload))
            case .statusRequest: .statusRequest(try StatusRequest(from: &payload))
            case .statusReply: .statusReply(try StatusReply(from: &payload))
            case .adminRequest: .adminRequest(try AdminRequest(from: &payload))
            case .adminReply: .adminReply(try AdminReply(from: &payload))
            case .physicsFrame: .physicsFrame(try PhysicsFrame(from: &payload))
            case .physicsResult: .physicsResult(try PhysicsResult(from: &payload))
            case .scriptFrame: .scriptFrame(try ScriptFrame(from: &payload))
            case .scriptResult: .scriptResult(try ScriptResult(from: &payload))
            case .regionMigrate: .regionMigrate(try RegionMigrate(from: &payload))
            case .regionMoved: .regionMoved(try RegionMoved(from: &payload))
            }
        guard payload.readableBytes == 0 else {
            throw CodecError.trailingBytes(messageType: raw, count: payload.readableBytes)
        }
        return message
    }

    /// Appends the whole frame: u32 little-endian payload length, type byte, body.
    public func encodeFrame(into buffer: inout ByteBuffer) {
        let lengthIndex = buffer.writerIndex
        buffer.writeLE(UInt32(0))
        let start = buffer.writerIndex
        buffer.writeLE(messageType.rawValue)
        body.encode(into: &buffer)
        buffer.setInteger(UInt32(buffer.writerIndex - start), at: lengthIndex, endianness: .little)
    }
}
