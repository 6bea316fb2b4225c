import Foundation
import NIOCore
import Testing
import TesseraClientProtocol
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
private func text(_ string: String) -> [UInt8] { le(UInt16(string.utf8.count)) + Array(string.utf8) }

/// The login of version 3: a name with a password or a session token, and a start region.
@Suite struct ClientLoginTests {
    /// What a Login of another version decodes to: its version, and nothing of its body.
    private func skipped(_ version: UInt16) -> ClientMessage {
        .login(Login(version: version, name: "", credential: .password(""), startRegion: ""))
    }

    @Test func wireLayout() {
        let password = ClientMessage.login(Login(name: "Ada", password: "pw", startRegion: "R"))
        #expect(password.bytes == [0x01, 8, 0] + text("Ada") + [1] + text("pw") + text("R"))
        let token = ClientMessage.login(Login(name: "Ada", credential: .sessionToken("tk")))
        #expect(token.bytes == [0x01, 8, 0] + text("Ada") + [2] + text("tk") + text(""))
    }

    @Test func loginOfAnotherVersionDecodesWithItsBodySkipped() throws {
        for version: UInt16 in [0, 1, 2, 5, 0x0200, .max] where !supportedClientProtocolVersions.contains(version) {
            // Whatever the body holds (a version 2 body, a version 1 body, garbage, nothing),
            // the server learns the version and answers unsupportedVersion itself.
            let bodies: [[UInt8]] = [
                [],
                text("Ada Lovelace"),  // version 1: just a name
                text("Ada") + [1] + text("pw") + text(""),
                text("Ada") + [9] + [0xFF, 0xFF],  // bad credential kind, truncated text
                [0xFF, 0xFF, 0xC3, 0x28],  // overlong, invalid UTF-8
                [UInt8](repeating: 0xAB, count: 300),
            ]
            for body in bodies {
                let decoded = try decodeClient([0x01] + le(version) + body)
                #expect(decoded == skipped(version), "version \(version), body of \(body.count) bytes")
                guard case .login(let login) = decoded else { continue }
                #expect(login.version == version)
            }
            // Encoding such a login and decoding it keeps the version.
            let sent = ClientMessage.login(Login(version: version, name: "Ada", password: "secret"))
            #expect(try decodeClient(sent.bytes) == skipped(version))
        }
        // The version itself must be there.
        #expect(truncatedField(thrownError { try decodeClient([0x01, 1]) }) == "login.version")
    }

    @Test func unknownCredentialKindsAreRejectedNamingTheField() {
        let head: [UInt8] = [0x01] + le(clientProtocolVersion) + text("Ada")
        for kind: UInt8 in [0, 3, 0x80, 0xFF] {
            let error = thrownError { try decodeClient(head + [kind] + text("secret") + text("")) }
            #expect(invalidField(error) == "login.credentialKind", "kind \(kind)")
            #expect("\(String(describing: error))".contains("login.credentialKind"))
            #expect("\(String(describing: error))".contains("\(kind)"), "the error says which kind it got")
        }
        // The kind itself must be there.
        #expect(truncatedField(thrownError { try decodeClient(head) }) == "login.credentialKind")
    }

    @Test func credentialAndStartRegionLimits() {
        let overPassword = ClientMessage.login(Login(name: "Ada", password: String(repeating: "p", count: maxPasswordBytes + 1)))
        #expect(invalidField(thrownError { try decodeClient(overPassword.bytes) }) == "login.password")
        let overToken = ClientMessage.login(Login(name: "Ada", credential: .sessionToken(String(repeating: "t", count: maxTokenBytes + 1))))
        #expect(invalidField(thrownError { try decodeClient(overToken.bytes) }) == "login.token")
        let overRegion = ClientMessage.login(Login(name: "Ada", password: "p", startRegion: String(repeating: "r", count: maxNameBytes + 1)))
        #expect(invalidField(thrownError { try decodeClient(overRegion.bytes) }) == "login.startRegion")
        let badUTF8 = [0x01] + le(clientProtocolVersion) + text("Ada") + [2, 1, 0, 0xFF] + text("")
        #expect(invalidField(thrownError { try decodeClient(badUTF8) }) == "login.token")
    }

