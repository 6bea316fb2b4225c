import NIOCore
import Testing
import TesseraClientProtocol
import TesseraCodec
import TesseraWorld

@Suite struct ServerMessageTests {
    @Test(arguments: ClientProtocolSamples.serverMessages)
    func roundTripAlone(message: ServerMessage) throws {
        #expect(try ServerMessage.decodeFrame(serverFrame([message])) == [message])
    }

    @Test func everyMessageInOneFrame() throws {
        let all = ClientProtocolSamples.serverMessages
        #expect(try ServerMessage.decodeFrame(serverFrame(all)) == all)
        #expect(try ServerMessage.decodeFrame(serverFrame(all.reversed())) == all.reversed())
    }

    @Test func everyTypeCodeHasASample() {
        let covered = Set(ClientProtocolSamples.serverMessages.map(\.typeCode))
        for code in ServerMessage.TypeCode.allCases {
            #expect(covered.contains(code), "no sample for \(code)")
        }
        let outcomes = Set(ClientProtocolSamples.serverMessages.compactMap { message -> ObjectResult.Outcome? in
            if case .objectResult(let result) = message { result.outcome } else { nil }
        })
        #expect(outcomes == Set(ObjectResult.Outcome.allCases))
    }

    @Test func headerIsTypeThenLittleEndianLength() {
        let bytes = ServerMessage.entityLeave(EntityLeave(localID: 0x0102_0304)).bytes
        #expect(bytes == [0x85, 4, 0, 4, 3, 2, 1])
        let pong = ServerMessage.pong(Pong(nonce: 1, clientTimeMillis: 2)).bytes
        #expect(pong.prefix(3) == [0x89, 12, 0])
        #expect(pong.count == 15)
    }

    @Test func emptyFrameHoldsNoMessages() throws {
        #expect(try ServerMessage.decodeFrame(ByteBuffer()) == [])
    }

    @Test func unknownTypesInTheMiddleAreSkipped() throws {
        let first = ServerMessage.frameStamp(FrameStamp(frame: 1, timeMillis: 2, timeDilation: 3))
        let last = ServerMessage.entityLeave(EntityLeave(localID: 9))
        var frame = serverFrame([first])
        frame.writeBytes([0x99, 3, 0, 0xAA, 0xBB, 0xCC])  // unknown type, three body bytes
        frame.writeBytes([0x01, 0, 0])  // unknown type, empty body
        frame.writeBytes([0xFF, 2, 0, 0x85, 0x04])  // unknown type whose body looks like a header
        last.encode(into: &frame)
        #expect(try ServerMessage.decodeFrame(frame) == [first, last])
    }

    @Test func aFrameOfOnlyUnknownTypesIsEmpty() throws {
        // 0x80, the first type past the last known one (0x91 and 0x92 became RegionMap and RegionTerrain), and 0x00.
        let next = ServerMessage.TypeCode.allCases.map(\.rawValue).max()! + 1
        #expect(next == 0x93)
        #expect(try decodeServer([0x80, 0, 0, next, 1, 0, 7, 0x00, 0, 0]) == [])
    }

    @Test func welcomeFrameStampDilation() {
        #expect(FrameStamp(frame: 0, timeMillis: 0, dilation: 1).timeDilation == 65535)
        #expect(FrameStamp(frame: 0, timeMillis: 0, dilation: 0).timeDilation == 0)
        #expect(FrameStamp(frame: 0, timeMillis: 0, dilation: 0.5).timeDilation == 32768)
        #expect(FrameStamp(frame: 0, timeMillis: 0, dilation: 2).timeDilation == 65535)
        #expect(FrameStamp(frame: 0, timeMillis: 0, dilation: -1).timeDilation == 0)
        #expect(FrameStamp(frame: 0, timeMillis: 0, dilation: .nan).timeDilation == 0)
    }

