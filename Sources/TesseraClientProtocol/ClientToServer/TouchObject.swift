import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x0C (protocol 6) — the avatar starts touching an object (the user pressed on it) or stops
/// (released it). The region raises touch_start and touch_end in the object's scripts. No reply.
public struct TouchObject: Hashable, Sendable {
    public enum Phase: UInt8, Hashable, Sendable, CaseIterable {
        case start = 1
        case end = 2
    }

    public var localID: LocalID
    public var phase: Phase

    public init(localID: LocalID, phase: Phase) {
        self.localID = localID
        self.phase = phase
    }

    init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "touchObject.localID")
        let raw = try buffer.readLE(UInt8.self, "touchObject.phase")
        guard let phase = Phase(rawValue: raw) else {
            throw CodecError.invalidValue(field: "touchObject.phase", reason: "expected 1 (start) or 2 (end), got \(raw)")
        }
        self.phase = phase
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        buffer.writeLE(phase.rawValue)
    }
}
