import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x0D (protocol 6) — add a script to an object the avatar may modify, from a script item of
/// its inventory or from source text. Answered by ObjectResult (updated) or Error with the same
/// request id; compile errors come later to the object's owner as ScriptDiagnostics.
public struct AddScript: Hashable, Sendable {
    public enum Source: Hashable, Sendable {
        /// A script item of the avatar's inventory.
        case inventoryItem(UUID)
        /// LSL source text, at most `AddScript.maxSourceBytes` bytes of UTF-8.
        case text(String)
    }

    /// Longest source text, in UTF-8 bytes (64 KiB); one client message is at most 64 KiB in
    /// all, so a text sent in an AddScript is at most 65 520 − the name's bytes.
    public static let maxSourceBytes = 65536

    public var requestID: UInt32
    public var localID: LocalID
    /// The script item's name in the object: 1…63 bytes, unique within the object.
    public var name: String
    public var source: Source

    public init(requestID: UInt32, localID: LocalID, name: String, source: Source) {
        self.requestID = requestID
        self.localID = localID
        self.name = name
        self.source = source
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "addScript.requestID")
        localID = try buffer.readLE(UInt32.self, "addScript.localID")
        name = try buffer.readText("addScript.name", maxBytes: maxNameBytes)
        switch try buffer.readLE(UInt8.self, "addScript.sourceKind") {
        case 1: source = .inventoryItem(try buffer.readUUID("addScript.item"))
        case 2:
            let text = try buffer.readLongText("addScript.text", maxBytes: Self.maxSourceBytes)
            source = .text(text)
        case let other:
            throw CodecError.invalidValue(field: "addScript.sourceKind", reason: "expected 1 (inventory item) or 2 (text), got \(other)")
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeLE(localID)
        buffer.writeText(name)
        switch source {
        case .inventoryItem(let item):
            buffer.writeLE(UInt8(1))
            buffer.writeUUID(item)
        case .text(let text):
            buffer.writeLE(UInt8(2))
            buffer.writeLongText(text)
        }
    }
}
