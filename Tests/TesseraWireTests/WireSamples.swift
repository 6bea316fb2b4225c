import Foundation
import NIOCore
import TesseraCodec
import TesseraGridProtocol
import TesseraHandoff
import TesseraWire
import TesseraWorld

/// One or more samples of every Tessera wire message, chosen so that every field carries a
/// non-default value and every enum case (roles, reasons, commands, outcomes, shapes, kinds,
/// chat types, movement modes) appears at least once.
enum WireSamples {
    static let agentA = UUID(uuidString: "6F1D2C3B-4A59-4867-9A8B-C7D6E5F40312")!
    static let agentB = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
    static let handle = GridPosition(x: 1000, y: 1001)!.handle
    static let otherHandle = GridPosition(x: 7, y: 65_000)!.handle

    static let motion = EntityMotion(
        position: Vector3(128.25, 3.5, 21), rotation: Quaternion(yaw: 1.25), velocity: Vector3(3.2, -1.1, 0.5)
    )
    static let otherMotion = EntityMotion(
        position: PackedPosition(rawValue: 0xFFFF_FFFF_FFFF_FFFF), rotation: PackedRotation(rawValue: 0xDEAD_BEEF),
        velocity: PackedVelocity(x: .min, y: .max, z: -1)
    )

    static let hellos: [WireMessage] = WireRole.allCases.map { role in
        .hello(Hello(role: role, nodeName: "node-\(role)", gridSecret: "s3cret ✓ \(role.rawValue)"))
    } + [.hello(Hello(version: 0xBEEF, role: .clientManager, nodeName: "", gridSecret: ""))]

    static let helloAccepteds: [WireMessage] = [
        .helloAccepted(HelloAccepted(
            role: .region, nodeName: "region-node-α",
            regions: [
                RegionDescriptor(handle: handle, name: "Tessera Centre"),
                RegionDescriptor(handle: otherHandle, name: "Ünïcødé 🌍"),
                RegionDescriptor(handle: RegionHandle(rawValue: 0), name: ""),
            ]
        )),
        .helloAccepted(HelloAccepted(version: 9, role: .grid, nodeName: "grid", regions: [])),
    ]

    static let helloRefuseds: [WireMessage] = HelloRefused.Reason.allCases.map { reason in
        .helloRefused(HelloRefused(reason: reason, message: "refused because \(reason)"))
    } + [.helloRefused(HelloRefused(reason: .protocolError, message: ""))]

    static let agentJoins: [WireMessage] = [
        .agentJoin(AgentJoin(region: handle, agentID: agentA, name: "Ada Lovelace")),
        .agentJoin(AgentJoin(region: otherHandle, agentID: agentB, name: String(repeating: "n", count: maxNameBytes))),
    ]

    static let agentJoineds: [WireMessage] = [
        .agentJoined(AgentJoined(
            region: handle, agentID: agentA, localID: 0xFFFF_FFFE, regionName: "Tessera Centre",
            frameRate: 45, viewDistance: 64.5
        )),
        .agentJoined(AgentJoined(
            region: otherHandle, agentID: agentB, localID: 1, regionName: "", frameRate: .max, viewDistance: -0.0
        )),
    ]

    static let agentLeaves: [WireMessage] = AgentLeave.Reason.allCases.map { reason in
        .agentLeave(AgentLeave(region: handle, agentID: agentA, reason: reason, message: "bye: \(reason)"))
    } + [.agentLeave(AgentLeave(region: otherHandle, agentID: agentB, reason: .logout))]

