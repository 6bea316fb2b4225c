import Foundation
import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// Samples of every call and answer of the grid protocol, chosen so that every field carries a
/// non-default value somewhere, optionals appear both present and absent, and lists appear
/// empty, with one element, and with several (including elements of the smallest size, which
/// checks each `readCount`'s `minElementBytes` against the real element size).
enum GridProtocolSamples {
    static let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    static let a = UUID(uuidString: "6F1D2C3B-4A59-4867-9A8B-C7D6E5F40312")!
    static let b = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
    static let c = UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!
    static let d = UUID(uuidString: "0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9")!

    static let assetA = AssetID(Data((0..<32).map { UInt8($0) }))!
    static let assetB = AssetID(Data(repeating: 0xFF, count: 32))!
    static let assetZero = AssetID(Data(repeating: 0, count: 32))!

    static let password = "correct horse battery staple ✓"
    static let token = "tok_3f9a1c0e7b2d4a6f8e1c9b3d5a7f0e2c"
    static let maxName = String(repeating: "n", count: maxNameBytes)
    /// What a Second Life viewer sends for `password`: its MD5, lowercase hex.
    static let viewerMD5 = "9c5e2f3a0b8d47e1a6f0c3d2b1e4a789"

    // MARK: Inventory

    static let inventoryCalls: [InventoryCall] = [
        .listFolder(folder: nil, start: 0),
        .listFolder(folder: a, start: .max),
        .createFolder(parent: a, name: "Textures ▣"),
        .createFolder(parent: b, name: ""),
        .renameFolder(b, name: maxName),
        .moveFolder(a, to: c),
        .deleteFolder(d),
        .createItem(folder: a, asset: assetA, name: "Crate", nextOwner: 0x8000 | 0x2000),
        .createItem(folder: c, asset: assetZero, name: "", nextOwner: .max),
        .renameItem(c, name: "Ünïcødé 🌍"),
        .moveItem(d, to: a),
        .deleteItem(b),
        .purgeTrash,
        .give(a, to: "Grace Hopper"),
        .give(b, to: ""),
        .storeAsset(type: 7, name: "notecard", data: Data("hello, world".utf8)),
        .storeAsset(type: .min, name: "", data: Data()),
        .storeAsset(type: -1, name: maxName, data: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })),
        .fetchAsset(assetA, offset: 0, length: UInt32(AssetChunk.maxBytes)),
        .fetchAsset(assetB, offset: .max, length: 0),
        .rez(a, at: Vector3(128.5, 3.25, 21)),
        .rez(zero, at: Vector3(-0.0, 255.999, 4096)),
        .take(0),
        .take(.max),
    ]

    static let folderRoot = FolderEntry(id: a, parent: nil, kind: 1, name: "My Inventory")
    static let folderObjects = FolderEntry(id: b, parent: a, kind: 2, name: "Objects ✦")
    static let folderMinimal = FolderEntry(id: c, parent: nil, kind: 0, name: "")
    static let itemFull = ItemEntry(
        id: a, folder: b, asset: assetA, assetType: 6, name: "Chair", creator: d,
        base: 0x7FFF_FFFF, owner: 0x0008_E000, group: 1, everyone: 2, nextOwner: 0x8000
    )
    static let itemMinimal = ItemEntry(
        id: c, folder: c, asset: assetZero, assetType: .min, name: "", creator: nil,
        base: 0, owner: 0, group: 0, everyone: 0, nextOwner: 0
    )
    static let chunk = AssetChunk(
        asset: assetB, type: 0, name: "texture.j2c", creator: a, createdMillis: 1_700_000_000_123,
        totalSize: 1_000_000, offset: 60_000, data: Data((0..<300).map { UInt8($0 % 251) })
    )

    static let inventoryAnswers: [InventoryAnswer] = [
        .done,
        .id(a),
        .id(zero),
        .count(0),
        .count(.max),
        .page(FolderPage(folder: a, total: 0, start: 0, folders: [], items: [])),
        .page(FolderPage(folder: a, total: 12, start: 2, folders: [folderRoot, folderObjects], items: [itemFull, itemMinimal])),
        // Only smallest elements: each count's check must still let them through.
        .page(FolderPage(folder: b, total: .max, start: .max, folders: [folderMinimal, folderMinimal], items: [])),
        .page(FolderPage(folder: c, total: 3, start: 0, folders: [], items: [itemMinimal, itemMinimal, itemMinimal])),
        .asset(assetA),
        .asset(assetZero),
        .assetChunk(chunk),
        .assetChunk(AssetChunk(asset: assetZero, type: .min, name: "", creator: nil, createdMillis: 0, totalSize: 0, offset: 0, data: Data())),
        .rezzed(object: a, localID: 1),
        .rezzed(object: c, localID: .max),
    ]

    // MARK: Grid

    static let recordFull = SceneObjectRecord(
        id: a, owner: b, creator: d, asset: assetA, name: "Rezzed chair ✦", shape: .box,
        position: Vector3(10.5, 200.25, 22), rotation: Quaternion(x: 0.5, y: -0.5, z: 0.5, w: 0.5),
        scale: Vector3(0.01, 1, 64), masks: [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x8000], physical: true, reportsCollisions: true
    )
    static let recordMinimal = SceneObjectRecord(
        id: c, owner: c, creator: nil, asset: nil, name: "", shape: .sphere,
        position: .zero, rotation: .identity, scale: Vector3(1, 1, 1), masks: [0, 0, 0, 0, 0]
    )
    static let records: [SceneObjectRecord] = Shape.allCases.enumerated().map { index, shape in
        SceneObjectRecord(
            id: UUID(uuid: (UInt8(index + 1), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9)), owner: a,
            creator: index.isMultiple(of: 2) ? b : nil, asset: index.isMultiple(of: 2) ? nil : assetB,
            name: "prim \(shape)", shape: shape, position: Vector3(Float(index), 2, 3),
            rotation: Quaternion(x: 0, y: 0, z: 0, w: 1), scale: Vector3(1, 2, 3),
            masks: [UInt32(index), 1, 2, 3, .max]
        )
    }

    // MARK: Contents

    static let lookFull = ObjectLook(color: Vector3(1, 0.5, 0), alpha: 0.25, text: "Touch me ✋", textColor: Vector3(0, 1, 0), textAlpha: 1)
    static let greeter = ContentItem(
        id: a, name: "Greeter ✦", kind: .script, asset: assetA,
        source: "default { touch_start(integer n) { llSay(0, \"Hello\"); } }", running: true, state: [1, 2, 3, 0, 255])
    static let stopped = ContentItem(id: b, name: "x", kind: .script, asset: assetB, source: nil, running: false, state: nil)
    static let ball = ContentItem(
        id: c, name: "Ball", kind: .object, asset: ContentItem.noAsset, running: false,
        template: ObjectTemplate(
            name: "Ball", shape: .sphere, scale: Vector3(0.3, 0.3, 0.3), physical: true, reportsCollisions: true, look: lookFull,
            contents: [stopped]))
    static let recordScripted = SceneObjectRecord(
        id: d, owner: a, creator: a, asset: assetB, name: "Launcher", shape: .cylinder,
        position: Vector3(1, 2, 3), rotation: .identity, scale: Vector3(1, 1, 2), masks: [1, 2, 3, 4, 5],
        look: lookFull, contents: [greeter, stopped, ball])

    static let grantFull = SessionGrant(account: a, name: "Ada Lovelace", token: token, expiresMillis: 1_800_000_000_000)
    static let grantMinimal = SessionGrant(account: zero, name: "", token: "", expiresMillis: 0)

    static let gridCalls: [GridCall] =
        [
            .login(name: "Ada Lovelace", password: password, address: "203.0.113.7:51234"),
            .login(name: "", password: "", address: ""),
            .login(name: maxName, password: String(repeating: "p", count: maxPasswordBytes), address: "[2001:db8::1]:443"),
            .viewerLogin(name: "Ada Lovelace", md5Hex: viewerMD5, address: "203.0.113.7:51234"),
            .viewerLogin(name: "", md5Hex: String(repeating: "0", count: 32), address: ""),
            .resumeSession(token: token),
            .resumeSession(token: String(repeating: "t", count: maxTokenBytes)),
            .endSession(token: token),
            .endSession(token: ""),
            .registerRegion(name: "Tessera Centre", gridX: 1000, gridY: 1001, address: "10.0.0.5:9100", node: "region-node-α"),
            .registerRegion(name: "", gridX: .max, gridY: 0, address: "", node: ""),
            .deregisterRegion(a),
            .heartbeat([]),
            .heartbeat([a]),
            .heartbeat([a, b, c, d, zero]),
            .locateRegion(name: "Tessera Centre"),
            .locateRegion(name: ""),
        ]
        + inventoryCalls.enumerated().map { index, call in .inventory(account: index.isMultiple(of: 2) ? a : d, call) }
        + [
            .loadScene(region: b),
            .loadScenePage(region: b, after: a),
            .flushScene(region: a, created: [], changed: [], deleted: []),
            .flushScene(region: b, created: [recordFull, recordMinimal], changed: records, deleted: [c, d]),
            .flushScene(region: c, created: [], changed: [], deleted: [a]),
            // Smallest records last, so the count check sees exactly their bytes.
            .flushScene(region: d, created: [], changed: [recordMinimal, recordMinimal], deleted: []),
            .rez(account: a, item: b, region: c, object: b, position: Vector3(128, 128, 21.5)),
            .take(account: d, object: a, look: nil, contents: nil),
            .take(account: a, object: b, look: .plain, contents: []),
            .take(account: b, object: c, look: nil, contents: [greeter, stopped, ball]),
            .take(account: c, object: d, look: lookFull, contents: nil),
            .botSessions(prefix: "Bot", count: 1),
            .botSessions(prefix: "", count: 0),
            .botSessions(prefix: String(repeating: "b", count: 48), count: GridCall.maxBotSessions),
            .moveObject(recordFull, from: recordMinimal.id, gridX: 1001, gridY: 1000),
            .moveObject(recordMinimal, from: recordFull.id, gridX: 0, gridY: .max),
            .listRegions,
            .storeScript(account: a, name: "Greeter", source: "default { state_entry() { llSay(0, \"✓\"); } }"),
            .storeScript(account: zero, name: "", source: ""),
            .storeScript(account: b, name: maxName, source: String(repeating: "é", count: 300)),
            .scriptItem(account: a, item: b),
            .flushScene(region: a, created: [recordScripted], changed: [recordScripted], deleted: []),
            .moveObject(recordScripted, from: a, gridX: 1, gridY: 2),
        ]

    static let gridAnswers: [GridAnswer] =
        [
            .done,
            .session(grantFull),
            .session(grantMinimal),
            .region(a),
            .location(RegionLocation(id: a, name: "Tessera Centre", gridX: 1000, gridY: 1001, address: "10.0.0.5:9100")),
            .location(RegionLocation(id: zero, name: "", gridX: GridPosition.maxCoordinate, gridY: GridPosition.maxCoordinate, address: "")),
        ]
        + inventoryAnswers.map { .inventory($0) }
        + [
            .scene([]),
            .scene([recordFull]),
            .scene(records + [recordMinimal]),
            .scene([recordMinimal, recordMinimal, recordMinimal]),
            .sceneObject(recordFull),
            .sceneObject(recordMinimal),
            .sceneObject(recordScripted),
            .scene([recordScripted, recordMinimal]),
            .asset(assetA),
            .asset(assetZero),
            .scriptItem(ScriptItem(name: "Door ✦", asset: assetB, source: "default { touch_start(integer n) { } }")),
            .scriptItem(ScriptItem(name: "", asset: assetZero, source: "")),
            .item(b),
            .sessions([]),
            .sessions([grantFull, grantMinimal]),
            .sessions([grantMinimal, grantMinimal]),
            .locations([]),
            .locations([
                RegionLocation(id: a, name: "Tessera Plaza", gridX: 1000, gridY: 1000, address: "127.0.0.1:9100"),
                RegionLocation(id: zero, name: "", gridX: GridPosition.maxCoordinate, gridY: 0, address: ""),
            ]),
        ]

    static let statuses: [CallStatus] =
        [.ok]
        + ErrorCode.allCases.map { CallStatus($0, "failed with \($0) ✗") }
        + [
            CallStatus(.unknownAsset, ""),
            CallStatus(.assetTooLarge, String(repeating: "m", count: 1024)),
        ]
}

