import Foundation
import NIOCore
import Testing
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// Every prefix of a valid encoding must fail with `CodecError`, never decode, never crash.
private func checkEveryTruncation<T: GridCodable>(_ value: T, _ label: String) {
    let bytes = value.bytes
    for length in 0..<bytes.count {
        let error = thrownError { try T.decode(Array(bytes.prefix(length))) }
        #expect(error is CodecError, "\(label) cut to \(length) of \(bytes.count) bytes: \(String(describing: error))")
    }
}

@Suite struct GridProtocolTruncationTests {
    @Test(arguments: GridProtocolSamples.inventoryCalls)
    func inventoryCall(call: InventoryCall) { checkEveryTruncation(call, "\(call.code)") }

    @Test(arguments: GridProtocolSamples.inventoryAnswers)
    func inventoryAnswer(answer: InventoryAnswer) { checkEveryTruncation(answer, "\(answer.code)") }

    @Test(arguments: GridProtocolSamples.gridCalls)
    func gridCall(call: GridCall) { checkEveryTruncation(call, "\(call.code)") }

    @Test(arguments: GridProtocolSamples.gridAnswers)
    func gridAnswer(answer: GridAnswer) { checkEveryTruncation(answer, "\(answer.code)") }

    @Test(arguments: GridProtocolSamples.statuses)
    func callStatus(status: CallStatus) { checkEveryTruncation(status, "\(status)") }

    @Test func emptyInputNamesTheKindField() {
        #expect(truncatedField(thrownError { try InventoryCall.decode([]) }) == "inventory.call")
        #expect(truncatedField(thrownError { try InventoryAnswer.decode([]) }) == "answer.kind")
        #expect(truncatedField(thrownError { try GridCall.decode([]) }) == "grid.call")
        #expect(truncatedField(thrownError { try GridAnswer.decode([]) }) == "gridAnswer.kind")
        #expect(truncatedField(thrownError { try CallStatus.decode([]) }) == "status.code")
    }
}

@Suite struct GridProtocolMalformedTests {
    let a = GridProtocolSamples.a

    // MARK: Unknown codes

    @Test func unknownCodesAreRejected() {
        for raw in UInt8.min...UInt8.max {
            if InventoryCall.Code(rawValue: raw) == nil {
                #expect(invalidField(thrownError { try InventoryCall.decode([raw] + [UInt8](repeating: 0, count: 64)) }) == "inventory.call")
            }
            if InventoryAnswer.Code(rawValue: raw) == nil {
                #expect(invalidField(thrownError { try InventoryAnswer.decode([raw] + [UInt8](repeating: 0, count: 64)) }) == "answer.kind")
            }
            if GridCall.Code(rawValue: raw) == nil {
                #expect(invalidField(thrownError { try GridCall.decode([raw] + [UInt8](repeating: 0, count: 64)) }) == "grid.call")
            }
            if GridAnswer.Code(rawValue: raw) == nil {
                #expect(invalidField(thrownError { try GridAnswer.decode([raw] + [UInt8](repeating: 0, count: 64)) }) == "gridAnswer.kind")
            }
        }
        // Code 0 is not a call of either kind (a zeroed buffer is not a valid call).
        #expect(InventoryCall.Code(rawValue: 0) == nil)
        #expect(GridCall.Code(rawValue: 0) == nil)
    }

    /// A newer peer may send codes this side does not know: they decode as failures that keep
    /// the code as it came (docs/client-protocol.md: clients accept unknown codes).
    @Test func unknownErrorCodesAreKeptAsFailures() throws {
        let known = Set(ErrorCode.allCases.map(\.rawValue))
        let firstUnknown = known.max()! + 1  // the next code to be added
        let unknown = [firstUnknown, 999, 0x8000, .max]
        #expect(unknown.allSatisfy { !known.contains($0) })
        for raw in unknown {
            let status = try CallStatus.decode([UInt8].le(raw) + [UInt8].text("x")).value
            #expect(status.rawCode == raw && status.code == nil && !status.isOK && status.message == "x")
            #expect(status.description.contains("\(raw)"), "the description names the code")
        }
    }