    static let commands: [AgentCommand] =
        MovementMode.allCases.enumerated().map { index, mode in
            .move(MovementIntent(mode: mode, heading: Float(index) * 1.5 - 2, vertical: Int8(index % 3) - 1))
        }
        + ChatType.allCases.map { .chat($0, channel: Int32($0.rawValue) - 1, text: "hello \($0) — ☃") }
        + [
            .chat(.say, channel: .max, text: String(repeating: "x", count: maxChatBytes)),
            .chat(.whisper, channel: .min, text: ""),
        ]
        + Shape.allCases.map { shape in
            .createObject(requestID: UInt32(shape.rawValue) * 1000, ObjectSpec(
                shape: shape, position: Vector3(10.5, 200.25, 4000), rotation: Quaternion(x: 0.5, y: -0.5, z: 0.5, w: 0.5),
                scale: Vector3(0.01, 1, 64), name: "prim \(shape) ✦"
            ))
        }
        + [
            .deleteObject(requestID: 77, 12345),
            .deleteObject(requestID: .max, .max),
            .rez(requestID: 88, item: agentB, position: Vector3(128.5, 3.25, 21)),
            .rez(requestID: .max, item: agentA, position: Vector3(-0.0, 255.75, 4096)),
            .take(requestID: 99, 54321),
            .take(requestID: 0, .max),
            .teleport(requestID: 5, region: "Tessera North ✈", gridPosition: GridPosition(x: 0, y: 0)!, position: Vector3(1, 2, 3)),
            .teleport(requestID: .max, region: "", gridPosition: GridPosition(x: GridPosition.maxCoordinate, y: 1001)!, position: Vector3(128, 255.5, 4000)),
            .teleport(requestID: 0, region: "Tessera Plaza", gridPosition: GridPosition(x: 3, y: 4)!, position: nil),
            .moveObject(requestID: 6, 42, position: Vector3(-12.5, 300, 22)),
            .push(requestID: 8, 43, impulse: Vector3(120, -40.5, 60)),
            .createObject(requestID: 9, ObjectSpec(
                shape: .box, position: Vector3(1, 2, 30), rotation: .identity, scale: Vector3(0.8, 0.8, 0.8), name: "crate",
                physical: true, reportsCollisions: true)),
            .createObject(requestID: 10, ObjectSpec(
                shape: .sphere, position: Vector3(1, 2, 30), rotation: .identity, scale: Vector3(1, 1, 1), name: "ball", physical: true)),
        ]
        + TouchPhase.allCases.map { .touch(44, phase: $0) }
        + [
            .addScript(requestID: 11, 45, name: "greeter ✦", source: .inventory(agentB)),
            .addScript(requestID: .max, .max, name: "", source: .text("default { state_entry() { llSay(0, \"héllo\"); } }")),
            .addScript(requestID: 12, 46, name: String(repeating: "n", count: maxNameBytes), source: .text(String(repeating: "x", count: ScriptSourceRef.maxTextBytes))),
            .addScript(requestID: 13, 47, name: "empty", source: .text("")),
        ]
        + ScriptItemAction.allCases.map { .scriptControl(requestID: UInt32($0.rawValue) + 20, 48, item: "door \($0)", action: $0) }
        + [.contents(requestID: 30, 49), .contents(requestID: .max, .max)]

    static let agentInputs: [WireMessage] = commands.enumerated().map { index, command in
        .agentInput(AgentInput(
            region: index.isMultiple(of: 2) ? handle : otherHandle, agentID: agentA,
            sequence: index == 0 ? .max : UInt32(index), command: command))
    }

