import Foundation
import NIOCore
import TesseraClientProtocol
import TesseraCodec
import TesseraGridProtocol
import TesseraWorld

/// Samples of every client and server message, covering every enum case and field.
enum ClientProtocolSamples {
    static let agent = UUID(uuidString: "0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9")!
    static let motion = EntityMotion(position: Vector3(100.5, 20.25, 22), rotation: Quaternion(yaw: -2), velocity: Vector3(-3.2, 0, 4))

    static let item = UUID(uuidString: "6F1D2C3B-4A59-4867-9A8B-C7D6E5F40312")!
    static let folder = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
    static let asset = AssetID(Data((0..<32).map { UInt8(255 - $0) }))!

    /// Logins of this protocol version. A Login of another version is not a round-trip sample:
    /// its body is skipped on purpose (see `ClientLoginTests`).
    static let logins: [ClientMessage] = [
        .login(Login(name: "Ada Lovelace", password: "correct horse ✓")),
        .login(Login(name: String(repeating: "é", count: 31) + "x", credential: .sessionToken("tok_0123456789abcdef"), startRegion: "Tessera Centre")),  // 63 bytes
        .login(Login(name: "", password: "", startRegion: "")),
        .login(Login(name: "Grace", credential: .sessionToken(""), startRegion: String(repeating: "r", count: maxNameBytes))),
        .login(Login(name: "Bot 1", credential: .password(String(repeating: "p", count: maxPasswordBytes)))),
        .login(Login(name: "Bot 2", credential: .sessionToken(String(repeating: "t", count: maxTokenBytes)))),
    ]

    /// One request for every inventory call.
    static let inventoryCalls: [InventoryCall] = [
        .listFolder(folder: nil, start: 0),
        .listFolder(folder: folder, start: 200),
        .createFolder(parent: folder, name: "Textures ▣"),
        .renameFolder(folder, name: ""),
        .moveFolder(folder, to: item),
        .deleteFolder(item),
        .createItem(folder: folder, asset: asset, name: "Crate", nextOwner: 0x8000),
        .renameItem(item, name: String(repeating: "n", count: maxNameBytes)),
        .moveItem(item, to: folder),
        .deleteItem(item),
        .purgeTrash,
        .give(item, to: "Grace Hopper"),
        .storeAsset(type: 7, name: "notecard", data: Data("hello, world".utf8)),
        .storeAsset(type: -1, name: "", data: Data()),
        .fetchAsset(asset, offset: 60_000, length: 60_000),
        .rez(item, at: Vector3(128.5, 3.25, 21)),
        .take(.max),
    ]

    static let inventoryRequests: [ClientMessage] = inventoryCalls.enumerated().map { index, call in
        .inventory(InventoryRequest(requestID: index == 0 ? .max : UInt32(index), call: call))
    }

    static let clientMessages: [ClientMessage] =
        logins
        + MovementMode.allCases.enumerated().map { index, mode in
            .move(Move(mode: mode, heading: UInt16(index) * 16_384 + 7, vertical: Int8(index % 3) - 1))
        }
        + [.move(Move(mode: .fly, heading: .max, vertical: 1))]
        + ChatType.allCases.filter { !$0.isObjectOnly }.map { .chat(ChatSend(type: $0, channel: Int32($0.rawValue) * -7, text: "\($0) ✓ ☃")) }
        + [
            .chat(ChatSend(type: .say, text: String(repeating: "y", count: maxChatBytes))),
            .chat(ChatSend(type: .shout, channel: .max, text: "")),
        ]
        + Shape.allCases.map { shape in
            .createObject(CreateObject(
                requestID: UInt32(shape.rawValue) << 24 | 5, shape: shape, position: Vector3(0.5, 255.5, 4095),
                rotation: Quaternion(x: 0.1, y: 0.2, z: 0.3, w: 0.927), scale: Vector3(0.01, 2, 64), name: "Box \(shape) ▣"
            ))
        }
        + [
            .createObject(CreateObject(requestID: 0, shape: .box, position: .zero, scale: Vector3(1, 1, 1), name: "")),
            .deleteObject(DeleteObject(requestID: 12, localID: 34)),
            .deleteObject(DeleteObject(requestID: .max, localID: .max)),
            .ping(Ping(nonce: 0xDEAD_BEEF, clientTimeMillis: 1_700_000_000_000)),
            .ping(Ping(nonce: 0, clientTimeMillis: .max)),
            .logout,
            .teleport(Teleport(requestID: 21, region: "Tessera North ✈", position: Vector3(12.5, 200, 30))),
            .teleport(Teleport(requestID: .max, gridPosition: GridPosition(x: 1001, y: GridPosition.maxCoordinate)!, position: nil)),
            .moveObject(MoveObject(requestID: 22, localID: 9, position: Vector3(-3.5, 128, 22))),
            .pushObject(PushObject(requestID: 23, localID: 10, impulse: Vector3(200, -50, 60))),
            .pushObject(PushObject(requestID: .max, localID: .max, impulse: .zero)),
            .createObject(CreateObject(
                requestID: 24, shape: .sphere, position: Vector3(10, 10, 30), scale: Vector3(1, 1, 1), name: "ball", physical: true, reportsCollisions: true)),
        ]
        + scriptRequests
        + inventoryRequests

