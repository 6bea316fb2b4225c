import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// 0x8A — the outcome of the InventoryRequest with this id: a status (0 for success, else an
/// error code) and message, then the answer when it succeeded.
public struct InventoryReply: Hashable, Sendable {
    public var requestID: UInt32
    public var outcome: Result<InventoryAnswer, CallStatus>

    public init(requestID: UInt32, outcome: Result<InventoryAnswer, CallStatus>) {
        self.requestID = requestID
        self.outcome = outcome
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "inventoryReply.requestID")
        let status = try CallStatus(from: &buffer)
        outcome = status.isOK ? .success(try InventoryAnswer(from: &buffer)) : .failure(status)
    }

    func encode(into buffer: inout ByteBuffer) {
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
