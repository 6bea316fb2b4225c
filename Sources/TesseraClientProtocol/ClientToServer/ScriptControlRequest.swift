import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x0E (protocol 6) — reset, stop, start or remove a script of an object the avatar may
/// modify. Answered by ObjectResult (updated) or Error with the same request id.
public struct ScriptControlRequest: Hashable, Sendable {
    public enum Action: UInt8, Hashable, Sendable, CaseIterable {
        case reset = 1
        case stop = 2
        case start = 3
        case remove = 4
    }

    public var requestID: UInt32
    public var localID: LocalID
    /// The script item's name in the object.
    public var item: String
    public var action: Action

    public init(requestID: UInt32, localID: LocalID, item: String, action: Action) {
        self.requestID = requestID
        self.localID = localID
        self.item = item
        self.action = action
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "scriptControl.requestID")
        localID = try buffer.readLE(UInt32.self, "scriptControl.localID")
        item = try buffer.readText("scriptControl.item", maxBytes: maxNameBytes)
        let raw = try buffer.readLE(UInt8.self, "scriptControl.action")
        guard let action = Action(rawValue: raw) else {
            throw CodecError.invalidValue(field: "scriptControl.action", reason: "expected 1 (reset), 2 (stop), 3 (start) or 4 (remove), got \(raw)")
        }
        self.action = action
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(localID)
        buffer.writeText(item)
        buffer.writeLE(action.rawValue)
    }
}