    static let fullFrame = RegionFrame(
        region: handle, frame: 0x0123_4567_89AB_CDEF, timeMillis: 1_700_000_000_123, timeDilation: 0.75,
        appeared: [
            EntityInfo(localID: 1, kind: .avatar, shape: .cylinder, name: "Ada", scale: Vector3(0.45, 0.6, 1.9), motion: motion),
            EntityInfo(localID: 2, kind: .object, shape: .box, name: "Crate ▣", scale: Vector3(1, 2, 3), motion: otherMotion),
            EntityInfo(localID: 3, kind: .object, shape: .sphere, name: "", scale: Vector3(64, 64, 64), motion: motion),
            EntityInfo(
                localID: 4, kind: .object, shape: .cylinder, name: "Clock", scale: Vector3(1, 1, 0.1), motion: motion,
                appearance: ObjectAppearance(text: "12:00 ⏰", textColor: Vector3(1, 0.5, 0), textAlpha: 0.75, color: Vector3(0, 0, 1), alpha: 0)),
        ],
        moved: [MovedEntity(localID: 1, motion: motion), MovedEntity(localID: .max, motion: otherMotion)],
        removed: [9, 10, .max],
        interest: [
            InterestChange(agent: 1, entered: [1, 2, 3], left: []),
            InterestChange(agent: 4, entered: [], left: [5, 6]),
            InterestChange(agent: 7, entered: [8], left: [9]),
        ],
        chat: ChatType.allCases.map { type in
            ChatDelivery(
                speaker: 1, speakerName: "Ada", type: type, channel: Int32(type.rawValue),
                position: motion.position, text: "\(type)!", recipients: [1, 4, 7]
            )
        } + [
            ChatDelivery(speaker: 2, speakerName: "", type: .say, channel: -5, position: PackedPosition(rawValue: 0), text: "x", recipients: []),
            ChatDelivery(
                speaker: 4, speakerName: "Greeter", type: .regionSay, channel: 0, position: motion.position, text: "Hello, Ada",
                recipients: [1], speakerKind: .object),
        ],
        replies: [
            CommandReply(agent: 1, requestID: 1, outcome: .created(42)),
            CommandReply(agent: 1, requestID: 2, outcome: .deleted(42)),
            CommandReply(agent: 4, requestID: .max, outcome: .failed(code: ErrorCode.invalidValue.rawValue, message: "scale must be within 0.01...64")),
            CommandReply(agent: 7, requestID: 0, outcome: .failed(code: .max, message: "")),
            CommandReply(agent: 1, requestID: 3, outcome: .rezzed(43, object: agentA)),
            CommandReply(agent: 4, requestID: .max, outcome: .rezzed(.max, object: agentB)),
            CommandReply(agent: 1, requestID: 4, outcome: .taken(item: agentB)),
            CommandReply(agent: 7, requestID: 5, outcome: .callFailed(code: ErrorCode.unknownItem.rawValue, message: "no item in your inventory ✗")),
            CommandReply(agent: 7, requestID: 6, outcome: .callFailed(code: 0, message: "")),
            CommandReply(agent: 1, requestID: 7, outcome: .moved(42)),
            CommandReply(agent: 4, requestID: 8, outcome: .crossed(.max)),
            CommandReply(agent: 1, requestID: 9, outcome: .updated(42)),
            CommandReply(agent: 1, requestID: 10, outcome: .contents(42, [])),
            CommandReply(agent: 4, requestID: .max, outcome: .contents(.max, [
                ContentSummary(name: "greeter", kind: .script, running: true),
                ContentSummary(name: "broken ✗", kind: .script, running: false, error: "broken:3:7: error: syntax error"),
                ContentSummary(name: "ball", kind: .object),
            ] + (0..<13).map { ContentSummary(name: "s\($0)", kind: .script, running: $0 % 2 == 0) })),
        ],
        appearance: [
            AppearanceChange(localID: 4, appearance: ObjectAppearance(text: "12:01", textColor: Vector3(0, 1, 0), textAlpha: 1, color: Vector3(1, 1, 1), alpha: 1)),
            AppearanceChange(localID: .max, appearance: ObjectAppearance(text: String(repeating: "t", count: ObjectAppearance.maxTextBytes))),
            AppearanceChange(localID: 2, appearance: .standard),
        ],
        scriptNotices: [
            ScriptNotice(agent: 1, object: 4, objectName: "Clock", item: "clock", compile: true, lines: ["clock:1:1: error: syntax error", "clock:9:12: error: undefined name 'x'"]),
            ScriptNotice(agent: 7, object: .max, objectName: "", item: "x", compile: false, lines: []),
            ScriptNotice(agent: 4, object: 2, objectName: "Crate ▣", item: "y", compile: false, lines: Array(repeating: String(repeating: "e", count: ScriptNotice.maxLineBytes), count: ScriptNotice.maxLines)),
        ]
    )

    static let regionFrames: [WireMessage] = [
        .regionFrame(fullFrame),
        .regionFrame(RegionFrame(region: otherHandle, frame: 1, timeMillis: 0, timeDilation: 1)),
    ]

    // MARK: Grid services

    static let asset = AssetID(Data((0..<32).map { UInt8($0 * 7 % 256) }))!
    static let record = SceneObjectRecord(
        id: agentA, owner: agentB, creator: agentA, asset: asset, name: "Chair ✦", shape: .cylinder,
        position: Vector3(10.5, 20.25, 22), rotation: Quaternion(x: 0.5, y: -0.5, z: 0.5, w: 0.5),
        scale: Vector3(1, 2, 3), masks: [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x8000]
    )
    static let builtRecord = SceneObjectRecord(
        id: agentB, owner: agentA, creator: nil, asset: nil, name: "", shape: .box,
        position: .zero, rotation: .identity, scale: Vector3(1, 1, 1), masks: [0, 0, 0, 0, 0]
    )
    static let physicalRecord = SceneObjectRecord(
        id: agentA, owner: agentB, creator: agentB, asset: nil, name: "crate", shape: .sphere,
        position: Vector3(-0.5, 12, 22), rotation: Quaternion(yaw: 2), scale: Vector3(0.8, 0.8, 0.8), masks: [1, 2, 3, 4, 5],
        physical: true, reportsCollisions: true
    )
    static let grant = SessionGrant(account: agentA, name: "Ada Lovelace", token: "token-abc", expiresMillis: 1_800_000_000_000)

