import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// What region nodes and client managers ask of the grid services over Tessera wire
/// (docs/wire-protocol.md, "Grid services").
public enum GridCall: Hashable, Sendable {
    /// Checks a name and password; `address` is the client's, for rate limiting.
    case login(name: String, password: String, address: String)
    /// The account of a session token, if the token is valid.
    case resumeSession(token: String)
    /// Revokes a token (logout).
    case endSession(token: String)
    /// A region node takes a grid position for a region. A restart of the same region (same
    /// name and position) takes its row back, keeping its id and stored objects.
    case registerRegion(name: String, gridX: UInt32, gridY: UInt32, address: String, node: String)
    /// Marks a region offline (its objects stay stored).
    case deregisterRegion(UUID)
    /// Keeps the registrations of live regions fresh.
    case heartbeat([UUID])
    /// Where a region is: by name, or the first live region when the name is empty.
    case locateRegion(name: String)
    /// An avatar's inventory call (never `rez` or `take`: those come from the region).
    case inventory(account: UUID, InventoryCall)
    /// The first page of a region's stored objects (ordered by id; about `scenePageBytes` of
    /// them, at least one); `loadScenePage` asks for the next, until a page is empty.
    case loadScene(region: UUID)
    /// The page of a region's stored objects after object `after` (by id).
    case loadScenePage(region: UUID, after: UUID)
    /// A region's slow-cadence flush: objects built since the last one (inserted), stored
    /// objects that changed (updated, never re-inserted), and objects that left the scene.
    case flushScene(region: UUID, created: [SceneObjectRecord], changed: [SceneObjectRecord], deleted: [UUID])
    /// Rezzes an item as scene object `object` of `region` (one transaction). The region
    /// chooses the object's id, so a rez asked again after a timeout answers with the object
    /// of the attempt that committed instead of rezzing twice.
    case rez(account: UUID, item: UUID, region: UUID, object: UUID, position: Vector3)
    /// Takes a scene object back into its owner's inventory (one transaction). The region sends
    /// the object's latest look and contents (scripts with their newest checkpoints), which the
    /// item keeps; nil keeps what the last flush stored.
    case take(account: UUID, object: UUID, look: ObjectLook?, contents: [ContentItem]?)
    /// An operator tool's bots: accounts "<prefix> 1" ... "<prefix> <count>" (created without
    /// a password when missing) and a fresh session token for each.
    case botSessions(prefix: String, count: UInt32)
    /// A crossing object's stored row moves from region `from` to the region at the grid
    /// position (with its new position), in one transaction. Answers `done` also when the row
    /// already belongs to the destination, so asking again after a timeout is safe.
    case moveObject(SceneObjectRecord, from: UUID, gridX: UInt32, gridY: UInt32)
    /// Every online region and where its node listens: region nodes find the nodes they link to.
    case listRegions
    /// Stores LSL source text as a script asset (type 10) made by `account`, for "add a new
    /// script" to an object; answers `asset` with its id, the SHA-256 of the source's UTF-8
    /// (the same source always gives the same id).
    case storeScript(account: UUID, name: String, source: String)
    /// A script item of `account`'s inventory, for "add a script from my inventory": answers
    /// `scriptItem` with its name, asset and source. Refused unless the item is the account's,
    /// a script (asset type 10) and copyable.
    case scriptItem(account: UUID, item: UUID)
    /// A Second Life viewer's login: `md5Hex` is what the viewer sends for the password (its
    /// MD5, 32 hex digits, lowercased when decoded), checked against the account's viewer
    /// verifier; answered like `login` (same limits, gates and session grant).
    case viewerLogin(name: String, md5Hex: String, address: String)

    public enum Code: UInt8, Sendable, CaseIterable {
        case login = 1, resumeSession, endSession, registerRegion, deregisterRegion, heartbeat, locateRegion
        case inventory, loadScene, flushScene, rez, take, botSessions, moveObject, listRegions
        case storeScript, scriptItem, loadScenePage, viewerLogin
    }

    /// About how many bytes of objects a scene page holds (a single larger object goes alone).
    public static let scenePageBytes = 2 << 20

    /// Most bot sessions one call may ask for.
    public static let maxBotSessions: UInt32 = 10_000

    public var code: Code {
        switch self {
        case .login: .login
        case .resumeSession: .resumeSession
        case .endSession: .endSession
        case .registerRegion: .registerRegion
        case .deregisterRegion: .deregisterRegion
        case .heartbeat: .heartbeat
        case .locateRegion: .locateRegion
        case .inventory: .inventory
        case .loadScene: .loadScene
        case .flushScene: .flushScene
        case .rez: .rez
        case .take: .take
        case .botSessions: .botSessions
        case .moveObject: .moveObject
        case .listRegions: .listRegions
        case .storeScript: .storeScript
        case .scriptItem: .scriptItem
        case .loadScenePage: .loadScenePage
        case .viewerLogin: .viewerLogin
        }
    }