    /// Protocol 6: touches, scripts and contents.
    static let scriptRequests: [ClientMessage] =
        TouchObject.Phase.allCases.map { .touch(TouchObject(localID: 31, phase: $0)) }
        + [
            .touch(TouchObject(localID: .max, phase: .end)),
            .addScript(AddScript(requestID: 25, localID: 32, name: "greeter ✦", source: .inventoryItem(item))),
            .addScript(AddScript(requestID: .max, localID: .max, name: "", source: .text(""))),
            .addScript(AddScript(
                requestID: 26, localID: 33, name: String(repeating: "n", count: maxNameBytes),
                source: .text("default { touch_start(integer n) { llSay(0, \"Hello, \" + llDetectedName(0)); } } // ✓"))),
            .addScript(AddScript(requestID: 27, localID: 34, name: "big", source: .text(String(repeating: "x", count: AddScript.maxSourceBytes)))),
        ]
        + ScriptControlRequest.Action.allCases.map { action in
            .scriptControl(ScriptControlRequest(requestID: UInt32(action.rawValue) + 40, localID: 35, item: "door \(action)", action: action))
        }
        + [
            .scriptControl(ScriptControlRequest(requestID: .max, localID: .max, item: "", action: .remove)),
            .contents(ObjectContentsRequest(requestID: 50, localID: 36)),
            .contents(ObjectContentsRequest(requestID: .max, localID: .max)),
        ]

    static let clockAppearance = ObjectAppearance(
        text: "12:00 ⏰", textColor: Vector3(1, 0.5, 0), textAlpha: 0.75, color: Vector3(0, 0, 1), alpha: 0)

    /// Protocol 6: appearances, contents and diagnostics, and the optional trailing fields.
    static let scriptMessages: [ServerMessage] =
        [
            .entityEnter(EntityEnter(
                localID: 60, kind: .object, shape: .cylinder, name: "Clock", scale: Vector3(1, 1, 0.1), motion: motion, appearance: clockAppearance)),
            .entityEnter(EntityEnter(
                localID: 61, kind: .object, shape: .box, name: "", scale: Vector3(1, 1, 1), motion: motion,
                appearance: ObjectAppearance(text: String(repeating: "t", count: ObjectAppearance.maxTextBytes), textColor: .zero, textAlpha: 0, color: .zero, alpha: 1))),
            .objectAppearance(AppearanceUpdate(localID: 60, appearance: clockAppearance)),
            .objectAppearance(AppearanceUpdate(localID: .max, appearance: .standard)),
            .objectContents(ObjectContents(requestID: 51, localID: 36, items: [])),
            .objectContents(ObjectContents(requestID: .max, localID: .max, items: [
                ObjectContents.Item(name: "greeter", kind: .script, running: true),
                ObjectContents.Item(name: "broken ✗", kind: .script, running: false, error: "broken:3:7: error: syntax error"),
                ObjectContents.Item(name: "ball", kind: .object),
            ] + (0..<13).map { ObjectContents.Item(name: "s\($0)", kind: .script, running: $0 % 2 == 0, error: $0 == 5 ? String(repeating: "e", count: ObjectContents.maxErrorBytes) : nil) })),
            .scriptDiagnostics(ScriptDiagnostics(
                localID: 60, objectName: "Clock", item: "clock", compile: true,
                lines: ["clock:1:1: error: syntax error", "clock:9:12: error: undefined name 'x'"])),
            .scriptDiagnostics(ScriptDiagnostics(localID: .max, objectName: "", item: "", compile: false, lines: [])),
            .scriptDiagnostics(ScriptDiagnostics(
                localID: 1, objectName: "x", item: "y", compile: false,
                lines: Array(repeating: String(repeating: "l", count: ScriptDiagnostics.maxLineBytes), count: ScriptDiagnostics.maxLines))),
        ]
        + EntityKind.allCases.map { kind in
            .chat(ChatReceived(
                speaker: 62, speakerName: "Greeter", type: kind == .object ? .regionSay : .say, channel: -3,
                position: motion.position, text: "hello from \(kind)", speakerKind: kind))
        }

