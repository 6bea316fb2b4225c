import Foundation
import NIOCore
import Testing
import TesseraCodec
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

/// The field an `invalidValue` error names, or nil for any other error.
private func invalidField(_ error: (any Error)?) -> String? {
    guard case .invalidValue(let field, _)? = error as? CodecError else { return nil }
    return field
}

@Suite struct WireMalformedTests {
    @Test(arguments: WireSamples.all)
    func everyTruncationThrowsCodecError(message: WireMessage) {
        let payload = message.payloadBytes
        for length in 0..<payload.count {
            let prefix = Array(payload.prefix(length))
            let error = thrownError { try decodePayload(prefix) }
            #expect(error is CodecError, "payload of \(message.messageType) cut to \(length) bytes: \(String(describing: error))")
            // The same cut with a correct length prefix goes through framing and fails the same way.
            let framed = thrownError { try decodeStream(frame(payload: prefix)) }
            #expect(framed is CodecError)
        }
        #expect(thrownError { try decodePayload([]) } as? CodecError == .emptyFrame)
    }

    @Test(arguments: WireSamples.all)
    func aPartialFrameWaitsForMoreBytes(message: WireMessage) throws {
        let bytes = Array(message.frameBytes.readableBytesView)
        for length in 0..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes.prefix(length))
            #expect(try WireMessageDecoder.nextPayload(from: &buffer, maxFrameBytes: 1 << 20) == nil)
            #expect(buffer.readableBytes == length, "nothing consumed while the frame is incomplete")
        }
    }

    @Test func oversizedLengthFailsBeforeTheBody() throws {
        var header = ByteBuffer()
        header.writeInteger(UInt32(1025), endianness: .little)
        #expect(throws: CodecError.frameTooLarge(length: 1025, limit: 1024)) {
            try WireMessageDecoder.nextPayload(from: &header, maxFrameBytes: 1024)
        }
        var huge = ByteBuffer()
        huge.writeInteger(UInt32.max, endianness: .little)
        let limit = WireMessageDecoder.defaultMaxFrameBytes
        #expect(throws: CodecError.frameTooLarge(length: Int(UInt32.max), limit: limit)) {
            try WireMessageDecoder.nextPayload(from: &huge, maxFrameBytes: limit)
        }
        // Exactly at the limit is allowed and simply waits for the body.
        var atLimit = ByteBuffer()
        atLimit.writeInteger(UInt32(1024), endianness: .little)
        #expect(try WireMessageDecoder.nextPayload(from: &atLimit, maxFrameBytes: 1024) == nil)
    }

    @Test func zeroLengthFrameIsEmpty() {
        #expect(throws: CodecError.emptyFrame) { try decodeStream(frame(payload: [])) }
    }

    @Test func unknownTypeBytesAreRejected() {
        let known = Set(WireMessageType.allCases.map(\.rawValue))
        for raw in UInt8.min...UInt8.max where !known.contains(raw) {
            #expect(throws: CodecError.unknownMessageType(raw)) { try decodePayload([raw, 0, 0, 0, 0]) }
        }
    }

    @Test(arguments: WireSamples.all)
    func trailingBytesAreRejected(message: WireMessage) {
        let type = message.messageType.rawValue
        #expect(throws: CodecError.trailingBytes(messageType: type, count: 1)) {
            try decodePayload(message.payloadBytes + [0])
        }
        #expect(throws: CodecError.trailingBytes(messageType: type, count: 3)) {
            try decodeStream(frame(payload: message.payloadBytes + [1, 2, 3]))
        }
    }

    @Test func forgedArrayCountsFailInsteadOfAllocating() {
        // HelloAccepted ends with its region count.
        var accepted = WireMessage.helloAccepted(HelloAccepted(role: .region, nodeName: "r", regions: [])).payloadBytes
        accepted.replaceSubrange((accepted.count - 4)..., with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(invalidField(thrownError { try decodePayload(accepted) }) == "helloAccepted.regions")

        // RegionFrame: type, region 8, frame 8, time 8, dilation 4, then the appeared count.
        let empty = WireMessage.regionFrame(RegionFrame(region: WireSamples.handle, frame: 1, timeMillis: 2, timeDilation: 1))
        var appeared = empty.payloadBytes
        appeared.replaceSubrange(29..<33, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(invalidField(thrownError { try decodePayload(appeared) }) == "regionFrame.appeared")
        // The last count (replies), with a few spare bytes that cannot hold that many.
        var replies = empty.payloadBytes
        replies.replaceSubrange((replies.count - 4)..., with: [0x00, 0x00, 0x00, 0x10])
        #expect(invalidField(thrownError { try decodePayload(replies + [UInt8](repeating: 0, count: 64)) }) == "regionFrame.replies")

        // A count that the bytes could hold but whose elements are garbage still fails cleanly.
        var removed = empty.payloadBytes
        removed.replaceSubrange(37..<41, with: [2, 0, 0, 0])
        #expect(thrownError { try decodePayload(removed) } is CodecError)
    }

    @Test func invalidUTF8IsRejected() {
        var payload = ByteBuffer()
        payload.writeInteger(WireMessageType.agentJoin.rawValue)
        payload.writeInteger(WireSamples.handle.rawValue, endianness: .little)
        payload.writeUUID(WireSamples.agentA)
        payload.writeInteger(UInt16(3), endianness: .little)
        payload.writeBytes([0x41, 0xC3, 0x28])  // "A" then a broken two-byte sequence
        #expect(invalidField(thrownError { try decodePayload(Array(payload.readableBytesView)) }) == "agentJoin.name")

        var lone = WireMessage.hello(Hello(role: .region, nodeName: "ab", gridSecret: "cd")).payloadBytes
        let nameStart = 1 + 4 + 2 + 1 + 2
        lone[nameStart] = 0xFF
        #expect(invalidField(thrownError { try decodePayload(lone) }) == "hello.nodeName")
    }

    @Test func overlongTextsAreRejected() {
        let chat = WireMessage.agentInput(AgentInput(
            region: WireSamples.handle, agentID: WireSamples.agentA,
            command: .chat(.say, channel: 0, text: String(repeating: "é", count: 512))  // 1024 bytes
        ))
        #expect(invalidField(thrownError { try decodePayload(chat.payloadBytes) }) == "chat.text")
        let join = WireMessage.agentJoin(AgentJoin(region: WireSamples.handle, agentID: WireSamples.agentA, name: String(repeating: "n", count: 64)))
        #expect(invalidField(thrownError { try decodePayload(join.payloadBytes) }) == "agentJoin.name")
    }

    @Test func nonFiniteFloatsAreRejected() {
        let joined = WireMessage.agentJoined(AgentJoined(
            region: WireSamples.handle, agentID: WireSamples.agentA, localID: 1, regionName: "r", frameRate: 45, viewDistance: .nan
        ))
        #expect(invalidField(thrownError { try decodePayload(joined.payloadBytes) }) == "agentJoined.viewDistance")

        let frame = WireMessage.regionFrame(RegionFrame(region: WireSamples.handle, frame: 1, timeMillis: 2, timeDilation: .infinity))
        #expect(invalidField(thrownError { try decodePayload(frame.payloadBytes) }) == "regionFrame.timeDilation")

        let move = WireMessage.agentInput(AgentInput(
            region: WireSamples.handle, agentID: WireSamples.agentA, command: .move(MovementIntent(mode: .walk, heading: -.infinity))
        ))
        #expect(invalidField(thrownError { try decodePayload(move.payloadBytes) }) == "move.heading")

        for (position, rotation, scale, field) in [
            (Vector3(.nan, 1, 1), Quaternion.identity, Vector3(1, 1, 1), "object.position"),
            (Vector3(1, 1, 1), Quaternion(x: 0, y: 0, z: .signalingNaN, w: 1), Vector3(1, 1, 1), "object.rotation"),
            (Vector3(1, 1, 1), Quaternion.identity, Vector3(1, .infinity, 1), "object.scale"),
        ] {
            let create = WireMessage.agentInput(AgentInput(
                region: WireSamples.handle, agentID: WireSamples.agentA,
                command: .createObject(requestID: 1, ObjectSpec(shape: .box, position: position, rotation: rotation, scale: scale, name: "n"))
            ))
            #expect(invalidField(thrownError { try decodePayload(create.payloadBytes) }) == field)
        }
    }

    @Test func invalidEnumValuesAreRejected() {
        var hello = WireMessage.hello(Hello(role: .region, nodeName: "a", gridSecret: "b")).payloadBytes
        hello[7] = 0  // role
        #expect(invalidField(thrownError { try decodePayload(hello) }) == "hello.role")
        // The first value past the last role (6 became `tool`).
        hello[7] = WireRole.allCases.map(\.rawValue).max()! + 1
        #expect(hello[7] == 7)
        #expect(invalidField(thrownError { try decodePayload(hello) }) == "hello.role")
        hello[7] = 0xFF
        #expect(invalidField(thrownError { try decodePayload(hello) }) == "hello.role")

        var badMagic = WireMessage.hello(Hello(role: .region, nodeName: "a", gridSecret: "b")).payloadBytes
        badMagic[1] ^= 0x20
        #expect(invalidField(thrownError { try decodePayload(badMagic) }) == "hello.magic")

        var command = WireMessage.agentInput(AgentInput(
            region: WireSamples.handle, agentID: WireSamples.agentA, command: .deleteObject(requestID: 1, 2)
        )).payloadBytes
        for tag: UInt8 in [0, 10, 11, 0xFF] {  // 1 ... 9 are move, chat, create, delete, rez, take, teleport, moveObject, push
            command[29] = tag  // after type 1, region 8, agent 16, sequence 4
            #expect(invalidField(thrownError { try decodePayload(command) }) == "agentInput.command", "tag \(tag)")
        }

        var reply = WireMessage.regionFrame(RegionFrame(
            region: WireSamples.handle, frame: 1, timeMillis: 2, timeDilation: 1,
            replies: [CommandReply(agent: 1, requestID: 2, outcome: .created(3))]
        )).payloadBytes
        // The outcome tag, before the 4-byte local id: 0, and the first tag past the last
        // outcome (4 to 8 became rezzed, taken, callFailed, moved and crossed).
        for tag: UInt8 in [0, 9, 0xFF] {
            reply[reply.count - 5] = tag
            #expect(invalidField(thrownError { try decodePayload(reply) }) == "reply.outcome", "tag \(tag)")
        }
    }

    @Test func malformedGridMessagesAreRejected() {
        // GridRequest: type, request id 4, then the call code.
        for code: UInt8 in [0, GridCall.Code.allCases.map(\.rawValue).max()! + 1, 0xFF] {
            #expect(invalidField(thrownError { try decodePayload([0x30, 1, 0, 0, 0, code]) }) == "grid.call", "call \(code)")
        }
        // GridReply: type, request id 4, status code u16, message.
        // An unknown error code is kept as a failure (a newer grid may send it).
        let firstUnknown = ErrorCode.allCases.map(\.rawValue).max()! + 1
        for raw in [firstUnknown, UInt16.max] {
            let decoded = try? decodePayload([0x31, 1, 0, 0, 0, UInt8(raw & 0xFF), UInt8(raw >> 8), 0, 0])
            guard case .gridReply(let reply)? = decoded, case .failure(let status) = reply.outcome else {
                Issue.record("expected a failure reply for code \(raw), got \(String(describing: decoded))")
                continue
            }
            #expect(status.rawCode == raw && status.code == nil)
        }
        // Status 0 (success) must be followed by an answer.
        #expect(thrownError { try decodePayload([0x31, 1, 0, 0, 0, 0, 0, 0, 0]) } as? CodecError == .truncated(field: "gridAnswer.kind"))
        let unknownAnswer = GridAnswer.Code.allCases.map(\.rawValue).max()! + 1
        #expect(invalidField(thrownError { try decodePayload([0x31, 1, 0, 0, 0, 0, 0, 0, 0, unknownAnswer]) }) == "gridAnswer.kind")
        // A failure carries no answer: bytes after its message are trailing.
        let failed = WireMessage.gridReply(GridReply(requestID: 1, outcome: .failure(CallStatus(.unknownItem, "x")))).payloadBytes
        #expect(throws: CodecError.trailingBytes(messageType: 0x31, count: 1)) { try decodePayload(failed + [0]) }
        // A forged count inside a grid call fails before allocating.
        #expect(invalidField(thrownError { try decodePayload([0x30, 1, 0, 0, 0, 6, 0xFF, 0xFF, 0xFF, 0xFF]) }) == "heartbeat.regions")
    }
}
