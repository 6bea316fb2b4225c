import Foundation
import NIOCore
import Testing
import TesseraCodec
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

/// The avatar commands and region frame parts of scripts: strict decoding, fields named.
@Suite struct WireScriptCommandTests {
    /// AgentInput bytes up to the command body: type, region 8, agent 16, sequence 4, tag.
    private static func command(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] {
        let head = WireMessage.agentInput(AgentInput(region: WireSamples.handle, agentID: WireSamples.agentA, command: .contents(requestID: 0, 0))).payloadBytes
        return Array(head.prefix(29)) + [tag] + body
    }

    private static func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }

    @Test func touchPhaseMustBeStartOrEnd() throws {
        #expect(try decodePayload(Self.command(10, [7, 0, 0, 0, 2]))
            == .agentInput(AgentInput(region: WireSamples.handle, agentID: WireSamples.agentA, command: .touch(7, phase: .end))))
        for phase: UInt8 in [0, 3] {
            #expect(thrownError { try decodePayload(Self.command(10, [7, 0, 0, 0, phase])) } as? CodecError
                == .invalidValue(field: "touch.phase", reason: "unknown value \(phase)"))
        }
    }

    @Test func addScriptSourceIsBoundedAndText() {
        let head: [UInt8] = [1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0x61]  // request 1, object 2, name "a"
        #expect(thrownError { try decodePayload(Self.command(11, head + [3])) } as? CodecError
            == .invalidValue(field: "addScript.source.kind", reason: "expected 1 (inventory item) or 2 (text), got 3"))
        #expect(thrownError { try decodePayload(Self.command(11, head + [2] + Self.le32(65537))) } as? CodecError
            == .invalidValue(field: "addScript.source.text", reason: "65537 bytes, at most 65536 allowed"))
        #expect(thrownError { try decodePayload(Self.command(11, head + [2] + Self.le32(1) + [0])) } as? CodecError
            == .invalidValue(field: "addScript.source.text", reason: "contains U+0000 (NUL), which no text field may hold"))
        #expect(thrownError { try decodePayload(Self.command(11, head + [2] + Self.le32(1) + [0xFF])) } as? CodecError
            == .invalidValue(field: "addScript.source.text", reason: "not valid UTF-8"))
    }

    @Test func anOversizeSourceIsCutWhenWrittenSoItAlwaysDecodes() throws {
        let long = String(repeating: "é", count: 40_000)  // 80 000 bytes
        let input = AgentInput(region: WireSamples.handle, agentID: WireSamples.agentA, command: .addScript(requestID: 1, 2, name: "a", source: .text(long)))
        guard case .agentInput(let back) = try decodePayload(WireMessage.agentInput(input).payloadBytes),
            case .addScript(_, _, _, .text(let text)) = back.command
        else {
            Issue.record("did not decode to an addScript with text")
            return
        }
        #expect(text == String(repeating: "é", count: 32_768))
    }

    @Test func scriptControlActionIsOneToFour() {
        for action: UInt8 in [0, 5] {
            #expect(thrownError { try decodePayload(Self.command(12, [1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0x61, action])) } as? CodecError
                == .invalidValue(field: "scriptControl.action", reason: "unknown value \(action)"))
        }
    }

    @Test func noticesAndContentsKeepTheirLimits() throws {
        let lines = (0..<40).map { "line \($0)" }
        let notice = ScriptNotice(agent: 1, object: 2, objectName: "o", item: "s", compile: true, lines: lines)
        #expect(notice.lines.count == ScriptNotice.maxLines)
        #expect(notice.lines.last == "… 9 more" && notice.lines[30] == "line 30")
        let long = ScriptNotice(agent: 1, object: 2, objectName: "o", item: "s", compile: false, lines: [String(repeating: "x", count: 2000) + "\u{0}"])
        #expect(long.lines == [String(repeating: "x", count: ScriptNotice.maxLineBytes)])

        var frame = RegionFrame(region: WireSamples.handle, frame: 1, timeMillis: 2, timeDilation: 1)
        frame.replies = [CommandReply(agent: 1, requestID: 2, outcome: .contents(3, (0..<20).map { ContentSummary(name: "s\($0)", kind: .script) }))]
        guard case .regionFrame(let back) = try decodePayload(WireMessage.regionFrame(frame).payloadBytes),
            case .contents(3, let items)? = back.replies.first?.outcome
        else {
            Issue.record("did not decode a contents reply")
            return
        }
        #expect(items.map(\.name) == (0..<16).map { "s\($0)" }, "the writer keeps the first 16")
    }

    @Test func anAppearanceOutOfRangeIsWrittenClamped() throws {
        var frame = RegionFrame(region: WireSamples.handle, frame: 1, timeMillis: 2, timeDilation: 1)
        frame.appearance = [AppearanceChange(localID: 4, appearance: ObjectAppearance(text: "t", textColor: Vector3(2, 0.5, -1), textAlpha: .nan, color: Vector3(1, 1, 1), alpha: 7))]
        guard case .regionFrame(let back) = try decodePayload(WireMessage.regionFrame(frame).payloadBytes) else {
            Issue.record("not a region frame")
            return
        }
        #expect(back.appearance == [AppearanceChange(localID: 4, appearance: ObjectAppearance(text: "t", textColor: Vector3(1, 0.5, 0), textAlpha: 0, color: Vector3(1, 1, 1), alpha: 1))])
    }
}

@Suite struct WireScriptConversionTests {
    @Test func looksBecomeAppearancesAndTheStandardOneIsNotCarried() {
        let look = ObjectLook(color: Vector3(0, 0, 1), alpha: 0.5, text: "12:00", textColor: Vector3(1, 1, 0), textAlpha: 0.25)
        #expect(ObjectAppearance(look) == ObjectAppearance(text: "12:00", textColor: Vector3(1, 1, 0), textAlpha: 0.25, color: Vector3(0, 0, 1), alpha: 0.5))
        #expect(ObjectAppearance.carried(for: look) == ObjectAppearance(look))
        #expect(ObjectAppearance.carried(for: .plain) == nil)
        #expect(ContentSummary.Kind(ContentKind.script) == .script && ContentSummary.Kind(ContentKind.object) == .object)
    }
}
