import Foundation
import NIOCore
import Testing
import TesseraClientProtocol
import TesseraCodec
import TesseraWorld

/// Protocol 6: touches, scripts, contents, diagnostics and appearances — their bytes, their
/// refusals, and what clients of older versions are sent instead.
@Suite struct ClientScriptMessageTests {
    private static func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
    private static func f32(_ value: Float) -> [UInt8] { le32(value.bitPattern) }

    @Test func touchLayout() throws {
        #expect(ClientMessage.touch(TouchObject(localID: 0x0102_0304, phase: .start)).bytes == [0x0C, 4, 3, 2, 1, 1])
        #expect(ClientMessage.touch(TouchObject(localID: 7, phase: .end)).bytes == [0x0C, 7, 0, 0, 0, 2])
    }

    @Test(arguments: [UInt8(0), 3, 0xFF])
    func touchWithABadPhaseIsMalformed(phase: UInt8) {
        let error = thrownError { try decodeClient([0x0C, 7, 0, 0, 0, phase]) }
        #expect(error as? CodecError == .invalidValue(field: "touchObject.phase", reason: "expected 1 (start) or 2 (end), got \(phase)"))
    }

    @Test func addScriptLayout() {
        let text = ClientMessage.addScript(AddScript(requestID: 9, localID: 5, name: "ab", source: .text("x✓")))
        #expect(text.bytes == [0x0D, 9, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0x61, 0x62, 2, 4, 0, 0, 0, 0x78, 0xE2, 0x9C, 0x93])
        let item = UUID(uuidString: "123e4567-e89b-12d3-a456-426614174000")!
        let inventory = ClientMessage.addScript(AddScript(requestID: 1, localID: 2, name: "", source: .inventoryItem(item)))
        #expect(inventory.bytes == [0x0D, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00])
    }