    static let entityUpdates: [ServerMessage] = (0...7).map { mask in
        let fields = EntityUpdate.Fields(rawValue: UInt8(mask))
        return .entityUpdate(EntityUpdate(
            localID: UInt32(mask) + 100,
            position: fields.contains(.position) ? motion.position : nil,
            rotation: fields.contains(.rotation) ? motion.rotation : nil,
            velocity: fields.contains(.velocity) ? motion.velocity : nil
        ))
    }

    /// Protocol 7: the worked example of docs/client-protocol.md, each field form alone, and
    /// the extremes of the local ID (a 5-byte idGap) and of the deltas.
    static let entityDeltas: [ServerMessage] =
        [.entityDeltas(EntityDeltasTests.workedExample)]
        + [
            EntityDelta(localID: 0, dx: 1, dy: -1),
            EntityDelta(localID: 1, dz: -8191),
            EntityDelta(localID: 2, position: motion.position),
            EntityDelta(localID: 3, yaw: 0xFFFF),
            EntityDelta(localID: 4, rotation: motion.rotation),
            EntityDelta(localID: 5, shortVelocity: SIMD3(-127, 127, 0)),
            EntityDelta(localID: 6, velocity: motion.velocity),
            EntityDelta(localID: .max, dx: .min, dy: .max, dz: .min, yaw: 1, shortVelocity: SIMD3(1, 2, 3)),
        ].map { .entityDeltas(EntityDeltas(entries: [$0])) }
        + [.entityDeltas(EntityDeltas(entries: [
            EntityDelta(localID: 7, dx: 3), EntityDelta(localID: 8, dy: 8191), EntityDelta(localID: 1 << 31, dz: 1, velocity: motion.velocity),
        ]))]