    /// One call of every kind (the grid protocol's own tests cover every inventory call).
    static let gridCalls: [GridCall] = [
        .login(name: "Ada Lovelace", password: "s3cret ✓", address: "203.0.113.7:51234"),
        .resumeSession(token: "token-abc"),
        .viewerLogin(name: "Ada Lovelace", md5Hex: "0123456789abcdef0123456789abcdef", address: "203.0.113.7:51234"),
        .endSession(token: ""),
        .registerRegion(name: "Tessera Centre", gridX: 1000, gridY: 1001, address: "10.0.0.5:9100", node: "region-node-α"),
        .deregisterRegion(agentB),
        .heartbeat([agentA, agentB]),
        .locateRegion(name: ""),
        .inventory(account: agentA, .listFolder(folder: nil, start: 0)),
        .inventory(account: agentB, .storeAsset(type: 7, name: "note", data: Data("hello".utf8))),
        .inventory(account: agentA, .fetchAsset(asset, offset: 10, length: 60_000)),
        .loadScene(region: agentA),
        .loadScenePage(region: agentA, after: agentB),
        .flushScene(region: agentA, created: [record], changed: [builtRecord], deleted: [agentB]),
        .flushScene(region: agentB, created: [], changed: [], deleted: []),
        .rez(account: agentA, item: agentB, region: agentA, object: agentB, position: Vector3(128, 128, 21)),
        .take(account: agentB, object: agentA, look: nil, contents: nil),
        .botSessions(prefix: "Bot", count: 250),
        .moveObject(record, from: agentB, gridX: 1001, gridY: .max),
        .listRegions,
        .storeScript(account: agentA, name: "Greeter", source: "default { touch_start(integer n) { llSay(0, \"Hi\"); } }"),
        .scriptItem(account: agentB, item: agentA),
    ]

    static let gridAnswers: [GridAnswer] = [
        .done,
        .session(grant),
        .region(agentB),
        .location(RegionLocation(id: agentA, name: "Tessera Centre", gridX: 1000, gridY: 1001, address: "10.0.0.5:9100")),
        .inventory(.id(agentA)),
        .inventory(.page(FolderPage(
            folder: agentA, total: 2, start: 0,
            folders: [FolderEntry(id: agentB, parent: agentA, kind: 2, name: "Objects")],
            items: [ItemEntry(
                id: agentA, folder: agentB, asset: asset, assetType: 6, name: "Chair", creator: nil,
                base: 0x7FFF_FFFF, owner: 0x7FFF_FFFF, group: 0, everyone: 0, nextOwner: 0x8000
            )]
        ))),
        .inventory(.assetChunk(AssetChunk(
            asset: asset, type: 7, name: "note", creator: agentB, createdMillis: 1_700_000_000_000,
            totalSize: 5, offset: 0, data: Data("hello".utf8)
        ))),
        .inventory(.rezzed(object: agentA, localID: 42)),
        .scene([record, builtRecord]),
        .scene([]),
        .sceneObject(record),
        .item(agentB),
        .sessions([grant, SessionGrant(account: agentB, name: "Bot 2", token: "t2", expiresMillis: 0)]),
        .locations([RegionLocation(id: agentA, name: "Tessera Centre", gridX: 1000, gridY: 1001, address: "10.0.0.5:9100")]),
        .asset(asset),
        .scriptItem(ScriptItem(name: "Door", asset: asset, source: "default { touch_start(integer n) { } }")),
    ]

    static let gridRequests: [WireMessage] = gridCalls.enumerated().map { index, call in
        .gridRequest(GridRequest(requestID: index == 0 ? .max : UInt32(index), call: call))
    }

    static let gridReplies: [WireMessage] =
        gridAnswers.enumerated().map { index, answer in
            .gridReply(GridReply(requestID: UInt32(index) + 1000, outcome: .success(answer)))
        }
        + ErrorCode.allCases.map { code in
            .gridReply(GridReply(requestID: UInt32(code.rawValue), outcome: .failure(CallStatus(code, "failed: \(code)"))))
        }
        + [.gridReply(GridReply(requestID: 0, outcome: .failure(CallStatus(.serviceUnavailable, ""))))]