    @Test func addScriptRefusals() throws {
        let prefix: [UInt8] = [0x0D, 9, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0x61]
        #expect(thrownError { try decodeClient(prefix + [3]) } as? CodecError
            == .invalidValue(field: "addScript.sourceKind", reason: "expected 1 (inventory item) or 2 (text), got 3"))
        // One byte over 64 KiB, announced (the bytes need not follow).
        #expect(thrownError { try decodeClient(prefix + [2] + Self.le32(65537)) } as? CodecError
            == .invalidValue(field: "addScript.text", reason: "65537 bytes, at most 65536 allowed"))
        #expect(thrownError { try decodeClient(prefix + [2] + Self.le32(4) + [0x61, 0x62]) } as? CodecError == .truncated(field: "addScript.text"))
        #expect(thrownError { try decodeClient(prefix + [2] + Self.le32(3) + [0x61, 0, 0x62]) } as? CodecError
            == .invalidValue(field: "addScript.text", reason: "contains U+0000 (NUL), which no text field may hold"))
        #expect(thrownError { try decodeClient(prefix + [2] + Self.le32(2) + [0xC3, 0x28]) } as? CodecError
            == .invalidValue(field: "addScript.text", reason: "not valid UTF-8"))
        #expect(invalidField(thrownError { try decodeClient([0x0D, 9, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0]) }) == "addScript.name", "NUL in the name")
        #expect(invalidField(thrownError { try decodeClient([0x0D, 9, 0, 0, 0, 5, 0, 0, 0, 64, 0] + Array(repeating: 0x61, count: 64) + [2, 0, 0, 0, 0]) }) == "addScript.name")
        // Exactly 64 KiB of text is accepted.
        let big = ClientMessage.addScript(AddScript(requestID: 1, localID: 1, name: "b", source: .text(String(repeating: "z", count: 65536))))
        #expect(try decodeClient(big.bytes) == big)
    }

    @Test func scriptControlLayoutAndRefusals() {
        #expect(ClientMessage.scriptControl(ScriptControlRequest(requestID: 3, localID: 4, item: "d", action: .remove)).bytes
            == [0x0E, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0x64, 4])
        for action: UInt8 in [0, 5, 0xFF] {
            #expect(thrownError { try decodeClient([0x0E, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0x64, action]) } as? CodecError
                == .invalidValue(field: "scriptControl.action", reason: "expected 1 (reset), 2 (stop), 3 (start) or 4 (remove), got \(action)"))
        }
        #expect(ClientMessage.contents(ObjectContentsRequest(requestID: 1, localID: 2)).bytes == [0x0F, 1, 0, 0, 0, 2, 0, 0, 0])
        #expect(thrownError { try decodeClient([0x0F, 1, 0, 0, 0, 2, 0, 0]) } as? CodecError == .truncated(field: "contentsRequest.localID"))
    }

    @Test(arguments: [ChatType.regionSay, .ownerSay])
    func clientsMayNotSayObjectOnlyChat(type: ChatType) {
        // Chat: type, channel 0, empty text.
        let error = thrownError { try decodeClient([0x03, type.rawValue, 0, 0, 0, 0, 0, 0]) }
        #expect(error as? CodecError == .invalidValue(field: "chat.type", reason: "\(type.rawValue) (\(type)) is said by objects only; a client says 0, 1 or 2"))
    }

    @Test func appearanceLayout() {
        let appearance = ObjectAppearance(text: "hi", textColor: Vector3(1, 0.5, 0), textAlpha: 0.25, color: Vector3(0, 0, 1), alpha: 1)
        let message = ServerMessage.objectAppearance(AppearanceUpdate(localID: 9, appearance: appearance))
        let body: [UInt8] = [9, 0, 0, 0, 2, 0, 0x68, 0x69]
            + ([1, 0.5, 0, 0.25, 0, 0, 1, 1] as [Float]).flatMap { Self.f32($0) }
        #expect(message.bytes == [0x8F, UInt8(body.count), 0] + body)
        #expect(body.count == 4 + 34 + 2)
    }

    @Test func appearanceOutOfRangeIsRefusedNamingTheField() throws {
        func frame(_ floats: [Float]) -> [UInt8] {
            let body: [UInt8] = [9, 0, 0, 0, 0, 0] + floats.flatMap { Self.f32($0) }
            return [0x8F, UInt8(body.count), 0] + body
        }
        #expect(try decodeServer(frame([1, 1, 1, 1, 1, 1, 1, 1])) == [.objectAppearance(AppearanceUpdate(localID: 9, appearance: .standard))])
        #expect(thrownError { try decodeServer(frame([1, 1.5, 1, 1, 1, 1, 1, 1])) } as? CodecError
            == .invalidValue(field: "objectAppearance.textColor.g", reason: "1.5 is not in 0...1"))
        #expect(thrownError { try decodeServer(frame([1, 1, 1, -0.25, 1, 1, 1, 1])) } as? CodecError
            == .invalidValue(field: "objectAppearance.textAlpha", reason: "-0.25 is not in 0...1"))
        #expect(thrownError { try decodeServer(frame([1, 1, 1, 1, 1, 1, 2, 1])) } as? CodecError
            == .invalidValue(field: "objectAppearance.color.b", reason: "2.0 is not in 0...1"))
        #expect(invalidField(thrownError { try decodeServer(frame([1, 1, 1, 1, 1, 1, 1, .nan])) }) == "objectAppearance.alpha")
    }

    @Test func anAppearanceOutOfRangeIsClampedWhenWritten() throws {
        let wild = ObjectAppearance(
            text: "a\u{0}b" + String(repeating: "é", count: 200), textColor: Vector3(2, -1, .nan), textAlpha: .infinity, color: Vector3(0.5, 0.5, 0.5), alpha: -3)
        #expect(wild.problem == "text contains U+0000 (NUL)")
        let sent = ServerMessage.objectAppearance(AppearanceUpdate(localID: 1, appearance: wild))
        let decoded = try decodeServer(sent.bytes)
        let expected = ObjectAppearance(
            text: "ab" + String(repeating: "é", count: 126), textColor: Vector3(1, 0, 0), textAlpha: 1, color: Vector3(0.5, 0.5, 0.5), alpha: 0)
        #expect(decoded == [.objectAppearance(AppearanceUpdate(localID: 1, appearance: expected))])
        #expect(expected.text.utf8.count == 254 && expected.problem == nil)
    }

    @Test func entityEnterCarriesTheAppearanceAfterTheMotion() throws {
        let motion = ClientProtocolSamples.motion
        let plain = ServerMessage.entityEnter(EntityEnter(localID: 1, kind: .object, shape: .box, name: "ab", scale: Vector3(1, 1, 1), motion: motion))
        let dressed = ServerMessage.entityEnter(EntityEnter(
            localID: 1, kind: .object, shape: .box, name: "ab", scale: Vector3(1, 1, 1), motion: motion, appearance: ClientProtocolSamples.clockAppearance))
        #expect(plain.bytes.count == 3 + 38 + 2)
        let text = ClientProtocolSamples.clockAppearance.text.utf8.count
        #expect(dressed.bytes.count == 3 + 38 + 2 + 34 + text)
        #expect(Array(dressed.bytes.prefix(plain.bytes.count).dropFirst(3)) == Array(plain.bytes.dropFirst(3)), "the same fields first")
    }

    @Test func contentsAndDiagnosticsLimits() {
        let tooMany = ServerMessage.objectContents(ObjectContents(
            requestID: 1, localID: 2, items: (0..<17).map { ObjectContents.Item(name: "s\($0)", kind: .script) }))
        // The encoder keeps 16; a frame that claims 17 is refused.
        guard case .objectContents(let kept)? = try? decodeServer(tooMany.bytes).first else {
            Issue.record("did not decode")
            return
        }
        #expect(kept.items.count == 16)
        var bytes = tooMany.bytes
        bytes[11] = 17  // the item count, after the header (3), request id and local id
        #expect(thrownError { try decodeServer(bytes) } as? CodecError == .invalidValue(field: "objectContents.items", reason: "17 items, at most 16 allowed"))

        let lines = ServerMessage.scriptDiagnostics(ScriptDiagnostics(localID: 1, objectName: "", item: "", compile: true, lines: Array(repeating: "e", count: 33)))
        var diagnostic = lines.bytes
        #expect(diagnostic[3 + 4 + 2 + 2 + 1] == 32, "the encoder keeps 32 lines")
        diagnostic[3 + 4 + 2 + 2 + 1] = 33
        #expect(thrownError { try decodeServer(diagnostic) } as? CodecError
            == .invalidValue(field: "scriptDiagnostics.lines", reason: "33 lines, at most 32 allowed"))
        let badRunning: [UInt8] = [0x8D, 19, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0x61, 1, 2, 0, 0]
        #expect(thrownError { try decodeServer(badRunning) } as? CodecError == .invalidValue(field: "objectContents.item.running", reason: "expected 0 or 1, got 2"))
    }

    @Test func olderClientsGetWhatTheirVersionHas() {
        let clock = ClientProtocolSamples.clockAppearance
        let motion = ClientProtocolSamples.motion
        let enter = ServerMessage.entityEnter(EntityEnter(localID: 1, kind: .object, shape: .box, name: "c", scale: Vector3(1, 1, 1), motion: motion, appearance: clock))
        let regionSay = ServerMessage.chat(ChatReceived(
            speaker: 5, speakerName: "Greeter", type: .regionSay, channel: 0, position: motion.position, text: "hi", speakerKind: .object))
        let ownerSay = ServerMessage.chat(ChatReceived(
            speaker: 5, speakerName: "Greeter", type: .ownerSay, channel: 0, position: motion.position, text: "yours", speakerKind: .object))
        let shout = ServerMessage.chat(ChatReceived(
            speaker: 6, speakerName: "Ada", type: .shout, channel: 0, position: motion.position, text: "HI", speakerKind: .avatar))
        let sixOnly: [ServerMessage] = [
            .objectAppearance(AppearanceUpdate(localID: 1, appearance: clock)),
            .objectContents(ObjectContents(requestID: 1, localID: 1, items: [])),
            .scriptDiagnostics(ScriptDiagnostics(localID: 1, objectName: "c", item: "s", compile: true, lines: ["s:1:1: error: x"])),
            .objectResult(ObjectResult(requestID: 1, outcome: .updated, localID: 1)),
        ]
        for version: UInt16 in [3, 4, 5] {
            for message in sixOnly { #expect(message.forVersion(version) == nil, "\(message.typeCode) to version \(version)") }
            #expect(enter.forVersion(version) == .entityEnter(EntityEnter(localID: 1, kind: .object, shape: .box, name: "c", scale: Vector3(1, 1, 1), motion: motion)))
            #expect(regionSay.forVersion(version) == .chat(ChatReceived(
                speaker: 5, speakerName: "Greeter", type: .say, channel: 0, position: motion.position, text: "hi")))
            #expect(ownerSay.forVersion(version) == .chat(ChatReceived(
                speaker: 5, speakerName: "Greeter", type: .say, channel: 0, position: motion.position, text: "yours")))
            #expect(shout.forVersion(version) == .chat(ChatReceived(
                speaker: 6, speakerName: "Ada", type: .shout, channel: 0, position: motion.position, text: "HI")))
            let moved = ServerMessage.objectResult(ObjectResult(requestID: 1, outcome: .moved, localID: 1))
            #expect(moved.forVersion(version) == moved)
        }
        for message in sixOnly + [enter, regionSay, ownerSay, shout] { #expect(message.forVersion(6) == message) }
    }

    @Test func versionSixAddedTheScriptMessages() {
        // Versions 7 and 8 added no client messages (EntityDeltas, RegionMap and RegionTerrain are the server's).
        #expect(clientProtocolVersion == 8)
        #expect(supportedClientProtocolVersions == 3...8)
        for code in ClientMessage.TypeCode.allCases {
            #expect((code.since == 6) == [.touch, .addScript, .scriptControl, .contents].contains(code), "\(code)")
        }
    }
}