    // MARK: Forged counts

    @Test func forgedListCountsFailInsteadOfAllocating() {
        let forged: [UInt32] = [.max, 0x7FFF_FFFF, 0x0100_0000]
        for count in forged {
            // heartbeat: code, count, uuids.
            #expect(invalidField(thrownError { try GridCall.decode([6] + .le(count) + .uuid(a)) }) == "heartbeat.regions")
            // flushScene: code, region, created count...
            let flush: [UInt8] = [10] + .uuid(a)
            #expect(invalidField(thrownError { try GridCall.decode(flush + .le(count) + .le(UInt32(0)) + .le(UInt32(0))) }) == "flushScene.created")
            #expect(invalidField(thrownError { try GridCall.decode(flush + .le(UInt32(0)) + .le(count) + .le(UInt32(0))) }) == "flushScene.changed")
            #expect(invalidField(thrownError { try GridCall.decode(flush + .le(UInt32(0)) + .le(UInt32(0)) + .le(count)) }) == "flushScene.deleted")
            // GridAnswer lists.
            #expect(invalidField(thrownError { try GridAnswer.decode([5] + .le(count) + [UInt8](repeating: 0, count: 200)) }) == "gridAnswer.scene")
            #expect(invalidField(thrownError { try GridAnswer.decode([8] + .le(count) + [UInt8](repeating: 0, count: 200)) }) == "gridAnswer.sessions")
            // FolderPage: folder, total, start, then the folder count and the item count.
            let page: [UInt8] = [3] + .uuid(a) + .le(UInt32(1)) + .le(UInt32(0))
            #expect(invalidField(thrownError { try InventoryAnswer.decode(page + .le(count) + .le(UInt32(0))) }) == "page.folders")
            #expect(invalidField(thrownError { try InventoryAnswer.decode(page + .le(UInt32(0)) + .le(count)) }) == "page.items")
            // The same, wrapped in a GridAnswer.
            #expect(invalidField(thrownError { try GridAnswer.decode([4] + page + .le(UInt32(0)) + .le(count)) }) == "page.items")
        }
    }

    @Test func aCountOneMoreThanTheBytesHoldIsRejected() throws {
        // Two uuids of room, three announced.
        #expect(invalidField(thrownError { try GridCall.decode([6] + .le(UInt32(3)) + .uuid(a) + .uuid(a)) }) == "heartbeat.regions")
        #expect(try GridCall.decode([6] + .le(UInt32(2)) + .uuid(a) + .uuid(a)).value == .heartbeat([a, a]))
        // Two smallest sessions of room, three announced.
        let grant = GridAnswer.session(GridProtocolSamples.grantMinimal).bytes.dropFirst()
        #expect(invalidField(thrownError { try GridAnswer.decode([8] + .le(UInt32(3)) + grant + grant) }) == "gridAnswer.sessions")
    }

    @Test func aPlausibleCountWithGarbageElementsFailsCleanly() {
        // The bytes could hold the elements, but they do not decode.
        let garbage = [UInt8](repeating: 0xFF, count: 2 * 112)
        #expect(thrownError { try GridAnswer.decode([5] + .le(UInt32(2)) + garbage) } is CodecError)
        #expect(thrownError { try GridAnswer.decode([8] + .le(UInt32(2)) + garbage) } is CodecError)
        let page: [UInt8] = [3] + .uuid(a) + .le(UInt32(1)) + .le(UInt32(0)) + .le(UInt32(2))
        #expect(thrownError { try InventoryAnswer.decode(page + garbage) } is CodecError)
    }

    // MARK: Blobs

