import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x8E (protocol 6) — errors of a script in an object this avatar owns: its compile errors
/// ("name:line:col: error: message"), or a run-time error.
public struct ScriptDiagnostics: Hashable, Sendable {
    /// Most lines one message carries, and the longest line (bytes).
    public static let maxLines = 32
    public static let maxLineBytes = 1024

    public var localID: LocalID
    public var objectName: String
    /// The script item's name.
    public var item: String
    /// True for compile errors (the script does not run), false for a run-time error.
    public var compile: Bool
    public var lines: [String]

    public init(localID: LocalID, objectName: String, item: String, compile: Bool, lines: [String]) {
        self.localID = localID
        self.objectName = objectName
        self.item = item
        self.compile = compile
        self.lines = lines
    }

    init(from buffer: inout ByteBuffer) throws {
        localID = try buffer.readLE(UInt32.self, "scriptDiagnostics.localID")
        objectName = try buffer.readText("scriptDiagnostics.objectName", maxBytes: maxNameBytes)
        item = try buffer.readText("scriptDiagnostics.item", maxBytes: maxNameBytes)
        switch try buffer.readLE(UInt8.self, "scriptDiagnostics.compile") {
        case 0: compile = false
        case 1: compile = true
        case let other: throw CodecError.invalidValue(field: "scriptDiagnostics.compile", reason: "expected 0 or 1, got \(other)")
        }
        let count = try buffer.readCount("scriptDiagnostics.lines", minElementBytes: 2)
        guard count <= Self.maxLines else {
            throw CodecError.invalidValue(field: "scriptDiagnostics.lines", reason: "\(count) lines, at most \(Self.maxLines) allowed")
        }
        lines = try (0..<count).map { _ in try buffer.readText("scriptDiagnostics.lines", maxBytes: Self.maxLineBytes) }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(localID)
        buffer.writeText(objectName, maxBytes: maxNameBytes)
        buffer.writeText(item, maxBytes: maxNameBytes)
        buffer.writeLE(UInt8(compile ? 1 : 0))
        let kept = lines.prefix(Self.maxLines)
        buffer.writeCount(kept.count)
        for line in kept { buffer.writeText(line, maxBytes: Self.maxLineBytes) }
    }
}
