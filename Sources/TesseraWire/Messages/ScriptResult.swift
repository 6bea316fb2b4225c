import Foundation
import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// Script service → region, once per `ScriptFrame`: what the region's scripts did while the
/// service ran them for that frame (docs/scripts.md).
public struct ScriptResult: WireMessageBody {
    public static let messageType = WireMessageType.scriptResult

    public var region: RegionHandle
    /// The `ScriptFrame.frame` this answers.
    public var frame: UInt64
    /// Microseconds spent running the region's scripts for this frame.
    public var runMicros: UInt32
    /// In the order the scripts made them.
    public var effects: [ScriptEffectRecord]
    /// Frozen scripts' captures and periodic checkpoints.
    public var captures: [ScriptCapture]
    public var diagnostics: [ScriptDiagnostic]
    public var stats: ScriptRegionStats

    public init(
        region: RegionHandle, frame: UInt64, runMicros: UInt32 = 0, effects: [ScriptEffectRecord] = [], captures: [ScriptCapture] = [],
        diagnostics: [ScriptDiagnostic] = [], stats: ScriptRegionStats = .init()
    ) {
        self.region = region
        self.frame = frame
        self.runMicros = runMicros
        self.effects = effects
        self.captures = captures
        self.diagnostics = diagnostics
        self.stats = stats
    }

    public init(from buffer: inout ByteBuffer) throws {
        region = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "scriptResult.region"))
        frame = try buffer.readLE(UInt64.self, "scriptResult.frame")
        runMicros = try buffer.readLE(UInt32.self, "scriptResult.runMicros")
        effects = try (0..<buffer.readCount("scriptResult.effects", minElementBytes: 33)).map { _ in
            let key = try ScriptKey(from: &buffer, "effect")
            return ScriptEffectRecord(key: key, effect: try ScriptEffect(from: &buffer))
        }
        captures = try (0..<buffer.readCount("scriptResult.captures", minElementBytes: 32 + 4 + 1)).map { _ in
            let key = try ScriptKey(from: &buffer, "capture")
            guard let state = try buffer.readOptionalBytes("capture.state", maxBytes: ContentItem.maxStateBytes) else {
                throw CodecError.invalidValue(field: "capture.state", reason: "missing")
            }
            return ScriptCapture(key: key, state: state, frozen: try buffer.readBool("capture.frozen"))
        }
        diagnostics = try (0..<buffer.readCount("scriptResult.diagnostics", minElementBytes: 32 + 16 + 1 + 4)).map { _ in
            let key = try ScriptKey(from: &buffer, "diagnostic")
            let owner = try buffer.readUUID("diagnostic.owner")
            let compile = try buffer.readBool("diagnostic.compile")
            let count = try buffer.readCount("diagnostic.lines", minElementBytes: 2)
            guard count <= ScriptDiagnostic.maxLines else {
                throw CodecError.invalidValue(field: "diagnostic.lines", reason: "\(count) lines, more than \(ScriptDiagnostic.maxLines)")
            }
            let lines = try (0..<count).map { _ in try buffer.readText("diagnostic.line", maxBytes: 1024) }
            return ScriptDiagnostic(key: key, owner: owner, compile: compile, lines: lines)
        }
        var stats = ScriptRegionStats()
        stats.scripts = try buffer.readLE(UInt32.self, "stats.scripts")
        stats.running = try buffer.readLE(UInt32.self, "stats.running")
        stats.eventsQueued = try buffer.readLE(UInt32.self, "stats.eventsQueued")
        stats.eventsDropped = try buffer.readLE(UInt64.self, "stats.eventsDropped")
        stats.chatDropped = try buffer.readLE(UInt64.self, "stats.chatDropped")
        let top = try buffer.readCount("stats.topScripts", minElementBytes: 32 + 2 + 2 + 4)
        guard top <= ScriptRegionStats.maxTop else { throw CodecError.invalidValue(field: "stats.topScripts", reason: "\(top) entries") }
        stats.topScripts = try (0..<top).map { _ in
            let key = try ScriptKey(from: &buffer, "top")
            let name = try buffer.readText("top.name", maxBytes: maxNameBytes)
            let objectName = try buffer.readText("top.objectName", maxBytes: maxNameBytes)
            return ScriptTime(key: key, name: name, objectName: objectName, micros: try buffer.readFloatLE("top.micros"))
        }
        self.stats = stats
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(region.rawValue)
        buffer.writeLE(frame)
        buffer.writeLE(runMicros)
        buffer.writeCount(effects.count)
        for record in effects {
            record.key.encode(into: &buffer)
            record.effect.encode(into: &buffer)
        }
        buffer.writeCount(captures.count)
        for capture in captures {
            capture.key.encode(into: &buffer)
            buffer.writeOptionalBytes(capture.state)
            buffer.writeBool(capture.frozen)
        }
        buffer.writeCount(diagnostics.count)
        for diagnostic in diagnostics {
            diagnostic.key.encode(into: &buffer)
            buffer.writeUUID(diagnostic.owner)
            buffer.writeBool(diagnostic.compile)
            let lines = diagnostic.lines.prefix(ScriptDiagnostic.maxLines)
            buffer.writeCount(lines.count)
            for line in lines { buffer.writeText(line, maxBytes: 1024) }
        }
        buffer.writeLE(stats.scripts)
        buffer.writeLE(stats.running)
        buffer.writeLE(stats.eventsQueued)
        buffer.writeLE(stats.eventsDropped)
        buffer.writeLE(stats.chatDropped)
        let top = stats.topScripts.prefix(ScriptRegionStats.maxTop)
        buffer.writeCount(top.count)
        for entry in top {
            entry.key.encode(into: &buffer)
            buffer.writeText(entry.name, maxBytes: maxNameBytes)
            buffer.writeText(entry.objectName, maxBytes: maxNameBytes)
            buffer.writeFloatLE(entry.micros)
        }
    }
}