// MARK: - Helpers

/// A value with the grid protocol's public codec.
protocol GridCodable: Hashable {
    init(from buffer: inout ByteBuffer) throws
    func encode(into buffer: inout ByteBuffer)
}

extension InventoryCall: GridCodable {}
extension InventoryAnswer: GridCodable {}
extension GridCall: GridCodable {}
extension GridAnswer: GridCodable {}
extension CallStatus: GridCodable {}

extension GridCodable {
    var bytes: [UInt8] {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Decodes `bytes`; `rest` is how many bytes the decoder left unread.
    static func decode(_ bytes: [UInt8]) throws -> (value: Self, rest: Int) {
        var buffer = ByteBuffer(bytes: bytes)
        let value = try Self(from: &buffer)
        return (value, buffer.readableBytes)
    }
}

/// The error a closure throws, or nil.
func thrownError(_ body: () throws -> Any) -> (any Error)? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The field an `invalidValue` error names, or nil for any other error.
func invalidField(_ error: (any Error)?) -> String? {
    guard case .invalidValue(let field, _)? = error as? CodecError else { return nil }
    return field
}

/// The field a `truncated` error names, or nil for any other error.
func truncatedField(_ error: (any Error)?) -> String? {
    guard case .truncated(let field)? = error as? CodecError else { return nil }
    return field
}

extension Array where Element == UInt8 {
    /// Little-endian bytes of an integer.
    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        Swift.withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func uuid(_ id: UUID) -> [UInt8] {
        Swift.withUnsafeBytes(of: id.uuid) { Array($0) }
    }

    /// A u16 byte count and the UTF-8 bytes.
    static func text(_ string: String) -> [UInt8] {
        le(UInt16(string.utf8.count)) + Array(string.utf8)
    }
}