    @Test func blobLengthsOverTheLimitAreRejectedBeforeReading() {
        // storeAsset: code, type, name, then the data length.
        let store: [UInt8] = [12] + .le(Int16(1)) + .text("n")
        for length in [UInt32(InventoryCall.maxAssetBytes + 1), 0x7FFF_FFFF, .max] {
            let error = thrownError { try InventoryCall.decode(store + .le(length) + [1, 2, 3]) }
            #expect(invalidField(error) == "storeAsset.data", "\(length)")
            #expect("\(String(describing: error))".contains("\(InventoryCall.maxAssetBytes)"), "the error names the limit")
        }
        // Exactly at the limit is allowed, and only fails because the bytes are not there.
        #expect(truncatedField(thrownError { try InventoryCall.decode(store + .le(UInt32(InventoryCall.maxAssetBytes)) + [1]) }) == "storeAsset.data")

        // AssetChunk: the data length is its last field.
        let chunk = InventoryAnswer.assetChunk(GridProtocolSamples.chunk).bytes
        let header = Array(chunk.dropLast(GridProtocolSamples.chunk.data.count + 4))
        for length in [UInt32(AssetChunk.maxBytes + 1), .max] {
            #expect(invalidField(thrownError { try InventoryAnswer.decode(header + .le(length)) }) == "chunk.data", "\(length)")
            #expect(invalidField(thrownError { try GridAnswer.decode([4] + header + .le(length)) }) == "chunk.data")
        }
        #expect(truncatedField(thrownError { try InventoryAnswer.decode(header + .le(UInt32(AssetChunk.maxBytes))) }) == "chunk.data")
    }

    @Test func largestAssetsRoundTrip() throws {
        let big = InventoryCall.storeAsset(type: 0, name: "big", data: Data(repeating: 0x5A, count: InventoryCall.maxAssetBytes))
        #expect(try InventoryCall.decode(big.bytes).value == big)
        let chunk = AssetChunk(
            asset: GridProtocolSamples.assetA, type: 0, name: GridProtocolSamples.maxName, creator: a, createdMillis: 1,
            totalSize: .max, offset: 0, data: Data(repeating: 1, count: AssetChunk.maxBytes)
        )
        #expect(try InventoryAnswer.decode(InventoryAnswer.assetChunk(chunk).bytes).value == .assetChunk(chunk))
    }

    // MARK: Values out of range

    @Test func botSessionsOverTheLimitAreRejected() throws {
        func call(_ count: UInt32) -> [UInt8] { [13] + .text("Bot") + .le(count) }
        #expect(try GridCall.decode(call(GridCall.maxBotSessions)).value == .botSessions(prefix: "Bot", count: GridCall.maxBotSessions))
        for count in [GridCall.maxBotSessions + 1, 1_000_000, .max] {
            let error = thrownError { try GridCall.decode(call(count)) }
            #expect(invalidField(error) == "botSessions.count", "\(count)")
            #expect("\(String(describing: error))".contains("\(GridCall.maxBotSessions)"))
        }
        // The prefix is at most 48 bytes.
        #expect(invalidField(thrownError { try GridCall.decode([13] + .text(String(repeating: "b", count: 49)) + .le(UInt32(1))) }) == "botSessions.prefix")
    }