    // MARK: Hand-offs, ghosts, status

    static let travellingAvatar = TravellingAvatar(
        agentID: agentA, name: "Ada Lovelace", manager: "edge-1", position: Vector3(-0.25, 128, 21.5),
        velocity: Vector3(5.1, 0, -0.5), rotation: Quaternion(yaw: 0.5), intent: MovementIntent(mode: .run, heading: 0.25, vertical: 1),
        appliedSequence: 4711)

    static let handoffOffers: [WireMessage] = [
        .handoffOffer(HandoffOffer(
            handoffID: HandoffID(rawValue: .max), source: handle, destination: otherHandle, kind: .crossing,
            startedMillis: 1_700_000_000_456, traveller: .avatar(travellingAvatar))),
        .handoffOffer(HandoffOffer(
            handoffID: HandoffID(rawValue: 1), source: otherHandle, destination: handle, kind: .teleport,
            startedMillis: 0, traveller: .object(TravellingObject(record: record, stored: true)))),
        .handoffOffer(HandoffOffer(
            handoffID: HandoffID(rawValue: 2), source: handle, destination: handle, kind: .crossing,
            startedMillis: 1, traveller: .object(TravellingObject(record: builtRecord, stored: false)))),
        .handoffOffer(HandoffOffer(
            handoffID: HandoffID(rawValue: 3), source: handle, destination: otherHandle, kind: .crossing,
            startedMillis: 2, traveller: .object(TravellingObject(record: physicalRecord, stored: false, velocity: Vector3(6.5, -0.25, 1))))),
    ]

    static let handoffSteps: [HandoffSignal.Step] =
        [.accept(7), .cancel, .commit, .query, .routed, .notRouted, .activate(localID: .max), .rejectActivation, .failed(nil)]
        + HandoffRefusal.allCases.flatMap { [HandoffSignal.Step.refuse($0), .failed($0)] }
        + HandoffOffer.Kind.allCases.map { .route(localID: 9, appliedSequence: .max, kind: $0, startedMillis: 1_700_000_000_789, requestID: UInt32($0.rawValue) << 20) }

    static let handoffSignals: [WireMessage] = handoffSteps.enumerated().map { index, step in
        .handoffSignal(HandoffSignal(
            handoffID: HandoffID(rawValue: UInt64(index) << 40 | 3), subject: index.isMultiple(of: 2) ? agentA : agentB,
            source: handle, destination: otherHandle, to: index.isMultiple(of: 3) ? handle : otherHandle, step: step))
    }

    static let ghostFrames: [WireMessage] = [
        .ghostFrame(GhostFrame(
            source: handle, destination: otherHandle, frame: 99,
            appeared: [
                GhostEntity(info: fullFrame.appeared[0], agentID: agentA),
                GhostEntity(info: fullFrame.appeared[1], agentID: nil),
            ],
            moved: fullFrame.moved, removed: [3, .max])),
        .ghostFrame(GhostFrame(source: otherHandle, destination: handle, frame: .max)),
    ]

    static let chatRelays: [WireMessage] = ChatType.allCases.map { type in
        .chatRelay(ChatRelay(
            source: handle, destination: otherHandle, speaker: UInt32(type.rawValue), speakerName: "Ada ✦", type: type,
            channel: Int32(type.rawValue) - 1, position: Vector3(250.5, 3.25, 21), text: "across the border: \(type)"))
    }

    static let statusMessages: [WireMessage] = [
        .statusRequest(StatusRequest()),
        .statusReply(StatusReply(node: "node-1", regions: [
            RegionStatus(
                handle: handle, name: "Tessera Plaza", frame: 123_456, rootAgents: [agentA, agentB], ghosts: 7, objects: 15_000,
                achievedFrameRate: 44.9, timeDilation: 0.998, handoffsInProgress: 3, handoffsCommitted: 1234, handoffsFailed: 5,
                physics: physicsStatus, scripts: scriptsStatus),
            RegionStatus(
                handle: otherHandle, name: "", frame: 0, rootAgents: [], ghosts: 0, objects: 0,
                achievedFrameRate: 0, timeDilation: 0, handoffsInProgress: 0, handoffsCommitted: .max, handoffsFailed: 0),
        ])),
        .statusReply(StatusReply(node: "", regions: [])),
    ]