    public init(from buffer: inout ByteBuffer) throws {
        switch try buffer.readEnum(Code.self, "grid.call") {
        case .login:
            self = .login(
                name: try buffer.readText("login.name", maxBytes: maxNameBytes),
                password: try buffer.readText("login.password", maxBytes: maxPasswordBytes),
                address: try buffer.readText("login.address", maxBytes: 255))
        case .resumeSession:
            self = .resumeSession(token: try buffer.readText("resumeSession.token", maxBytes: maxTokenBytes))
        case .endSession:
            self = .endSession(token: try buffer.readText("endSession.token", maxBytes: maxTokenBytes))
        case .registerRegion:
            self = .registerRegion(
                name: try buffer.readText("registerRegion.name", maxBytes: maxNameBytes),
                gridX: try buffer.readLE(UInt32.self, "registerRegion.gridX"),
                gridY: try buffer.readLE(UInt32.self, "registerRegion.gridY"),
                address: try buffer.readText("registerRegion.address", maxBytes: 255),
                node: try buffer.readText("registerRegion.node", maxBytes: 255))
        case .deregisterRegion:
            self = .deregisterRegion(try buffer.readUUID("deregisterRegion.region"))
        case .heartbeat:
            let count = try buffer.readCount("heartbeat.regions", minElementBytes: 16)
            self = .heartbeat(try (0..<count).map { _ in try buffer.readUUID("heartbeat.region") })
        case .locateRegion:
            self = .locateRegion(name: try buffer.readText("locateRegion.name", maxBytes: maxNameBytes))
        case .inventory:
            self = .inventory(account: try buffer.readUUID("inventory.account"), try InventoryCall(from: &buffer))
        case .loadScene:
            self = .loadScene(region: try buffer.readUUID("loadScene.region"))
        case .flushScene:
            let region = try buffer.readUUID("flushScene.region")
            let createdCount = try buffer.readCount("flushScene.created", minElementBytes: SceneObjectRecord.minBytes)
            let created = try (0..<createdCount).map { _ in try SceneObjectRecord(from: &buffer) }
            let changedCount = try buffer.readCount("flushScene.changed", minElementBytes: SceneObjectRecord.minBytes)
            let changed = try (0..<changedCount).map { _ in try SceneObjectRecord(from: &buffer) }
            let deletedCount = try buffer.readCount("flushScene.deleted", minElementBytes: 16)
            let deleted = try (0..<deletedCount).map { _ in try buffer.readUUID("flushScene.deleted") }
            self = .flushScene(region: region, created: created, changed: changed, deleted: deleted)
        case .rez:
            self = .rez(
                account: try buffer.readUUID("rez.account"), item: try buffer.readUUID("rez.item"),
                region: try buffer.readUUID("rez.region"), object: try buffer.readUUID("rez.object"),
                position: try buffer.readVector("rez.position"))
        case .take:
            let account = try buffer.readUUID("take.account")
            let object = try buffer.readUUID("take.object")
            let flags = try buffer.readLE(UInt8.self, "take.flags")
            guard flags & ~3 == 0 else { throw CodecError.invalidValue(field: "take.flags", reason: "unknown bits in \(flags)") }
            let look = flags & 1 != 0 ? try ObjectLook(from: &buffer, "take.look") : nil
            let contents = flags & 2 != 0 ? try ContentItem.readList(from: &buffer, "take.contents") : nil
            self = .take(account: account, object: object, look: look, contents: contents)
        case .botSessions:
            let prefix = try buffer.readText("botSessions.prefix", maxBytes: 48)
            let count = try buffer.readLE(UInt32.self, "botSessions.count")
            guard count <= Self.maxBotSessions else {
                throw CodecError.invalidValue(field: "botSessions.count", reason: "\(count) exceeds \(Self.maxBotSessions)")
            }
            self = .botSessions(prefix: prefix, count: count)
        case .moveObject:
            let record = try SceneObjectRecord(from: &buffer)
            self = .moveObject(
                record, from: try buffer.readUUID("moveObject.from"),
                gridX: try buffer.readLE(UInt32.self, "moveObject.gridX"), gridY: try buffer.readLE(UInt32.self, "moveObject.gridY"))
        case .listRegions:
            self = .listRegions
        case .storeScript:
            self = .storeScript(
                account: try buffer.readUUID("storeScript.account"),
                name: try buffer.readText("storeScript.name", maxBytes: maxNameBytes),
                source: try buffer.readLongText("storeScript.source", maxBytes: ContentItem.maxSourceBytes))
        case .scriptItem:
            self = .scriptItem(account: try buffer.readUUID("scriptItem.account"), item: try buffer.readUUID("scriptItem.item"))
        case .loadScenePage:
            self = .loadScenePage(region: try buffer.readUUID("loadScenePage.region"), after: try buffer.readUUID("loadScenePage.after"))
        case .viewerLogin:
            let name = try buffer.readText("viewerLogin.name", maxBytes: maxNameBytes)
            let md5Hex = try buffer.readText("viewerLogin.md5Hex", maxBytes: 32)
            if let problem = Self.md5HexProblem(md5Hex) { throw CodecError.invalidValue(field: "viewerLogin.md5Hex", reason: problem) }
            self = .viewerLogin(name: name, md5Hex: md5Hex.lowercased(), address: try buffer.readText("viewerLogin.address", maxBytes: 255))
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(code.rawValue)
        switch self {
        case .login(let name, let password, let address):
            buffer.writeText(name, maxBytes: maxNameBytes)
            buffer.writeText(password, maxBytes: maxPasswordBytes)
            buffer.writeText(address, maxBytes: 255)
        case .resumeSession(let token), .endSession(let token):
            buffer.writeText(token, maxBytes: maxTokenBytes)
        case .registerRegion(let name, let gridX, let gridY, let address, let node):
            buffer.writeText(name, maxBytes: maxNameBytes)
            buffer.writeLE(gridX)
            buffer.writeLE(gridY)
            buffer.writeText(address, maxBytes: 255)
            buffer.writeText(node, maxBytes: 255)
        case .deregisterRegion(let id), .loadScene(let id):
            buffer.writeUUID(id)
        case .heartbeat(let ids):
            buffer.writeCount(ids.count)
            for id in ids { buffer.writeUUID(id) }
        case .locateRegion(let name):
            buffer.writeText(name, maxBytes: maxNameBytes)
        case .inventory(let account, let call):
            buffer.writeUUID(account)
            call.encode(into: &buffer)
        case .flushScene(let region, let created, let changed, let deleted):
            buffer.writeUUID(region)
            buffer.writeCount(created.count)
            for object in created { object.encode(into: &buffer) }
            buffer.writeCount(changed.count)
            for object in changed { object.encode(into: &buffer) }
            buffer.writeCount(deleted.count)
            for id in deleted { buffer.writeUUID(id) }
        case .rez(let account, let item, let region, let object, let position):
            buffer.writeUUID(account)
            buffer.writeUUID(item)
            buffer.writeUUID(region)
            buffer.writeUUID(object)
            buffer.writeVector(position)
        case .take(let account, let object, let look, let contents):
            buffer.writeUUID(account)
            buffer.writeUUID(object)
            buffer.writeLE(UInt8((look != nil ? 1 : 0) | (contents != nil ? 2 : 0)))
            look?.encode(into: &buffer)
            if let contents { ContentItem.writeList(contents, into: &buffer) }
        case .botSessions(let prefix, let count):
            buffer.writeText(prefix, maxBytes: 48)
            buffer.writeLE(count)
        case .moveObject(let record, let from, let gridX, let gridY):
            record.encode(into: &buffer)
            buffer.writeUUID(from)
            buffer.writeLE(gridX)
            buffer.writeLE(gridY)
        case .listRegions:
            break
        case .storeScript(let account, let name, let source):
            buffer.writeUUID(account)
            buffer.writeText(name, maxBytes: maxNameBytes)
            buffer.writeLongText(source)
        case .scriptItem(let account, let item):
            buffer.writeUUID(account)
            buffer.writeUUID(item)
        case .loadScenePage(let region, let after):
            buffer.writeUUID(region)
            buffer.writeUUID(after)
        case .viewerLogin(let name, let md5Hex, let address):
            buffer.writeText(name, maxBytes: maxNameBytes)
            buffer.writeText(md5Hex, maxBytes: 32)
            buffer.writeText(address, maxBytes: 255)
        }
    }
}

extension GridCall {
    /// Why `text` is not an MD5 hex digest (exactly 32 hex digits, either case), or nil.
    public static func md5HexProblem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 32 else { return "\(bytes.count) bytes where 32 hex digits belong" }
        guard bytes.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }) else {
            return "characters other than the hex digits 0-9 and a-f"
        }
        return nil
    }
}

public let maxPasswordBytes = 256
public let maxTokenBytes = 128

extension GridCall: CustomStringConvertible {
    /// Never prints a password or a token.
    public var description: String {
        switch self {
        case .login(let name, _, let address): "login(\(name) from \(address))"
        case .viewerLogin(let name, _, let address): "viewerLogin(\(name) from \(address))"
        case .resumeSession: "resumeSession"
        case .endSession: "endSession"
        default: "\(code)"
        }
    }
}
