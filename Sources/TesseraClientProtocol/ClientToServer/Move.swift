import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x02 — how the avatar wants to move until the next Move. `stop` with a new heading turns
/// in place.
public struct Move: Hashable, Sendable {
    public var mode: MovementMode
    /// Heading about z: radians = heading / 65536 · 2π, counter-clockwise from +x (east).
    public var heading: UInt16
    /// -1 descend, 0 level, +1 climb; used while flying.
    public var vertical: Int8

    public init(mode: MovementMode, heading: UInt16, vertical: Int8 = 0) {
        self.mode = mode
        self.heading = heading
        self.vertical = vertical
    }

    public init(mode: MovementMode, headingRadians: Float, vertical: Int8 = 0) {
        // A non-finite heading would trap in the Int conversion below; treat it as east (0).
        let turns = headingRadians.isFinite ? headingRadians / (2 * .pi) : 0
        let fraction = turns - turns.rounded(.down)
        self.init(mode: mode, heading: UInt16(truncatingIfNeeded: Int((fraction * 65536).rounded())), vertical: vertical)
    }

    public var headingRadians: Float { Float(heading) / 65536 * 2 * .pi }

    public var intent: MovementIntent {
        MovementIntent(mode: mode, heading: headingRadians, vertical: vertical)
    }

    init(from buffer: inout ByteBuffer) throws {
        mode = try buffer.readEnum(MovementMode.self, "move.mode")
        heading = try buffer.readLE(UInt16.self, "move.heading")
        vertical = try buffer.readLE(Int8.self, "move.vertical")
        guard (-1...1).contains(vertical) else {
            throw CodecError.invalidValue(field: "move.vertical", reason: "must be -1, 0 or 1, got \(vertical)")
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(mode.rawValue)
        buffer.writeLE(heading)
        buffer.writeLE(vertical)
    }
}