    static let adminMessages: [WireMessage] = [
        .adminRequest(AdminRequest(.listAgents)),
        .adminRequest(AdminRequest(.kick(agentA, message: "Please read the covenant ✦"))),
        .adminRequest(AdminRequest(.kick(agentB, message: ""))),
        .adminRequest(AdminRequest(.alert(.everyone, message: "Restart in 5 minutes"))),
        .adminRequest(AdminRequest(.alert(.region(otherHandle), message: "this region"))),
        .adminRequest(AdminRequest(.alert(.agent(agentA), message: "just you"))),
        .adminRequest(AdminRequest(.teleport(agentA, region: "Tessera Plaza", gridPosition: GridPosition(x: 0, y: 0)!, position: Vector3(10, 20.5, 30)))),
        .adminRequest(AdminRequest(.teleport(agentB, region: "", gridPosition: GridPosition(x: 1000, y: GridPosition.maxCoordinate)!, position: nil))),
        .adminRequest(AdminRequest(.restart(handle, message: "back in a minute"))),
        .adminRequest(AdminRequest(.scripts(handle))),
        .adminRequest(AdminRequest(.controlScript(handle, object: agentA, item: "Door ✦", .reset))),
        .adminRequest(AdminRequest(.controlScript(otherHandle, object: agentB, item: "x", .stop))),
        .adminRequest(AdminRequest(.controlScript(handle, object: agentB, item: String(repeating: "n", count: 63), .start))),
        .adminReply(AdminReply(.agents([
            AgentEntry(
                agentID: agentA, name: "Ada Lovelace", region: handle, regionName: "Tessera Plaza", position: Vector3(128, 64.25, 21),
                sinceMillis: 1_790_000_000_123, clientManager: "manager-1"),
            AgentEntry(agentID: agentB, name: "", region: otherHandle, regionName: "", position: .zero, sinceMillis: 0, clientManager: ""),
        ]))),
        .adminReply(AdminReply(.agents([]))),
        .adminReply(AdminReply(.done(affected: 12, detail: "moved 10, logged out 2"))),
        .adminReply(AdminReply(.notHere)),
        .adminReply(AdminReply(.failed(code: 7, message: "no region named Nowhere is reachable"))),
        .adminReply(AdminReply(.scripts(ScriptsReport(region: handle, regionName: "Tessera Plaza", status: scriptsStatus, top: [
            ScriptTime(key: ScriptKey(object: agentA, item: agentB), name: "Clock", objectName: "Clock ✦", micros: 1234.5),
            ScriptTime(key: ScriptKey(object: agentB, item: agentA), name: "", objectName: "", micros: 0),
        ])))),
        .adminReply(AdminReply(.scripts(ScriptsReport(region: otherHandle, regionName: "", status: ScriptsLinkStatus(), top: [])))),
        .agentNotice(AgentNotice(region: handle, scope: .grid, agents: [agentA, agentB], text: "The grid restarts at 18:00 UTC")),
        .agentNotice(AgentNotice(region: otherHandle, scope: .personal, agents: [], text: "")),
    ]

    static let scriptsStatus: ScriptsLinkStatus = {
        var status = ScriptsLinkStatus()
        status.state = .attached
        status.scriptedObjects = 6
        status.scripts = 11_000
        status.running = 10_999
        status.eventsQueued = 64
        status.heldEvents = 4096
        status.framesSent = 1 << 40
        status.late = 3
        status.snapshots = 2
        status.losses = 1
        status.lastRunMicros = 3999
        status.runMicrosTotal = .max
        status.eventsDropped = 17
        status.heldDropped = 5
        status.chatDropped = 250
        status.errors = 2
        return status
    }()

    static let physicsStatus: PhysicsLinkStatus = {
        var status = PhysicsLinkStatus()
        status.state = .attached
        status.bodies = 8000
        status.framesSent = 1 << 40
        status.onTime = 99
        status.late = 3
        status.held = 2
        status.snapshots = 4
        status.losses = 1
        status.contacts = 12
        status.lastStepMicros = 4321
        return status
    }()

    static let terrain = Terrain(base: 21, hills: [
        Terrain.Hill(x: 200, y: 70, radius: 45, height: 14), Terrain.Hill(x: -20, y: 300, radius: 512, height: -200),
    ])

