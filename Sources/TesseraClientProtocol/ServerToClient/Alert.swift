import NIOCore
import TesseraCodec

/// 0x8C — a message from the grid's admins, to be shown prominently (not as chat).
public struct Alert: Hashable, Sendable {
    /// Where it comes from: `grid` for every avatar of the grid, `region` for the avatars of
    /// one region, `personal` for this avatar alone.
    public enum Scope: UInt8, Sendable, CaseIterable {
        case grid = 0
        case region = 1
        case personal = 2
    }

    public var scope: Scope
    public var text: String

    public init(scope: Scope, text: String) {
        self.scope = scope
        self.text = text
    }

    init(from buffer: inout ByteBuffer) throws {
        scope = try buffer.readEnum(Scope.self, "alert.scope")
        text = try buffer.readText("alert.text", maxBytes: 1024)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(scope.rawValue)
        buffer.writeText(text)
    }
}