    @Test func viewerLoginMD5MustBe32HexDigitsAndIsLowercased() throws {
        func call(_ md5: String) -> [UInt8] { [GridCall.Code.viewerLogin.rawValue] + .text("Ada") + .text(md5) + .text("10.0.0.1:1") }
        #expect(GridCall.Code.viewerLogin.rawValue == 19)
        // Upper-case hex is accepted and lowercased at the edge.
        #expect(try GridCall.decode(call("0123456789ABCDEF0123456789abcdef")).value
            == .viewerLogin(name: "Ada", md5Hex: "0123456789abcdef0123456789abcdef", address: "10.0.0.1:1"))
        let bad: [(String, String)] = [
            ("", "0 bytes where 32 hex digits belong"),
            (String(repeating: "a", count: 31), "31 bytes where 32 hex digits belong"),
            ("$1$" + String(repeating: "a", count: 29), "characters other than the hex digits 0-9 and a-f"),
            (String(repeating: "g", count: 32), "characters other than the hex digits 0-9 and a-f"),
            (String(repeating: "é", count: 16), "characters other than the hex digits 0-9 and a-f"),
        ]
        for (md5, reason) in bad {
            let error = thrownError { try GridCall.decode(call(md5)) }
            guard case .invalidValue(let field, let why)? = error as? CodecError else {
                Issue.record("\(md5): \(String(describing: error))")
                continue
            }
            #expect(field == "viewerLogin.md5Hex")
            #expect(why == reason, "\(md5)")
        }
        // Longer than 32 bytes is refused by the text limit before it is read.
        #expect(invalidField(thrownError { try GridCall.decode(call(String(repeating: "a", count: 33))) }) == "viewerLogin.md5Hex")
    }

    @Test func assetIDsOfTheWrongLengthCannotBeMade() {
        #expect(AssetID(Data()) == nil)
        #expect(AssetID(Data(count: 31)) == nil)
        #expect(AssetID(Data(count: 33)) == nil)
        #expect(AssetID(Data(count: 32)) != nil)
        // On the wire an asset id is 32 raw bytes; fewer are a truncation naming the field.
        #expect(truncatedField(thrownError { try InventoryCall.decode([13] + [UInt8](repeating: 1, count: 31)) }) == "fetchAsset.asset")
        #expect(truncatedField(thrownError { try InventoryAnswer.decode([4] + [UInt8](repeating: 1, count: 31)) }) == "answer.asset")
        #expect(truncatedField(thrownError { try InventoryCall.decode([6] + .uuid(a) + [UInt8](repeating: 1, count: 20)) }) == "createItem.asset")
    }

    @Test func sceneObjectFlagsAreTheLastByteAndOnlyThreeBitsAreKnown() throws {
        var bytes = GridAnswer.sceneObject(GridProtocolSamples.recordMinimal).bytes
        #expect(bytes.last == 0)
        bytes[bytes.count - 1] = 3
        guard case .sceneObject(let both) = try GridAnswer.decode(bytes).value else { Issue.record("not a scene object"); return }
        #expect(both.physical && both.reportsCollisions)
        // Bit 4 says a look and contents follow: without them the record is truncated there.
        bytes[bytes.count - 1] = 4
        #expect(truncatedField(thrownError { try GridAnswer.decode(bytes) }) == "object.look.red")
        for value: UInt8 in [8, 0x80, 0xFF] {
            bytes[bytes.count - 1] = value
            #expect(invalidField(thrownError { try GridAnswer.decode(bytes) }) == "object.flags", "\(value)")
        }
    }

    @Test func sceneObjectAssetFlagMustBeZeroOrOne() {
        var bytes = GridAnswer.sceneObject(GridProtocolSamples.recordMinimal).bytes
        let flag = 1 + 16 * 3  // code, id, owner, creator
        #expect(bytes[flag] == 0)
        for value: UInt8 in [2, 0x80, 0xFF] {
            bytes[flag] = value
            #expect(invalidField(thrownError { try GridAnswer.decode(bytes) }) == "object.hasAsset", "\(value)")
        }
        // 1 without the 32 asset bytes that should follow is not the record it was.
        bytes[flag] = 1
        #expect(thrownError { try GridAnswer.decode(bytes) } is CodecError)
    }

    @Test func unknownShapesAreRejected() {
        var bytes = GridAnswer.sceneObject(GridProtocolSamples.recordMinimal).bytes
        let shape = 1 + 16 * 3 + 1 + 2  // ..., hasAsset, empty name
        #expect(bytes[shape] == GridProtocolSamples.recordMinimal.shape.rawValue)
        let known = Set(Shape.allCases.map(\.rawValue))
        for raw in UInt8.min...UInt8.max where !known.contains(raw) {
            bytes[shape] = raw
            #expect(invalidField(thrownError { try GridAnswer.decode(bytes) }) == "object.shape")
        }
    }

    @Test func nonFiniteFloatsAreRejected() {
        #expect(invalidField(thrownError { try InventoryCall.decode(InventoryCall.rez(a, at: Vector3(.nan, 0, 0)).bytes) }) == "rez.position")
        #expect(invalidField(thrownError {
            try GridCall.decode(GridCall.rez(account: a, item: a, region: a, object: a, position: Vector3(0, .infinity, 0)).bytes)
        }) == "rez.position")
        var record = GridProtocolSamples.recordMinimal
        record.rotation = Quaternion(x: 0, y: 0, z: 0, w: .nan)
        #expect(invalidField(thrownError { try GridAnswer.decode(GridAnswer.sceneObject(record).bytes) }) == "object.rotation")
        record = GridProtocolSamples.recordMinimal
        record.scale = Vector3(1, 1, -.infinity)
        #expect(invalidField(thrownError { try GridCall.decode(GridCall.flushScene(region: a, created: [record], changed: [], deleted: []).bytes) }) == "object.scale")
    }

    // MARK: Texts

    /// The decoders' limits, on hand-made bytes: the encoders no longer write past them
    /// (`GridProtocolTextLimitTests`), so only a peer that ignores them can send such bytes.
    @Test func textLimitsAreEnforced() {
        let longName = String(repeating: "n", count: maxNameBytes + 1)
        let longToken = String(repeating: "t", count: maxTokenBytes + 1)
        let login = GridCall.Code.login.rawValue
        #expect(invalidField(thrownError { try GridCall.decode([login] + .text(longName) + .text("p") + .text("a")) }) == "login.name")
        #expect(invalidField(thrownError {
            try GridCall.decode([login] + .text("n") + .text(String(repeating: "p", count: maxPasswordBytes + 1)) + .text("a"))
        }) == "login.password")
        #expect(invalidField(thrownError {
            try GridCall.decode([login] + .text("n") + .text("p") + .text(String(repeating: "a", count: 256)))
        }) == "login.address")
        #expect(invalidField(thrownError { try GridCall.decode([GridCall.Code.resumeSession.rawValue] + .text(longToken)) }) == "resumeSession.token")
        #expect(invalidField(thrownError { try GridCall.decode([GridCall.Code.endSession.rawValue] + .text(longToken)) }) == "endSession.token")
        #expect(invalidField(thrownError {
            try GridAnswer.decode([GridAnswer.Code.session.rawValue] + .uuid(a) + .text("n") + .text(longToken) + .le(UInt64(0)))
        }) == "session.token")
        #expect(invalidField(thrownError { try InventoryCall.decode([InventoryCall.Code.createFolder.rawValue] + .uuid(a) + .text(longName)) }) == "createFolder.name")
        #expect(invalidField(thrownError { try InventoryCall.decode([InventoryCall.Code.give.rawValue] + .uuid(a) + .text(longName)) }) == "give.recipient")
        #expect(invalidField(thrownError {
            try InventoryCall.decode([InventoryCall.Code.storeAsset.rawValue] + .le(Int16(0)) + .text(longName) + .le(UInt32(0)))
        }) == "storeAsset.name")
        #expect(invalidField(thrownError {
            try GridCall.decode(
                [GridCall.Code.registerRegion.rawValue] + .text("r") + .le(UInt32(0)) + .le(UInt32(0)) + .text("a") + .text(String(repeating: "x", count: 256)))
        }) == "registerRegion.node")
        // CallStatus messages are limited to 1024 bytes on the wire.
        #expect(invalidField(thrownError { try CallStatus.decode([8, 0] + .text(String(repeating: "m", count: 1025))) }) == "status.message")
    }

    @Test func invalidUTF8IsRejected() {
        let broken: [UInt8] = [3, 0, 0x41, 0xC3, 0x28]  // "A" then a broken two-byte sequence
        #expect(invalidField(thrownError { try GridCall.decode([7] + broken) }) == "locateRegion.name")
        #expect(invalidField(thrownError { try InventoryCall.decode([7] + .uuid(a) + broken) }) == "renameItem.name")
        #expect(invalidField(thrownError { try GridCall.decode([2, 1, 0, 0xFF]) }) == "resumeSession.token")
    }
}