    static let physicsFrames: [WireMessage] = [
        .physicsFrame(PhysicsFrame(
            region: handle, frame: 1, seconds: 1.0 / 45, terrain: terrain,
            added: [
                PhysicsBody(id: 1, kind: .avatar, shape: .cylinder, scale: Vector3(0.6, 0.6, 1.9), position: Vector3(128, 128, 21), mass: 80),
                PhysicsBody(
                    id: .max, kind: .prim, shape: .sphere, scale: Vector3(1, 2, 3), position: Vector3(-0.5, 255.5, 4000),
                    rotation: Quaternion(yaw: 1), velocity: Vector3(1, -2, 3), mass: 12.5, friction: 0.25, restitution: 0.75, reportsContacts: true),
            ],
            intents: [AvatarIntent(id: 1, velocity: Vector3(3.2, 0, 0), flying: false, jump: true)])),
        .physicsFrame(PhysicsFrame(
            region: otherHandle, frame: .max, seconds: 0, removed: [2, 3],
            pushes: [PhysicsPush(id: 4, kind: .impulse, vector: Vector3(1, 2, 3)), PhysicsPush(id: 5, kind: .force, vector: Vector3(0, 0, 900))],
            intents: [AvatarIntent(id: 6, velocity: Vector3(0, 0, -4), flying: true)],
            placements: [PhysicsPlacement(id: 7, position: Vector3(10, 20, 30), rotation: Quaternion(yaw: -1), velocity: .zero)])),
        .physicsFrame(PhysicsFrame(region: handle, frame: 0, seconds: 1, terrain: .flat(0))),
        .physicsResult(PhysicsResult(
            region: handle, frame: 77, stepMicros: 1234,
            bodies: [PhysicsBodyState(id: 1, position: Vector3(1, 2, 3), rotation: Quaternion(yaw: 0.5), velocity: Vector3(-1, 0, 9.5))],
            contacts: [PhysicsContact(body: 1, other: 0, started: true), PhysicsContact(body: 1, other: .max, started: false)],
            refused: [PhysicsRefusal(id: 0, reason: "no world for region: send a full snapshot"), PhysicsRefusal(id: 9, reason: "scale ✦")])),
        .physicsResult(PhysicsResult(region: otherHandle, frame: 0)),
    ]

    static let sourceHash = AssetID(Data((0..<32).map { UInt8($0) }))!
    static let scriptKey = ScriptKey(object: agentA, item: agentB)
    static let detected = DetectedInfo(
        key: agentA, name: "Ada Lovelace", owner: agentB, kind: DetectedInfo.agent | DetectedInfo.scripted, position: Vector3(1, 2, 3),
        rotation: Quaternion(yaw: 0.5), velocity: Vector3(0, -1, 0), touchFace: 2)