    @Test func descriptionNeverContainsThePasswordOrToken() {
        let password = "hunter2-✓-secret"
        let token = "tok_feedfacecafebeef"
        for login in [
            Login(name: "Ada", password: password, startRegion: "Tessera Centre"),
            Login(name: "Ada", credential: .sessionToken(token)),
        ] {
            for rendered in ["\(login)", String(reflecting: login), "\(ClientMessage.login(login))", "\([login])"] {
                #expect(!rendered.contains(password), "\(rendered)")
                #expect(!rendered.contains(token), "\(rendered)")
            }
            #expect(login.description.contains("Ada"))
        }
    }

    @Test func welcomeCarriesTheSessionToken() throws {
        let welcome = Welcome(
            agentID: ClientProtocolSamples.agent, localID: 1, regionName: "r", regionHandle: RegionHandle(rawValue: 5),
            frameRate: 45, updateRate: 15, viewDistance: 64, sessionToken: "tok_1"
        )
        #expect(try decodeServer(ServerMessage.welcome(welcome).bytes) == [.welcome(welcome)])
        // The token is the last field: the body ends with it.
        #expect(Array(ServerMessage.welcome(welcome).bytes.suffix(7)) == text("tok_1"))
        // Empty after a token login.
        #expect(Welcome(
            agentID: ClientProtocolSamples.agent, localID: 1, regionName: "r", regionHandle: RegionHandle(rawValue: 5),
            frameRate: 45, updateRate: 15, viewDistance: 64
        ).sessionToken == "")
        let tooLong = Welcome(
            agentID: ClientProtocolSamples.agent, localID: 1, regionName: "r", regionHandle: RegionHandle(rawValue: 5),
            frameRate: 45, updateRate: 15, viewDistance: 64, sessionToken: String(repeating: "t", count: maxTokenBytes + 1)
        )
        #expect(invalidField(thrownError { try decodeServer(ServerMessage.welcome(tooLong).bytes) }) == "welcome.sessionToken")
    }
}

/// InventoryRequest (0x08) and InventoryReply (0x8A).
@Suite struct ClientInventoryTests {
    @Test(arguments: ClientProtocolSamples.inventoryRequests)
    func requestRoundTrip(message: ClientMessage) throws {
        #expect(try decodeClient(message.bytes) == message)
    }

    @Test(arguments: ClientProtocolSamples.inventoryReplies)
    func replyRoundTrip(message: ServerMessage) throws {
        #expect(try decodeServer(message.bytes) == [message])
    }

    @Test func samplesCoverEveryAnswerAndStatus() {
        var answers = Set<InventoryAnswer.Code>(), failures = Set<ErrorCode>()
        for message in ClientProtocolSamples.inventoryReplies {
            guard case .inventory(let reply) = message else { continue }
            switch reply.outcome {
            case .success(let answer): answers.insert(answer.code)
            case .failure(let status): if let code = status.code { failures.insert(code) }
            }
        }
        #expect(answers == Set(InventoryAnswer.Code.allCases))
        #expect(failures == Set(ErrorCode.allCases))
        let calls = Set(ClientProtocolSamples.inventoryRequests.compactMap { message -> InventoryCall.Code? in
            if case .inventory(let request) = message { request.call.code } else { nil }
        })
        #expect(calls == Set(InventoryCall.Code.allCases))
    }

