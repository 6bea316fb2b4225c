import NIOCore
import Testing
import TesseraCodec
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

@Suite struct WireRoundTripTests {
    @Test(arguments: WireSamples.all)
    func roundTripThroughFraming(message: WireMessage) throws {
        var buffer = message.frameBytes
        let length = try #require(buffer.getInteger(at: 0, endianness: .little, as: UInt32.self))
        #expect(Int(length) == buffer.readableBytes - 4, "length prefix counts type byte and body")
        #expect(buffer.getInteger(at: 4, as: UInt8.self) == message.messageType.rawValue)

        var payload = try #require(try WireMessageDecoder.nextPayload(from: &buffer, maxFrameBytes: 1 << 20))
        #expect(buffer.readableBytes == 0, "framing consumed the whole frame")
        let decoded = try WireMessage.decode(payload: &payload)
        #expect(decoded == message)
        #expect(decoded.messageType == message.messageType)
    }

    @Test func everyMessageTypeHasASample() {
        let covered = Set(WireSamples.all.map(\.messageType.rawValue))
        for type in WireMessageType.allCases {
            #expect(covered.contains(type.rawValue), "no round-trip sample for \(type)")
        }
        #expect(covered.count == WireMessageType.allCases.count)
    }

    @Test func samplesCoverEveryCommandAndOutcome() {
        /// Exhaustive switches: a new case fails to compile here until it gets a sample.
        func name(_ command: AgentCommand) -> String {
            switch command {
            case .move: "move"
            case .chat: "chat"
            case .createObject: "createObject"
            case .deleteObject: "deleteObject"
            case .rez: "rez"
            case .take: "take"
            case .teleport: "teleport"
            case .moveObject: "moveObject"
            case .push: "push"
            case .touch: "touch"
            case .addScript: "addScript"
            case .scriptControl: "scriptControl"
            case .contents: "contents"
            }
        }
        func name(_ outcome: CommandReply.Outcome) -> String {
            switch outcome {
            case .created: "created"
            case .deleted: "deleted"
            case .failed: "failed"
            case .rezzed: "rezzed"
            case .taken: "taken"
            case .callFailed: "callFailed"
            case .moved: "moved"
            case .crossed: "crossed"
            case .updated: "updated"
            case .contents: "contents"
            }
        }
        #expect(Set(WireSamples.commands.map(name)) == [
            "move", "chat", "createObject", "deleteObject", "rez", "take", "teleport", "moveObject", "push",
            "touch", "addScript", "scriptControl", "contents",
        ])
        #expect(Set(WireSamples.fullFrame.replies.map { name($0.outcome) }) == [
            "created", "deleted", "failed", "rezzed", "taken", "callFailed", "moved", "crossed", "updated", "contents",
        ])

        var modes = Set<MovementMode>(), chats = Set<ChatType>(), shapes = Set<Shape>(), verticals = Set<Int8>()
        for command in WireSamples.commands {
            switch command {
            case .move(let intent): modes.insert(intent.mode); verticals.insert(intent.vertical)
            case .chat(let type, _, _): chats.insert(type)
            case .createObject(_, let spec): shapes.insert(spec.shape)
            case .deleteObject, .rez, .take, .teleport, .moveObject, .push, .touch, .addScript, .scriptControl, .contents: break
            }
        }
        #expect(modes == Set(MovementMode.allCases))
        #expect(chats == Set(ChatType.allCases))
        #expect(shapes == Set(Shape.allCases))
        #expect(verticals == [-1, 0, 1])

        let frame = WireSamples.fullFrame
        #expect(!frame.appeared.isEmpty && !frame.moved.isEmpty && !frame.removed.isEmpty)
        #expect(!frame.interest.isEmpty && !frame.chat.isEmpty && !frame.replies.isEmpty)
        #expect(!frame.appearance.isEmpty && !frame.scriptNotices.isEmpty)
        #expect(Set(frame.chat.map(\.speakerKind)) == Set(EntityKind.allCases))
        #expect(frame.appeared.contains { $0.appearance != nil } && frame.appeared.contains { $0.appearance == nil })
        #expect(Set(frame.appeared.map(\.kind)) == Set(EntityKind.allCases))
        #expect(Set(frame.chat.map(\.type)) == Set(ChatType.allCases))
    }

    @Test func samplesCoverEveryRoleAndReason() {
        var roles = Set<WireRole>(), refusals = Set<HelloRefused.Reason>(), leaves = Set<AgentLeave.Reason>()
        for message in WireSamples.all {
            switch message {
            case .hello(let hello): roles.insert(hello.role)
            case .helloRefused(let refusal): refusals.insert(refusal.reason)
            case .agentLeave(let leave): leaves.insert(leave.reason)
            default: break
            }
        }
        #expect(roles == Set(WireRole.allCases))
        #expect(refusals == Set(HelloRefused.Reason.allCases))
        #expect(leaves == Set(AgentLeave.Reason.allCases))
    }

    @Test func samplesCoverEveryGridCallAnswerAndStatus() {
        var calls = Set<GridCall.Code>(), answers = Set<GridAnswer.Code>(), failures = Set<ErrorCode>()
        for message in WireSamples.all {
            switch message {
            case .gridRequest(let request): calls.insert(request.call.code)
            case .gridReply(let reply):
                switch reply.outcome {
                case .success(let answer): answers.insert(answer.code)
                case .failure(let status): if let code = status.code { failures.insert(code) }
                }
            default: break
            }
        }
        #expect(calls == Set(GridCall.Code.allCases))
        #expect(answers == Set(GridAnswer.Code.allCases))
        #expect(failures == Set(ErrorCode.allCases))
    }

    @Test func gridRequestAndReplyLayout() {
        let request = WireMessage.gridRequest(GridRequest(requestID: 0x0102_0304, call: .deregisterRegion(WireSamples.agentB)))
        #expect(request.payloadBytes == [0x30, 4, 3, 2, 1, 5] + [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        // Success: status 0 with an empty message, then the answer.
        let done = WireMessage.gridReply(GridReply(requestID: 7, outcome: .success(.done)))
        #expect(done.payloadBytes == [0x31, 7, 0, 0, 0, 0, 0, 0, 0, 0])
        // Failure: the error code and message, and no answer.
        let failed = WireMessage.gridReply(GridReply(requestID: 7, outcome: .failure(CallStatus(.badCredentials, "no"))))
        #expect(failed.payloadBytes == [0x31, 7, 0, 0, 0, 16, 0, 2, 0, UInt8(ascii: "n"), UInt8(ascii: "o")])
    }

    @Test func gridRequestsNeverPrintSecrets() {
        for message in WireSamples.gridRequests {
            guard case .gridRequest(let request) = message else { continue }
            let secrets: [String] =
                switch request.call {
                case .login(_, let password, _): [password]
                case .resumeSession(let token), .endSession(let token): [token]
                default: []
                }
            for secret in secrets where !secret.isEmpty {
                for text in ["\(message)", String(reflecting: message), "\(request)"] {
                    #expect(!text.contains(secret), "\(text)")
                }
            }
        }
        for message in WireSamples.gridReplies {
            for text in ["\(message)", String(reflecting: message)] {
                #expect(!text.contains(WireSamples.grant.token), "\(text)")
            }
        }
    }

    @Test func allSamplesBackToBackInOneBuffer() throws {
        var stream = ByteBuffer()
        stream.writeString("junk that precedes the frames")
        stream.moveReaderIndex(forwardBy: stream.readableBytes)
        for message in WireSamples.all { message.encodeFrame(into: &stream) }
        #expect(try decodeStream(stream) == WireSamples.all)
    }

    @Test func encodingIsDeterministicAndLittleEndian() {
        let leave = WireMessage.agentLeave(AgentLeave(
            region: RegionHandle(rawValue: 0x0102_0304_0506_0708), agentID: WireSamples.agentB, reason: .removed, message: "ok"
        ))
        let bytes = Array(leave.frameBytes.readableBytesView)
        let expected: [UInt8] =
            [30, 0, 0, 0, 0x12]
            + [8, 7, 6, 5, 4, 3, 2, 1]
            + [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
            + [4]
            + [2, 0, UInt8(ascii: "o"), UInt8(ascii: "k")]
        #expect(bytes == expected)
        #expect(Array(leave.frameBytes.readableBytesView) == bytes)
    }

    @Test func regionFrameIsEmptyOnlyWithoutContent() {
        #expect(RegionFrame(region: WireSamples.handle, frame: 1, timeMillis: 2, timeDilation: 1).isEmpty)
        #expect(!WireSamples.fullFrame.isEmpty)
        var onlyRemoved = RegionFrame(region: WireSamples.handle, frame: 1, timeMillis: 2, timeDilation: 1)
        onlyRemoved.removed = [3]
        #expect(!onlyRemoved.isEmpty)
    }

    @Test func moveVerticalIsClampedOnDecode() throws {
        let message = WireMessage.agentInput(AgentInput(
            region: WireSamples.handle, agentID: WireSamples.agentA,
            command: .move(MovementIntent(mode: .fly, heading: 0.5, vertical: 100))
        ))
        let decoded = try #require(try decodeStream(message.frameBytes).first)
        guard case .agentInput(let input) = decoded, case .move(let intent) = input.command else {
            Issue.record("decoded \(decoded)")
            return
        }
        #expect(intent == MovementIntent(mode: .fly, heading: 0.5, vertical: 1))
    }
}