    @Test func serverErrorCodes() {
        #expect(ServerError(.rateLimited, message: "slow down").errorCode == .rateLimited)
        #expect(ServerError(.rateLimited, message: "").code == 11)
        #expect(ServerError(code: 999, message: "").errorCode == nil)
        #expect(CloseCode.forError(ErrorCode.tooSlow.rawValue) == 4014)
    }
}

@Suite struct EntityUpdateDeltaTests {
    private let base = EntityMotion(position: Vector3(10, 10, 21), rotation: Quaternion(yaw: 0), velocity: .zero)

    @Test func equalMotionGivesNoUpdate() {
        #expect(EntityUpdate(localID: 1, from: base, to: base) == nil)
    }

    @Test func onlyChangedFieldsAreCarried() throws {
        var moved = base
        moved.position = PackedPosition(Vector3(10.1, 10, 21))
        let positionOnly = try #require(EntityUpdate(localID: 5, from: base, to: moved))
        #expect(positionOnly.fields == [.position])
        #expect(positionOnly.position == moved.position)
        #expect(positionOnly.rotation == nil && positionOnly.velocity == nil)
        #expect(positionOnly.localID == 5)

        var turned = base
        turned.rotation = PackedRotation(Quaternion(yaw: 1))
        turned.velocity = PackedVelocity(Vector3(1, 0, 0))
        let turnAndSpeed = try #require(EntityUpdate(localID: 5, from: base, to: turned))
        #expect(turnAndSpeed.fields == [.rotation, .velocity])
        #expect(turnAndSpeed.position == nil)
    }

    @Test func appliedReconstructsTheNewMotion() throws {
        var rng = SplitMix64(seed: 31)
        for _ in 0..<2_000 {
            var new = base
            if Bool.random(using: &rng) { new.position = PackedPosition(rawValue: rng.next()) }
            if Bool.random(using: &rng) { new.rotation = PackedRotation(rawValue: UInt32(truncatingIfNeeded: rng.next())) }
            if Bool.random(using: &rng) { new.velocity = PackedVelocity(x: 1, y: Int16(truncatingIfNeeded: rng.next()), z: 3) }
            guard let update = EntityUpdate(localID: 1, from: base, to: new) else {
                #expect(new == base)
                continue
            }
            #expect(update.applied(to: base) == new)
            // And it survives the wire.
            let decoded = try ServerMessage.decodeFrame(serverFrame([.entityUpdate(update)]))
            #expect(decoded == [.entityUpdate(update)])
        }
    }

    @Test func sizeDependsOnFields() {
        // Header 3 + local id 4 + mask 1, then 8, 4 and 6 bytes for the fields present.
        #expect(ServerMessage.entityUpdate(EntityUpdate(localID: 1)).bytes.count == 8)
        #expect(ServerMessage.entityUpdate(EntityUpdate(localID: 1, position: base.position)).bytes.count == 16)
        #expect(ServerMessage.entityUpdate(EntityUpdate(localID: 1, rotation: base.rotation, velocity: base.velocity)).bytes.count == 18)
        #expect(EntityUpdate.Fields.all.rawValue == 7)
    }

    @Test func unknownFieldBitsAreRejected() {
        for mask: UInt8 in [8, 0x10, 0x80, 0xFF] {
            let bytes: [UInt8] = [0x84, 5, 0, 1, 0, 0, 0, mask]
            #expect(invalidField(thrownError { try decodeServer(bytes) }) == "entityUpdate.fields")
        }
    }
}

@Suite struct ServerMessageMalformedTests {
    @Test(arguments: ClientProtocolSamples.serverMessages)
    func everyTruncationThrowsCodecError(message: ServerMessage) {
        let bytes = message.bytes
        // Cutting anywhere inside the message (the empty frame is valid and holds nothing).
        for length in 1..<bytes.count {
            let error = thrownError { try decodeServer(Array(bytes.prefix(length))) }
            #expect(error is CodecError, "\(message.typeCode) cut to \(length): \(String(describing: error))")
        }
    }

