import Foundation
import NIOCore
import Testing
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

@Suite struct GridProtocolRoundTripTests {
    @Test(arguments: GridProtocolSamples.inventoryCalls)
    func inventoryCall(call: InventoryCall) throws {
        let (decoded, rest) = try InventoryCall.decode(call.bytes)
        #expect(decoded == call)
        #expect(rest == 0, "the decoder reads exactly what the encoder wrote")
        #expect(decoded.bytes == call.bytes)
    }

    @Test(arguments: GridProtocolSamples.inventoryAnswers)
    func inventoryAnswer(answer: InventoryAnswer) throws {
        let (decoded, rest) = try InventoryAnswer.decode(answer.bytes)
        #expect(decoded == answer)
        #expect(rest == 0)
        #expect(decoded.bytes == answer.bytes)
    }

    @Test(arguments: GridProtocolSamples.gridCalls)
    func gridCall(call: GridCall) throws {
        let (decoded, rest) = try GridCall.decode(call.bytes)
        #expect(decoded == call)
        #expect(rest == 0)
        #expect(decoded.bytes == call.bytes)
    }

    @Test(arguments: GridProtocolSamples.gridAnswers)
    func gridAnswer(answer: GridAnswer) throws {
        let (decoded, rest) = try GridAnswer.decode(answer.bytes)
        #expect(decoded == answer)
        #expect(rest == 0)
        #expect(decoded.bytes == answer.bytes)
    }

    @Test(arguments: GridProtocolSamples.statuses)
    func callStatus(status: CallStatus) throws {
        let (decoded, rest) = try CallStatus.decode(status.bytes)
        #expect(decoded == status)
        #expect(rest == 0)
    }

    @Test func everythingBackToBackInOneBuffer() throws {
        var buffer = ByteBuffer()
        for call in GridProtocolSamples.gridCalls { call.encode(into: &buffer) }
        for answer in GridProtocolSamples.gridAnswers { answer.encode(into: &buffer) }
        let calls = try GridProtocolSamples.gridCalls.map { _ in try GridCall(from: &buffer) }
        let answers = try GridProtocolSamples.gridAnswers.map { _ in try GridAnswer(from: &buffer) }
        #expect(calls == GridProtocolSamples.gridCalls)
        #expect(answers == GridProtocolSamples.gridAnswers)
        #expect(buffer.readableBytes == 0)
    }

    // MARK: Coverage

    /// Exhaustive switches: a new case fails to compile here until it gets a sample.
    private static func name(_ call: InventoryCall) -> String {
        switch call {
        case .listFolder: "listFolder"
        case .createFolder: "createFolder"
        case .renameFolder: "renameFolder"
        case .moveFolder: "moveFolder"
        case .deleteFolder: "deleteFolder"
        case .createItem: "createItem"
        case .renameItem: "renameItem"
        case .moveItem: "moveItem"
        case .deleteItem: "deleteItem"
        case .purgeTrash: "purgeTrash"
        case .give: "give"
        case .storeAsset: "storeAsset"
        case .fetchAsset: "fetchAsset"
        case .rez: "rez"
        case .take: "take"
        }
    }

    private static func name(_ answer: InventoryAnswer) -> String {
        switch answer {
        case .done: "done"
        case .id: "id"
        case .count: "count"
        case .page: "page"
        case .asset: "asset"
        case .assetChunk: "assetChunk"
        case .rezzed: "rezzed"
        }
    }

    private static func name(_ call: GridCall) -> String {
        switch call {
        case .login: "login"
        case .resumeSession: "resumeSession"
        case .endSession: "endSession"
        case .registerRegion: "registerRegion"
        case .deregisterRegion: "deregisterRegion"
        case .heartbeat: "heartbeat"
        case .locateRegion: "locateRegion"
        case .inventory: "inventory"
        case .loadScene: "loadScene"
        case .flushScene: "flushScene"
        case .rez: "rez"
        case .take: "take"
        case .botSessions: "botSessions"
        case .moveObject: "moveObject"
        case .listRegions: "listRegions"
        case .storeScript: "storeScript"
        case .scriptItem: "scriptItem"
        case .loadScenePage: "loadScenePage"
        case .viewerLogin: "viewerLogin"
        }
    }

    private static func name(_ answer: GridAnswer) -> String {
        switch answer {
        case .done: "done"
        case .session: "session"
        case .region: "region"
        case .location: "location"
        case .inventory: "inventory"
        case .scene: "scene"
        case .sceneObject: "sceneObject"
        case .item: "item"
        case .sessions: "sessions"
        case .locations: "locations"
        case .asset: "asset"
        case .scriptItem: "scriptItem"
        }
    }