    static let serverMessages: [ServerMessage] =
        [
            .welcome(Welcome(
                agentID: agent, localID: 7, regionName: "Tessera Centre ✦", regionHandle: GridPosition(x: 1000, y: 1000)!.handle,
                frameRate: 45, updateRate: 15, viewDistance: 64
            )),
            .welcome(Welcome(
                agentID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), localID: .max, regionName: "",
                regionHandle: RegionHandle(rawValue: .max), frameRate: .max, updateRate: 0, viewDistance: 0.5
            )),
            .welcome(Welcome(
                agentID: agent, localID: 8, regionName: "Tessera Centre", regionHandle: GridPosition(x: 1000, y: 1000)!.handle,
                frameRate: 45, updateRate: 15, viewDistance: 64, sessionToken: "tok_0123456789abcdef"
            )),
            .welcome(Welcome(
                agentID: agent, localID: 9, regionName: "r", regionHandle: RegionHandle(rawValue: 1),
                frameRate: 1, updateRate: 1, viewDistance: 1, sessionToken: String(repeating: "t", count: maxTokenBytes)
            )),
            .frameStamp(FrameStamp(frame: 123_456_789_012, timeMillis: 1_700_000_000_999, timeDilation: 65535)),
            .frameStamp(FrameStamp(frame: 0, timeMillis: 0, dilation: 0.5)),
        ]
        + EntityKind.allCases.flatMap { kind in
            Shape.allCases.map { shape in
                .entityEnter(EntityEnter(
                    localID: UInt32(kind.rawValue) * 10 + UInt32(shape.rawValue), kind: kind, shape: shape,
                    name: "\(kind) \(shape)", scale: Vector3(0.45, 0.6, 1.9), motion: motion
                ))
            }
        }
        + entityUpdates
        + entityDeltas
        + [
            .regionMap(RegionMap(regions: [])),
            .regionMap(RegionMap(regions: [RegionMapTests.plaza, RegionMapTests.east, .init(name: "Édge", position: GridPosition(x: GridPosition.maxCoordinate, y: 0)!)])),
            .regionTerrain(RegionTerrain(region: GridPosition(x: 1000, y: 1001)!.handle, terrain: .flat(21))),
            .regionTerrain(RegionTerrain(
                region: GridPosition(x: 1000, y: 1000)!.handle,
                terrain: Terrain(base: 0, hills: (0..<Terrain.maxHills).map { .init(x: Float($0), y: 256, radius: 512, height: $0 % 2 == 0 ? 200 : -200) }))),
        ]
        + [.entityLeave(EntityLeave(localID: 42)), .entityLeave(EntityLeave(localID: .max))]
        + ChatType.allCases.map { type in
            .chat(ChatReceived(
                speaker: 3, speakerName: "Ada", type: type, channel: Int32(type.rawValue) - 1,
                position: motion.position, text: "\(type): héllo"
            ))
        }
        + ObjectResult.Outcome.allCases.map { .objectResult(ObjectResult(requestID: 9, outcome: $0, localID: 77)) }
        + ErrorCode.allCases.map { .error(ServerError($0, requestID: UInt32($0.rawValue), message: "error \($0)")) }
        + [
            .error(ServerError(code: 999, message: "")),
            .pong(Pong(nonce: 0xDEAD_BEEF, clientTimeMillis: 1_700_000_000_000)),
        ]
        + RegionChanged.Kind.allCases.map { kind in
            .regionChanged(RegionChanged(
                kind: kind, localID: UInt32(kind.rawValue) * 1000, regionName: "Tessera North ✈",
                regionHandle: GridPosition(x: 1000, y: 1001)!.handle, startedMillis: 1_700_000_000_321, requestID: UInt32(kind.rawValue)))
        }
        + Alert.Scope.allCases.map { .alert(Alert(scope: $0, text: "The grid restarts at 18:00 UTC — \($0)")) }
        + [.alert(Alert(scope: .grid, text: ""))]
        + inventoryReplies
        + scriptMessages

    /// One successful answer of every kind.
    static let inventoryAnswers: [InventoryAnswer] = [
        .done,
        .id(item),
        .count(0),
        .count(.max),
        .page(FolderPage(folder: folder, total: 0, start: 0, folders: [], items: [])),
        .page(FolderPage(
            folder: folder, total: 7, start: 5,
            folders: [
                FolderEntry(id: folder, parent: nil, kind: 1, name: "My Inventory"),
                FolderEntry(id: item, parent: folder, kind: 6, name: "Trash"),
            ],
            items: [
                ItemEntry(
                    id: item, folder: folder, asset: asset, assetType: 6, name: "Chair ✦", creator: agent,
                    base: 0x7FFF_FFFF, owner: 0x0008_E000, group: 0, everyone: 0, nextOwner: 0x8000
                ),
                ItemEntry(
                    id: folder, folder: item, asset: asset, assetType: -1, name: "", creator: nil,
                    base: 0, owner: 0, group: 0, everyone: 0, nextOwner: 0
                ),
            ]
        )),
        .asset(asset),
        .assetChunk(AssetChunk(
            asset: asset, type: 0, name: "texture", creator: agent, createdMillis: 1_700_000_000_123,
            totalSize: 100_000, offset: 60_000, data: Data((0..<500).map { UInt8($0 % 256) })
        )),
        .assetChunk(AssetChunk(asset: asset, type: .min, name: "", creator: nil, createdMillis: 0, totalSize: 0, offset: 0, data: Data())),
        .rezzed(object: item, localID: 77),
    ]

    /// Every answer, then a failure with every error code (the statuses a call can end with).
    static let inventoryReplies: [ServerMessage] =
        inventoryAnswers.enumerated().map { index, answer in
            .inventory(InventoryReply(requestID: UInt32(index) + 1, outcome: .success(answer)))
        }
        + ErrorCode.allCases.map { code in
            .inventory(InventoryReply(requestID: UInt32(code.rawValue) << 16, outcome: .failure(CallStatus(code, "\(code): failed ✗"))))
        }
        + [
            .inventory(InventoryReply(requestID: .max, outcome: .failure(CallStatus(.unknownFolder, "")))),
            .inventory(InventoryReply(requestID: 0, outcome: .failure(CallStatus(.assetTooLarge, String(repeating: "m", count: 1024))))),
        ]
}

/// Encodes server messages into one frame.
func serverFrame(_ messages: [ServerMessage]) -> ByteBuffer {
    var buffer = ByteBuffer()
    for message in messages { message.encode(into: &buffer) }
    return buffer
}

extension ClientMessage {
    var bytes: [UInt8] { Array(encoded().readableBytesView) }
}

extension ServerMessage {
    var bytes: [UInt8] { Array(serverFrame([self]).readableBytesView) }
}

func decodeClient(_ bytes: [UInt8]) throws -> ClientMessage {
    try ClientMessage.decode(ByteBuffer(bytes: bytes))
}

func decodeServer(_ bytes: [UInt8]) throws -> [ServerMessage] {
    try ServerMessage.decodeFrame(ByteBuffer(bytes: bytes))
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
