import NIOCore
import Testing
import TesseraClientProtocol
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

@Suite struct ClientMessageTests {
    @Test(arguments: ClientProtocolSamples.clientMessages)
    func roundTrip(message: ClientMessage) throws {
        #expect(try ClientMessage.decode(message.encoded()) == message)
    }

    @Test func everyTypeCodeHasASample() {
        let covered = Set(ClientProtocolSamples.clientMessages.compactMap(\.bytes.first))
        for code in ClientMessage.TypeCode.allCases {
            #expect(covered.contains(code.rawValue), "no sample for \(code)")
        }
        #expect(covered.count == ClientMessage.TypeCode.allCases.count)
    }

    @Test func samplesCoverEveryEnumCase() {
        var modes = Set<MovementMode>(), chats = Set<ChatType>(), shapes = Set<Shape>(), verticals = Set<Int8>()
        var credentials = Set<String>(), calls = Set<InventoryCall.Code>()
        for message in ClientProtocolSamples.clientMessages {
            switch message {
            case .move(let move): modes.insert(move.mode); verticals.insert(move.vertical)
            case .chat(let chat): chats.insert(chat.type)
            case .createObject(let create): shapes.insert(create.shape)
            case .login(let login):
                // Exhaustive: a new credential kind fails to compile here until it gets a sample.
                switch login.credential {
                case .password: credentials.insert("password")
                case .sessionToken: credentials.insert("sessionToken")
                }
            case .inventory(let request): calls.insert(request.call.code)
            case .deleteObject, .ping, .logout, .teleport, .moveObject, .pushObject, .touch, .addScript, .scriptControl, .contents: break
            }
        }
        #expect(modes == Set(MovementMode.allCases))
        #expect(chats == Set(ChatType.allCases.filter { !$0.isObjectOnly }), "types 3 and 4 are said by objects only")
        #expect(shapes == Set(Shape.allCases))
        #expect(verticals == [-1, 0, 1])
        #expect(credentials == ["password", "sessionToken"])
        #expect(calls == Set(InventoryCall.Code.allCases))
    }

    @Test func wireLayoutOfMoveAndLogout() {
        #expect(ClientMessage.move(Move(mode: .run, heading: 0x1234, vertical: -1)).bytes == [0x02, 2, 0x34, 0x12, 0xFF])
        #expect(ClientMessage.logout.bytes == [0x07])
        #expect(ClientMessage.ping(Ping(nonce: 1, clientTimeMillis: 2)).bytes == [0x06, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func headingConversions() {
        #expect(Move(mode: .walk, headingRadians: 0).heading == 0)
        #expect(Move(mode: .walk, headingRadians: .pi / 2).heading == 16_384)
        #expect(Move(mode: .walk, headingRadians: .pi).heading == 32_768)
        #expect(Move(mode: .walk, headingRadians: -.pi / 2).heading == 49_152)
        #expect(Move(mode: .walk, headingRadians: 2 * .pi).heading == 0)
        #expect(Move(mode: .walk, headingRadians: 5 * .pi / 2).heading == 16_384)
        #expect(Move(mode: .walk, headingRadians: -1e-9).heading == 0, "just below 2π wraps to east")
        #expect(Move(mode: .walk, heading: 0).headingRadians == 0)
        #expect(abs(Move(mode: .walk, heading: 16_384).headingRadians - .pi / 2) < 1e-6)
        #expect(abs(Move(mode: .walk, heading: 49_152).headingRadians - 3 * .pi / 2) < 1e-6)
    }

    @Test func headingRoundTripsThroughRadians() {
        for heading in stride(from: 0, through: 65_535, by: 97).map(UInt16.init) {
            #expect(Move(mode: .stop, headingRadians: Move(mode: .stop, heading: heading).headingRadians).heading == heading)
        }
    }