    static let scriptMessages: [WireMessage] = [
        .scriptFrame(ScriptFrame(
            region: handle, frame: 12, timeMillis: 1_700_000_000_123, snapshot: true,
            programs: [ScriptProgram(hash: sourceHash, source: "default { state_entry() { llSay(0, \"☃\"); } }")],
            added: [
                ScriptInstance(key: scriptKey, objectLocal: 9, name: "greeter", program: sourceHash, owner: agentB, objectName: "Sign"),
                ScriptInstance(
                    key: ScriptKey(object: agentB, item: agentA), objectLocal: .max, name: "n", program: sourceHash, owner: agentA, objectName: "o",
                    running: false, state: [1, 2, 3, 0, 255], startParameter: -7),
            ],
            removed: [scriptKey], frozen: [ScriptKey(object: agentB, item: agentB)], control: [ScriptControl(key: scriptKey, action: .reset)],
            poses: [ObjectPose(object: agentA, local: 9, position: Vector3(10, 20, 30), rotation: Quaternion(yaw: 1), velocity: .zero, scale: Vector3(1, 2, 3))],
            events: [
                ScriptEventDelivery(object: agentA, name: "touch_start", arguments: [.integer(1)], detected: [detected]),
                ScriptEventDelivery(object: agentA, item: agentB, name: "link_message", arguments: [
                    .integer(-1), .float(.infinity), .string("é"), .key("00000000-0000-0000-0000-000000000001"),
                    .vector(Vector3(1, 2, 3)), .rotation(Quaternion(x: 0, y: 0, z: 0, w: 1)), .list([.integer(1), .string("a"), .float(-0.5)]),
                ]),
            ],
            chat: [ChatHeard(channel: -42, type: .regionSay, speaker: agentA, speakerName: "Door", speakerObject: agentB, position: Vector3(1, 1, 1), text: "open")])),
        .scriptFrame(ScriptFrame(region: otherHandle, frame: 0, timeMillis: 0)),
        .scriptResult(ScriptResult(
            region: handle, frame: 12, runMicros: 4000,
            effects: [
                ScriptEffectRecord(key: scriptKey, effect: .say(channel: 0, type: .shout, text: "Hello, Ada")),
                ScriptEffectRecord(key: scriptKey, effect: .ownerSay(text: "owner only")),
                ScriptEffectRecord(key: scriptKey, effect: .listenChannels([-5, 0, 7])),
                ScriptEffectRecord(key: scriptKey, effect: .setPosition(Vector3(1, 2, 3))),
                ScriptEffectRecord(key: scriptKey, effect: .setRotation(Quaternion(yaw: 2))),
                ScriptEffectRecord(key: scriptKey, effect: .setText(text: "12:00", color: Vector3(1, 0, 0), alpha: 0.5)),
                ScriptEffectRecord(key: scriptKey, effect: .setColor(Vector3(0, 1, 0), alpha: 1)),
                ScriptEffectRecord(key: scriptKey, effect: .applyImpulse(Vector3(0, 0, 10))),
                ScriptEffectRecord(key: scriptKey, effect: .setPhysical(true)),
                ScriptEffectRecord(key: scriptKey, effect: .rez(item: "ball", position: Vector3(5, 5, 25), velocity: Vector3(10, 0, 5), rotation: .identity, parameter: 3)),
                ScriptEffectRecord(key: scriptKey, effect: .die),
                ScriptEffectRecord(key: scriptKey, effect: .sensor(name: "", key: nil, kind: DetectedInfo.agent, range: 10, arc: .pi)),
                ScriptEffectRecord(key: scriptKey, effect: .sensor(name: "Ada", key: agentA, kind: 15, range: 96, arc: 0.5)),
            ],
            captures: [ScriptCapture(key: scriptKey, state: [9, 8, 7], frozen: true), ScriptCapture(key: scriptKey, state: [], frozen: false)],
            diagnostics: [ScriptDiagnostic(key: scriptKey, owner: agentB, compile: true, lines: ["greeter:1:5: error: ✦"])],
            stats: ScriptRegionStats(
                scripts: 11_000, running: 1000, eventsQueued: 5, eventsDropped: .max, chatDropped: 3,
                topScripts: [ScriptTime(key: scriptKey, name: "busy", objectName: "Loop", micros: 2500.5)]))),
        .scriptResult(ScriptResult(region: otherHandle, frame: .max)),
    ]

    static let all: [WireMessage] =
        hellos + helloAccepteds + helloRefuseds + agentJoins + agentJoineds + agentLeaves + agentInputs + regionFrames
        + gridRequests + gridReplies + handoffOffers + handoffSignals + ghostFrames + chatRelays + statusMessages + adminMessages + physicsFrames
        + scriptMessages + migrationMessages
}

// MARK: - Helpers shared by the wire tests

extension WireMessage {
    /// The whole frame: length prefix, type byte, body.
    var frameBytes: ByteBuffer {
        var buffer = ByteBuffer()
        encodeFrame(into: &buffer)
        return buffer
    }

    /// The payload only: type byte and body.
    var payloadBytes: [UInt8] {
        Array(frameBytes.readableBytesView.dropFirst(4))
    }
}

/// Frames a payload with a correct length prefix.
func frame(payload: [UInt8]) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeInteger(UInt32(payload.count), endianness: .little)
    buffer.writeBytes(payload)
    return buffer
}

/// Runs bytes through the pure framing step and the decoder: every complete message in them.
func decodeStream(_ bytes: ByteBuffer, maxFrameBytes: Int = WireMessageDecoder.defaultMaxFrameBytes) throws -> [WireMessage] {
    var buffer = bytes
    var messages: [WireMessage] = []
    while var payload = try WireMessageDecoder.nextPayload(from: &buffer, maxFrameBytes: maxFrameBytes) {
        messages.append(try WireMessage.decode(payload: &payload))
    }
    return messages
}

/// Decodes a bare payload (type byte and body).
func decodePayload(_ bytes: [UInt8]) throws -> WireMessage {
    var buffer = ByteBuffer(bytes: bytes)
    return try WireMessage.decode(payload: &buffer)
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
