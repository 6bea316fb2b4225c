import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x87 — a CreateObject, DeleteObject, MoveObject or PushObject succeeded (or a Teleport within
/// the region), or (protocol 6) an AddScript or ScriptControl.
public struct ObjectResult: Hashable, Sendable {
    public enum Outcome: UInt8, Sendable, CaseIterable {
        case created = 1
        case deleted = 2
        /// Moved within the region (an object), or teleported within it (the avatar itself).
        case moved = 3
        /// Moved over a border: the neighbour region holds the object now.
        case crossed = 4
        /// Protocol 6: an AddScript or ScriptControl was carried out on the object's contents.
        case updated = 5
    }

    public var requestID: UInt32
    public var outcome: Outcome
    public var localID: LocalID

    public init(requestID: UInt32, outcome: Outcome, localID: LocalID) {
        self.requestID = requestID
        self.outcome = outcome
        self.localID = localID
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "objectResult.requestID")
        outcome = try buffer.readEnum(Outcome.self, "objectResult.outcome")
        localID = try buffer.readLE(UInt32.self, "objectResult.localID")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(outcome.rawValue)
        buffer.writeLE(localID)
    }
}
