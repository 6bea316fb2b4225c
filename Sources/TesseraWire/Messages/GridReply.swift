import NIOCore
import TesseraCodec
import TesseraGridProtocol

/// Grid services → caller: the outcome of the `GridRequest` with this id. A failure carries
/// an error code and a message and no answer.
public struct GridReply: WireMessageBody {
    public static let messageType = WireMessageType.gridReply

    public var requestID: UInt32
    public var outcome: Result<GridAnswer, CallStatus>

    public init(requestID: UInt32, outcome: Result<GridAnswer, CallStatus>) {
        self.requestID = requestID
        self.outcome = outcome
    }

    public init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "gridReply.requestID")
        let status = try CallStatus(from: &buffer)
        if status.isOK {
            outcome = .success(try GridAnswer(from: &buffer))
        } else {
            outcome = .failure(status)
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        switch outcome {
        case .success(let answer):
            CallStatus.ok.encode(into: &buffer)
            answer.encode(into: &buffer)
        case .failure(let status):
            status.asFailure.encode(into: &buffer)
        }
    }
}