    @Test(arguments: ClientProtocolSamples.serverMessages)
    func bodyShorterThanItsLengthIsAnError(message: ServerMessage) {
        // Claim one byte more than the body holds and supply it: the body decoder leaves it over.
        var bytes = message.bytes
        let length = UInt16(bytes[1]) | UInt16(bytes[2]) << 8
        bytes[1] = UInt8(truncatingIfNeeded: length + 1)
        bytes[2] = UInt8((length + 1) >> 8)
        // Where an optional trailing field (protocol 6) is absent, the byte starts it instead,
        // and cannot be one.
        let expected: CodecError =
            switch message {
            case .entityEnter(let enter) where enter.appearance == nil: .truncated(field: "entityEnter.appearance.text")
            case .chat(let line) where line.speakerKind == nil: .invalidValue(field: "chatReceived.speakerKind", reason: "unknown value 0")
            // Entries run to the body's end: the byte is an idGap whose entry has no flags, or
            // after local ID 2³² − 1 one past the largest.
            case .entityDeltas(let deltas) where deltas.entries.last?.localID == .max:
                .invalidValue(field: "entityDeltas.idGap", reason: "local ID 4294967296 after 4294967295 is above 2^32 − 1")
            case .entityDeltas: .truncated(field: "entityDeltas.flags")
            default: .trailingBytes(messageType: message.typeCode.rawValue, count: 1)
            }
        #expect(throws: expected) {
            try decodeServer(bytes + [0])
        }
    }

    @Test(arguments: ClientProtocolSamples.serverMessages)
    func lengthShorterThanTheBodyIsAnError(message: ServerMessage) {
        var bytes = message.bytes
        let length = UInt16(bytes[1]) | UInt16(bytes[2]) << 8
        guard length > 0 else { return }
        bytes[1] = UInt8(truncatingIfNeeded: length - 1)
        bytes[2] = UInt8((length - 1) >> 8)
        // The body is cut short, and the byte left behind cannot start a whole message.
        #expect(thrownError { try decodeServer(bytes) } is CodecError)
    }

    @Test func lengthBeyondTheFrameIsTruncated() {
        let error = thrownError { try decodeServer([0x99, 10, 0, 1, 2]) }
        guard case .truncated? = error as? CodecError else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
    }

    @Test func textLimitsAreEnforced() {
        let chat = ServerMessage.chat(ChatReceived(
            speaker: 1, speakerName: "a", type: .say, channel: 0, position: PackedPosition(rawValue: 0),
            text: String(repeating: "t", count: 1024)
        ))
        #expect(invalidField(thrownError { try decodeServer(chat.bytes) }) == "chatReceived.text")
        let welcome = ServerMessage.welcome(Welcome(
            agentID: ClientProtocolSamples.agent, localID: 1, regionName: String(repeating: "r", count: 64),
            regionHandle: RegionHandle(rawValue: 0), frameRate: 45, updateRate: 15, viewDistance: 64
        ))
        #expect(invalidField(thrownError { try decodeServer(welcome.bytes) }) == "welcome.regionName")
    }

    @Test func nonFiniteViewDistanceIsRejected() {
        let welcome = ServerMessage.welcome(Welcome(
            agentID: ClientProtocolSamples.agent, localID: 1, regionName: "r",
            regionHandle: RegionHandle(rawValue: 0), frameRate: 45, updateRate: 15, viewDistance: .nan
        ))
        #expect(invalidField(thrownError { try decodeServer(welcome.bytes) }) == "welcome.viewDistance")
    }

    @Test func invalidEnumsAreRejected() {
        // ObjectResult: request id 1, outcome 6 (the first past updated), local id 1.
        #expect(invalidField(thrownError { try decodeServer([0x87, 9, 0, 1, 0, 0, 0, 6, 1, 0, 0, 0]) }) == "objectResult.outcome")
        var enter = ClientProtocolSamples.serverMessages.first { $0.typeCode == .entityEnter }!.bytes
        enter[7] = 3  // kind, after the header and the local id
        #expect(invalidField(thrownError { try decodeServer(enter) }) == "entityEnter.kind")
    }
}