    @Test func wireLayout() {
        let request = ClientMessage.inventory(InventoryRequest(requestID: 0x0102_0304, call: .take(0x0A0B_0C0D)))
        #expect(request.bytes == [0x08, 4, 3, 2, 1, 15, 0x0D, 0x0C, 0x0B, 0x0A])
        // Success: status 0 and an empty message, then the answer.
        let done = ServerMessage.inventory(InventoryReply(requestID: 9, outcome: .success(.count(3))))
        #expect(done.bytes == [0x8A, 13, 0, 9, 0, 0, 0, 0, 0, 0, 0, 2, 3, 0, 0, 0])
        // Failure: the error code and its message, no answer.
        let failed = ServerMessage.inventory(InventoryReply(requestID: 9, outcome: .failure(CallStatus(.wouldCreateCycle, "loop"))))
        #expect(failed.bytes == [0x8A, 12, 0, 9, 0, 0, 0, 23, 0] + text("loop"))
    }

    @Test func messageSizesMatchTheDocumentedTable() {
        // docs/client-protocol.md, "Inventory calls": total message size per call (n a
        // string's byte length, d a blob's).
        let id = ClientProtocolSamples.item, asset = ClientProtocolSamples.asset
        let name = "Crate ▣"  // 9 bytes
        let n = name.utf8.count, d = 1000
        let expected: [(InventoryCall, Int)] = [
            (.listFolder(folder: id, start: 1), 26),
            (.createFolder(parent: id, name: name), 24 + n),
            (.renameFolder(id, name: name), 24 + n),
            (.moveFolder(id, to: id), 38),
            (.deleteFolder(id), 22),
            (.createItem(folder: id, asset: asset, name: name, nextOwner: 0), 60 + n),
            (.renameItem(id, name: name), 24 + n),
            (.moveItem(id, to: id), 38),
            (.deleteItem(id), 22),
            (.purgeTrash, 6),
            (.give(id, to: name), 24 + n),
            (.storeAsset(type: 0, name: name, data: Data(count: d)), 14 + n + d),
            (.fetchAsset(asset, offset: 0, length: 1), 46),
            (.rez(id, at: Vector3(1, 2, 3)), 34),
            (.take(1), 10),
        ]
        #expect(Set(expected.map(\.0.code)) == Set(InventoryCall.Code.allCases))
        for (call, size) in expected {
            #expect(ClientMessage.inventory(InventoryRequest(requestID: 1, call: call)).bytes.count == size, "\(call.code)")
        }
        // The largest storeAsset that fits one 64 KiB client message: d = 65 522 − n.
        let largest = ClientMessage.inventory(InventoryRequest(requestID: 1, call: .storeAsset(type: 0, name: name, data: Data(count: 65_522 - n))))
        #expect(largest.bytes.count == 65_536)
    }

    @Test func failureStatusesRoundTripWithTheirMessages() throws {
        for code in ErrorCode.allCases where code.rawValue >= 16 {
            let status = CallStatus(code, "why \(code) happened: ✗")
            let reply = ServerMessage.inventory(InventoryReply(requestID: 5, outcome: .failure(status)))
            let decoded = try decodeServer(reply.bytes)
            guard case .inventory(let back)? = decoded.first, case .failure(let got) = back.outcome else {
                Issue.record("\(code) decoded to \(decoded)")
                continue
            }
            #expect(got == status)
            #expect(got.code == code)
            #expect(got.message == status.message)
        }
    }