    @Test func nonFiniteHeadingBecomesEast() {
        #expect(Move(mode: .walk, headingRadians: .nan).heading == 0)
        #expect(Move(mode: .walk, headingRadians: .infinity).heading == 0)
        #expect(Move(mode: .walk, headingRadians: -.infinity).heading == 0)
    }

    @Test func intentCarriesModeHeadingAndVertical() {
        let intent = Move(mode: .fly, heading: 16_384, vertical: -1).intent
        #expect(intent.mode == .fly)
        #expect(intent.vertical == -1)
        #expect(abs(intent.heading - .pi / 2) < 1e-6)
    }
}

@Suite struct ClientMessageMalformedTests {
    @Test(arguments: ClientProtocolSamples.clientMessages)
    func everyTruncationThrowsCodecError(message: ClientMessage) throws {
        let bytes = message.bytes
        for length in 0..<bytes.count {
            if case .createObject(var create) = message, length == bytes.count - 1 {
                // Without its last byte (the flags) it is a version 3 CreateObject: a static object.
                create.physical = false
                create.reportsCollisions = false
                #expect(try decodeClient(Array(bytes.prefix(length))) == .createObject(create))
                continue
            }
            let error = thrownError { try decodeClient(Array(bytes.prefix(length))) }
            #expect(error is CodecError, "\(message) cut to \(length) bytes: \(String(describing: error))")
        }
        #expect(thrownError { try decodeClient([]) } as? CodecError == .emptyFrame)
    }

    @Test(arguments: ClientProtocolSamples.clientMessages)
    func trailingBytesAreRejected(message: ClientMessage) {
        let bytes = message.bytes
        #expect(throws: CodecError.trailingBytes(messageType: bytes[0], count: 2)) { try decodeClient(bytes + [0, 0]) }
    }

    @Test func unknownTypesAreRejected() {
        let known = Set(ClientMessage.TypeCode.allCases.map(\.rawValue))
        for raw in UInt8.min...UInt8.max where !known.contains(raw) {
            #expect(throws: CodecError.unknownMessageType(raw)) { try decodeClient([raw]) }
        }
    }

    @Test func chatTextOver1023BytesIsRejected() {
        let ok = ClientMessage.chat(ChatSend(type: .say, text: String(repeating: "a", count: 1023)))
        #expect(throws: Never.self) { try decodeClient(ok.bytes) }
        let long = ClientMessage.chat(ChatSend(type: .say, text: String(repeating: "a", count: 1024)))
        #expect(invalidField(thrownError { try decodeClient(long.bytes) }) == "chat.text")
        let multibyte = ClientMessage.chat(ChatSend(type: .say, text: String(repeating: "€", count: 342)))  // 1026 bytes
        #expect(invalidField(thrownError { try decodeClient(multibyte.bytes) }) == "chat.text")
    }

    @Test func namesOver63BytesAreRejected() {
        let ok = ClientMessage.login(Login(name: String(repeating: "n", count: 63), password: "p"))
        #expect(throws: Never.self) { try decodeClient(ok.bytes) }
        let login = ClientMessage.login(Login(name: String(repeating: "n", count: 64), password: "p"))
        #expect(invalidField(thrownError { try decodeClient(login.bytes) }) == "login.name")
        let create = ClientMessage.createObject(CreateObject(
            requestID: 1, shape: .box, position: .zero, scale: Vector3(1, 1, 1), name: String(repeating: "ü", count: 32)
        ))
        #expect(invalidField(thrownError { try decodeClient(create.bytes) }) == "createObject.name")
    }

    @Test func moveVerticalOutsideMinusOneToOneIsRejected() throws {
        for vertical in [Int8.min, -2, 2, 3, .max] {
            let bytes = ClientMessage.move(Move(mode: .fly, heading: 0, vertical: vertical)).bytes
            #expect(invalidField(thrownError { try decodeClient(bytes) }) == "move.vertical", "vertical \(vertical)")
        }
        for vertical: Int8 in [-1, 0, 1] {
            let message = ClientMessage.move(Move(mode: .fly, heading: 0, vertical: vertical))
            #expect(try decodeClient(message.bytes) == message)
        }
    }