    @Test func samplesCoverEveryCase() {
        #expect(Set(GridProtocolSamples.inventoryCalls.map(Self.name)) == [
            "listFolder", "createFolder", "renameFolder", "moveFolder", "deleteFolder", "createItem", "renameItem",
            "moveItem", "deleteItem", "purgeTrash", "give", "storeAsset", "fetchAsset", "rez", "take",
        ])
        #expect(Set(GridProtocolSamples.inventoryAnswers.map(Self.name)) == [
            "done", "id", "count", "page", "asset", "assetChunk", "rezzed",
        ])
        #expect(Set(GridProtocolSamples.gridCalls.map(Self.name)) == [
            "login", "resumeSession", "endSession", "registerRegion", "deregisterRegion", "heartbeat", "locateRegion",
            "inventory", "loadScene", "flushScene", "rez", "take", "botSessions", "moveObject", "listRegions",
            "storeScript", "scriptItem", "loadScenePage", "viewerLogin",
        ])
        #expect(Set(GridProtocolSamples.gridAnswers.map(Self.name)) == [
            "done", "session", "region", "location", "inventory", "scene", "sceneObject", "item", "sessions", "locations", "asset", "scriptItem",
        ])
    }

    @Test func samplesCoverEveryCode() {
        // The codes are the wire bytes; each must be reached by some sample.
        #expect(Set(GridProtocolSamples.inventoryCalls.map(\.code)) == Set(InventoryCall.Code.allCases))
        #expect(Set(GridProtocolSamples.inventoryAnswers.map(\.code)) == Set(InventoryAnswer.Code.allCases))
        #expect(Set(GridProtocolSamples.gridCalls.map(\.code)) == Set(GridCall.Code.allCases))
        #expect(Set(GridProtocolSamples.gridAnswers.map(\.code)) == Set(GridAnswer.Code.allCases))
        // Every inventory call also travels inside a GridCall, every answer inside a GridAnswer.
        let wrappedCalls = GridProtocolSamples.gridCalls.compactMap { call -> InventoryCall.Code? in
            if case .inventory(_, let inner) = call { inner.code } else { nil }
        }
        #expect(Set(wrappedCalls) == Set(InventoryCall.Code.allCases))
        let wrappedAnswers = GridProtocolSamples.gridAnswers.compactMap { answer -> InventoryAnswer.Code? in
            if case .inventory(let inner) = answer { inner.code } else { nil }
        }
        #expect(Set(wrappedAnswers) == Set(InventoryAnswer.Code.allCases))
        // Every error code, and success, as a status.
        #expect(Set(GridProtocolSamples.statuses.compactMap(\.code)) == Set(ErrorCode.allCases))
        #expect(GridProtocolSamples.statuses.contains(.ok))
        // Every shape in scene records.
        #expect(Set(GridProtocolSamples.records.map(\.shape)) == Set(Shape.allCases))
    }

    @Test func codeMatchesTheFirstByte() {
        for call in GridProtocolSamples.inventoryCalls { #expect(call.bytes.first == call.code.rawValue) }
        for answer in GridProtocolSamples.inventoryAnswers { #expect(answer.bytes.first == answer.code.rawValue) }
        for call in GridProtocolSamples.gridCalls { #expect(call.bytes.first == call.code.rawValue) }
        for answer in GridProtocolSamples.gridAnswers { #expect(answer.bytes.first == answer.code.rawValue) }
    }

    @Test func sceneCallsAreRezAndTakeOnly() {
        for call in GridProtocolSamples.inventoryCalls {
            #expect(call.isSceneCall == (call.code == .rez || call.code == .take), "\(call.code)")
        }
    }

    // MARK: Layout

    @Test func wireLayoutIsLittleEndian() {
        let a = GridProtocolSamples.a
        #expect(InventoryCall.purgeTrash.bytes == [10])
        #expect(InventoryCall.take(0x0102_0304).bytes == [15, 4, 3, 2, 1])
        #expect(InventoryCall.listFolder(folder: nil, start: 0x0A0B_0C0D).bytes == [1] + [UInt8](repeating: 0, count: 16) + [0x0D, 0x0C, 0x0B, 0x0A])
        #expect(InventoryCall.storeAsset(type: 0x0102, name: "n", data: Data([9, 8])).bytes
            == [12, 0x02, 0x01, 1, 0, UInt8(ascii: "n"), 2, 0, 0, 0, 9, 8])
        #expect(InventoryAnswer.count(0x0102_0304).bytes == [2, 4, 3, 2, 1])
        #expect(GridCall.deregisterRegion(a).bytes == [5] + .uuid(a))
        #expect(GridCall.botSessions(prefix: "B", count: 0x0102_0304).bytes == [13, 1, 0, UInt8(ascii: "B"), 4, 3, 2, 1])
        #expect(GridCall.heartbeat([a]).bytes == [6, 1, 0, 0, 0] + .uuid(a))
        #expect(GridAnswer.done.bytes == [0])
        #expect(GridAnswer.inventory(.done).bytes == [4, 0])
        #expect(CallStatus.ok.bytes == [0, 0, 0, 0])
        #expect(CallStatus(.assetTooLarge, "x").bytes == [25, 0, 1, 0, UInt8(ascii: "x")])
    }

    @Test func smallestElementsHaveTheSizesTheCountChecksAssume() {
        // Each list's count check divides the bytes left by an element's smallest size; a
        // list of smallest elements must occupy exactly that many bytes each.
        let record = GridProtocolSamples.recordMinimal
        #expect(GridAnswer.sceneObject(record).bytes.count - 1 == 113)
        #expect(GridAnswer.scene([record, record]).bytes.count == 1 + 4 + 2 * 113)
        #expect(GridAnswer.session(GridProtocolSamples.grantMinimal).bytes.count - 1 == 28)
        let folders = FolderPage(folder: GridProtocolSamples.a, total: 0, start: 0, folders: [GridProtocolSamples.folderMinimal], items: [])
        #expect(InventoryAnswer.page(folders).bytes.count == 1 + 16 + 4 + 4 + 4 + 35 + 4)
        let items = FolderPage(folder: GridProtocolSamples.a, total: 0, start: 0, folders: [], items: [GridProtocolSamples.itemMinimal])
        #expect(InventoryAnswer.page(items).bytes.count == 1 + 16 + 4 + 4 + 4 + 4 + 104)
    }

    @Test func optionalUUIDsTravelAsZero() throws {
        // A nil parent or creator is the all-zero uuid, and the all-zero uuid decodes as nil.
        let zeroParent = FolderEntry(id: GridProtocolSamples.a, parent: GridProtocolSamples.zero, kind: 0, name: "")
        let page = InventoryAnswer.page(FolderPage(folder: GridProtocolSamples.a, total: 1, start: 0, folders: [zeroParent], items: []))
        guard case .page(let decoded) = try InventoryAnswer.decode(page.bytes).value else {
            Issue.record("not a page")
            return
        }
        #expect(decoded.folders.first?.parent == nil)
        #expect(InventoryCall.listFolder(folder: GridProtocolSamples.zero, start: 0).bytes == InventoryCall.listFolder(folder: nil, start: 0).bytes)
    }

    // MARK: Values

    @Test func assetIDIsExactly32Bytes() {
        for count in [0, 1, 16, 31, 33, 64] {
            #expect(AssetID(Data(repeating: 7, count: count)) == nil, "\(count) bytes")
        }
        let id = AssetID(Data(repeating: 0xAB, count: 32))
        #expect(id?.bytes.count == 32)
        #expect(id?.description == String(repeating: "ab", count: 32))
        #expect(GridProtocolSamples.assetA.description.hasPrefix("000102030405"))
    }

    @Test func callStatusOkAndDescription() {
        #expect(CallStatus.ok.code == nil)
        #expect(CallStatus.ok.description == "ok")
        #expect(CallStatus(.unknownItem, "no item x").description == "unknownItem (20): no item x")
        #expect(CallStatus(code: .badCredentials, message: "m") == CallStatus(.badCredentials, "m"))
    }

    @Test func overlongStatusMessagesAreCutTo1024BytesOnEncode() throws {
        let long = CallStatus(.invalidValue, String(repeating: "a", count: 1500))
        let decoded = try CallStatus.decode(long.bytes).value
        #expect(decoded.code == .invalidValue)
        #expect(decoded.message == String(repeating: "a", count: 1024))
        // Cut by characters, so multi-byte text stays valid UTF-8.
        let multibyte = CallStatus(.invalidValue, String(repeating: "€", count: 400))  // 1200 bytes
        let cut = try CallStatus.decode(multibyte.bytes).value
        #expect(cut.message.utf8.count <= 1024)
        #expect(cut.message == String(repeating: "€", count: 341))
    }

    @Test func regionLocationHandle() {
        let location = RegionLocation(id: GridProtocolSamples.a, name: "r", gridX: 1000, gridY: 1001, address: "h:1")
        #expect(location.handle == GridPosition(x: 1000, y: 1001)!.handle)
    }
}