    @Test func malformedRepliesAreRejected() {
        // Header: type, u16 length; body: request id 4, status code u16, message.
        func reply(_ body: [UInt8]) -> [UInt8] { [0x8A] + le(UInt16(body.count)) + body }
        let id = le(UInt32(1))
        // An unknown error code is a failure that keeps its code (a newer server may send it).
        let firstUnknown = ErrorCode.allCases.map(\.rawValue).max()! + 1
        for raw in [firstUnknown, UInt16.max] {
            let decoded = try? decodeServer(reply(id + le(raw) + text("x")))
            guard case .inventory(let unknown)? = decoded?.first, case .failure(let status) = unknown.outcome else {
                Issue.record("expected a failure reply for code \(raw), got \(String(describing: decoded))")
                continue
            }
            #expect(status.rawCode == raw && status.code == nil && status.message == "x")
        }
        // Success without an answer.
        #expect(truncatedField(thrownError { try decodeServer(reply(id + le(UInt16(0)) + text(""))) }) == "answer.kind")
        // Success with an unknown answer.
        #expect(invalidField(thrownError { try decodeServer(reply(id + le(UInt16(0)) + text("") + [7])) }) == "answer.kind")
        // A failure followed by an answer: the answer is left over.
        let body = id + le(ErrorCode.unknownItem.rawValue) + text("no") + [0]
        #expect(throws: CodecError.trailingBytes(messageType: 0x8A, count: 1)) { try decodeServer(reply(body)) }
        // A message over 1024 bytes.
        #expect(invalidField(thrownError {
            try decodeServer(reply(id + le(ErrorCode.unknownItem.rawValue) + text(String(repeating: "m", count: 1025))))
        }) == "status.message")
    }

    @Test func malformedRequestsAreRejected() {
        func request(_ call: [UInt8]) -> [UInt8] { [0x08] + le(UInt32(1)) + call }
        for code: UInt8 in [0, 16, 0xFF] {
            #expect(invalidField(thrownError { try decodeClient(request([code])) }) == "inventory.call", "code \(code)")
        }
        // storeAsset with a forged data length over the limit.
        let store = [12] + le(Int16(0)) + text("n") + le(UInt32(InventoryCall.maxAssetBytes + 1))
        #expect(invalidField(thrownError { try decodeClient(request(store)) }) == "storeAsset.data")
        // A rez at a non-finite position.
        let rez = ClientMessage.inventory(InventoryRequest(requestID: 1, call: .rez(ClientProtocolSamples.item, at: Vector3(0, .nan, 0))))
        #expect(invalidField(thrownError { try decodeClient(rez.bytes) }) == "rez.position")
    }

    @Test func theLargestAnswersFitOneServerMessage() throws {
        // A server message's body length is a u16; a full chunk and a full page must fit it.
        let chunk = InventoryAnswer.assetChunk(AssetChunk(
            asset: ClientProtocolSamples.asset, type: 0, name: String(repeating: "n", count: maxNameBytes),
            creator: ClientProtocolSamples.agent, createdMillis: .max, totalSize: .max, offset: .max,
            data: Data(repeating: 0xAA, count: AssetChunk.maxBytes)
        ))
        let item = ItemEntry(
            id: ClientProtocolSamples.item, folder: ClientProtocolSamples.folder, asset: ClientProtocolSamples.asset,
            assetType: 0, name: String(repeating: "i", count: maxNameBytes), creator: ClientProtocolSamples.agent,
            base: 0, owner: 0, group: 0, everyone: 0, nextOwner: 0
        )
        let folder = FolderEntry(id: ClientProtocolSamples.folder, parent: ClientProtocolSamples.item, kind: 0, name: String(repeating: "f", count: maxNameBytes))
        let pages: [InventoryAnswer] = [
            .page(FolderPage(folder: ClientProtocolSamples.folder, total: .max, start: .max, folders: [], items: Array(repeating: item, count: FolderPage.maxEntries))),
            .page(FolderPage(folder: ClientProtocolSamples.folder, total: .max, start: .max, folders: Array(repeating: folder, count: FolderPage.maxEntries), items: [])),
        ]
        for answer in [chunk] + pages {
            var body = ByteBuffer()
            answer.encode(into: &body)
            // Request id 4, status 2 + 2.
            try #require(body.readableBytes + 8 <= Int(UInt16.max), "\(answer.code) of \(body.readableBytes) bytes")
            let message = ServerMessage.inventory(InventoryReply(requestID: 1, outcome: .success(answer)))
            #expect(try decodeServer(message.bytes) == [message])
        }
    }
}

/// The field a `truncated` error names, or nil for any other error.
private func truncatedField(_ error: (any Error)?) -> String? {
    guard case .truncated(let field)? = error as? CodecError else { return nil }
    return field
}