    @Test func invalidEnumsAreRejected() {
        #expect(invalidField(thrownError { try decodeClient([0x02, 4, 0, 0, 0]) }) == "move.mode")
        #expect(invalidField(thrownError { try decodeClient([0x03, 3, 0, 0, 0, 0, 0, 0]) }) == "chat.type")
        var create = ClientMessage.createObject(CreateObject(requestID: 1, shape: .box, position: .zero, scale: Vector3(1, 1, 1), name: "n")).bytes
        create[5] = 0
        #expect(invalidField(thrownError { try decodeClient(create) }) == "createObject.shape")
    }

    @Test func nonFiniteFloatsAreRejected() {
        let cases: [(Vector3, Quaternion, Vector3, String)] = [
            (Vector3(1, .nan, 1), .identity, Vector3(1, 1, 1), "createObject.position"),
            (Vector3(1, 1, 1), Quaternion(x: 0, y: .infinity, z: 0, w: 1), Vector3(1, 1, 1), "createObject.rotation"),
            (Vector3(1, 1, 1), .identity, Vector3(-.infinity, 1, 1), "createObject.scale"),
        ]
        for (position, rotation, scale, field) in cases {
            let bytes = ClientMessage.createObject(CreateObject(
                requestID: 1, shape: .sphere, position: position, rotation: rotation, scale: scale, name: "n"
            )).bytes
            #expect(invalidField(thrownError { try decodeClient(bytes) }) == field)
        }
    }

    @Test func invalidUTF8IsRejected() {
        // Login: type, version u16 (this version: a Login of another version skips its body),
        // name length u16, name bytes.
        #expect(clientProtocolVersion == 8)
        #expect(invalidField(thrownError { try decodeClient([0x01, 8, 0, 2, 0, 0xE2, 0x82]) }) == "login.name")
        #expect(invalidField(thrownError { try decodeClient([0x01, 6, 0, 2, 0, 0xE2, 0x82]) }) == "login.name")
        #expect(invalidField(thrownError { try decodeClient([0x01, 5, 0, 2, 0, 0xE2, 0x82]) }) == "login.name")
        #expect(invalidField(thrownError { try decodeClient([0x01, 4, 0, 2, 0, 0xE2, 0x82]) }) == "login.name")
        #expect(invalidField(thrownError { try decodeClient([0x01, 3, 0, 1, 0, 0x80]) }) == "login.name")
    }

    @Test func aVersion3CreateObjectWithoutFlagsIsStatic() throws {
        var bytes = ClientMessage.createObject(CreateObject(requestID: 1, shape: .box, position: .zero, scale: Vector3(1, 1, 1), name: "n")).bytes
        #expect(bytes.last == 0, "version 4 writes the flags byte")
        bytes.removeLast()
        guard case .createObject(let create) = try decodeClient(bytes) else { Issue.record("not a CreateObject"); return }
        #expect(!create.physical && !create.reportsCollisions)
        var flagged = ClientMessage.createObject(CreateObject(
            requestID: 1, shape: .box, position: .zero, scale: Vector3(1, 1, 1), name: "n", physical: true)).bytes
        #expect(flagged.last == 1)
        flagged[flagged.count - 1] = 4
        #expect(invalidField(thrownError { try decodeClient(flagged) }) == "createObject.flags")
    }

    @Test func pushObjectLayoutAndNonFiniteImpulse() throws {
        let push = ClientMessage.pushObject(PushObject(requestID: 2, localID: 3, impulse: Vector3(1, 0, 0)))
        #expect(push.bytes == [0x0B, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0x80, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0])
        let bad = ClientMessage.pushObject(PushObject(requestID: 2, localID: 3, impulse: Vector3(.nan, 0, 0))).bytes
        #expect(invalidField(thrownError { try decodeClient(bad) }) == "pushObject.impulse")
    }
}
