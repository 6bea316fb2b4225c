import Foundation
import NIOCore
import Logging
import PostgresNIO
import TesseraGridProtocol
import TesseraStorage
import TesseraWire
import TesseraWorld

/// Performs grid calls against the stores. Every outcome is a value: a refusal names what
/// was wrong with an error code; a database failure is `serviceUnavailable` (the transaction
/// rolled back, so nothing changed) and is logged here, never shown to clients in detail.
public struct GridOperations: Sendable {
    public let accounts: AccountStore
    public let sessions: SessionStore
    public let inventory: InventoryStore
    public let assets: AssetStore
    public let regions: RegionRegistry
    public let scenes: SceneStore
    /// Whether non-admins may log in now.
    public let logins: LoginGate
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, hasher: PasswordHasher = .standard, sessionLifetimeSeconds: Int = 86400) {
        accounts = AccountStore(client: client, logger: logger, hasher: hasher)
        var sessions = SessionStore(client: client, logger: logger)
        sessions.lifetimeSeconds = sessionLifetimeSeconds
        self.sessions = sessions
        inventory = InventoryStore(client: client, logger: logger)
        assets = AssetStore(client: client, logger: logger)
        regions = RegionRegistry(client: client, logger: logger)
        scenes = SceneStore(client: client, logger: logger)
        logins = LoginGate(client: client, logger: logger)
        self.logger = logger
    }

    /// A password or viewer login: the account's check (limits, failure counting), the admin
    /// login gate, the account's inventory, and a new session.
    private func logIn(name: String, secret: LoginSecret, address: String) async throws -> SessionGrant {
        let account = try await accounts.authenticate(name: name, secret: secret, address: address)
        try await admitLogin(account.id)
        try await inventory.createInventory(for: account.id)
        return try await grant(account)
    }

    /// Refuses a login of a non-admin while an admin has logins closed.
    private func admitLogin(_ account: UUID) async throws {
        let gate = try await logins.state()
        guard !gate.enabled, !(try await accounts.isAdmin(id: account)) else { return }
        throw CallStatus(.notAllowed, gate.message)
    }

    /// Which calls each kind of peer may make.
    /// Objects read for one scene page before it is cut to `GridCall.scenePageBytes`.
    static let scenePageObjects = 256

    /// The leading objects of `records` that fit a page (at least one).
    static func page(_ records: [SceneObjectRecord]) -> [SceneObjectRecord] {
        var bytes = 0
        var kept: [SceneObjectRecord] = []
        for record in records {
            var buffer = ByteBuffer()
            record.encode(into: &buffer)
            bytes += buffer.readableBytes
            if !kept.isEmpty, bytes > GridCall.scenePageBytes { break }
            kept.append(record)
        }
        return kept
    }

    static func allows(_ role: WireRole, _ call: GridCall) -> Bool {
        switch call.code {
        case .login, .viewerLogin, .resumeSession, .endSession, .inventory: role == .clientManager
        case .registerRegion, .deregisterRegion, .heartbeat, .loadScene, .loadScenePage, .flushScene, .rez, .take, .moveObject: role == .region
        case .storeScript, .scriptItem: role == .region
        case .locateRegion, .listRegions: true
        case .botSessions: role == .tool
        }
    }

    public func perform(_ call: GridCall, for role: WireRole) async -> Result<GridAnswer, CallStatus> {
        guard Self.allows(role, call) else {
            return .failure(CallStatus(.notAllowed, "a \(role) may not call \(call.code)"))
        }
        do {
            return .success(try await answer(call))
        } catch let status as CallStatus {
            return .failure(status)
        } catch {
            if let status = Self.status(for: error) { return .failure(status) }
            logger.error("grid call failed in the database", metadata: ["call": "\(call)", "error": "\(String(reflecting: error))"])
            return .failure(CallStatus(.serviceUnavailable, "the grid's database failed; nothing was changed"))
        }
    }

    private func answer(_ call: GridCall) async throws -> GridAnswer {
        switch call {
        case .login(let name, let password, let address):
            return .session(try await logIn(name: name, secret: .password(password), address: address))
        case .viewerLogin(let name, let md5Hex, let address):
            if let problem = GridCall.md5HexProblem(md5Hex) {
                throw CallStatus(.invalidValue, "the viewer password is not an MD5 hex digest: \(problem)")
            }
            return .session(try await logIn(name: name, secret: .viewerMD5(md5Hex.lowercased()), address: address))
        case .resumeSession(let token):
            let id = try await sessions.validate(token)
            guard let account = try await accounts.account(id: id) else { throw CallStatus(.invalidSession, "the session's account is gone") }
            try await admitLogin(account.id)
            return .session(SessionGrant(account: account.id, name: account.name, token: token, expiresMillis: 0))
        case .endSession(let token):
            try await sessions.revoke(token)
            return .done
        case .registerRegion(let name, let gridX, let gridY, let address, let node):
            guard GridPosition(x: gridX, y: gridY) != nil, let x = Int32(exactly: gridX), let y = Int32(exactly: gridY) else {
                throw CallStatus(.invalidValue, "grid position (\(gridX), \(gridY)) is beyond the grid's largest coordinate \(GridPosition.maxCoordinate)")
            }
            return .region(try await regions.register(name: name, gridX: x, gridY: y, address: address, node: node))
        case .deregisterRegion(let id):
            try await regions.deregister(id: id)
            return .done
        case .heartbeat(let ids):
            try await regions.heartbeat(ids)
            return .done
        case .locateRegion(let name):
            let found = try await regions.locate(name: name)
            return .location(RegionLocation(
                id: found.id, name: found.name, gridX: UInt32(clamping: found.gridX), gridY: UInt32(clamping: found.gridY), address: found.address))
        case .inventory(let account, let call):
            return .inventory(try await inventoryAnswer(call, account: account))
        case .loadScene(let region):
            return .scene(Self.page(try await scenes.load(region: region, after: nil, limit: Self.scenePageObjects).map { record(of: $0) }))
        case .loadScenePage(let region, let after):
            return .scene(Self.page(try await scenes.load(region: region, after: after, limit: Self.scenePageObjects).map { record(of: $0) }))
        case .flushScene(let region, let created, let changed, let deleted):
            try await scenes.flush(
                region: region, created: created.map(PersistedObject.init), changed: changed.map(PersistedObject.init), deleted: deleted)
            return .done
        case .rez(let account, let item, let region, let objectID, let position):
            // Asked again after a timeout: the first attempt committed, answer with its object.
            if let earlier = try await scenes.object(id: objectID) {
                guard earlier.ownerID == account else { throw CallStatus(.notAllowed, "object \(objectID) exists and belongs to someone else") }
                return .sceneObject(record(of: earlier))
            }
            let id = try await inventory.rez(
                item: item, owner: account, region: region, position: SIMD3(position.x, position.y, position.z), object: objectID)
            guard let object = try await scenes.object(id: id) else { throw CallStatus(.serviceUnavailable, "the rezzed object vanished") }
            return .sceneObject(record(of: object))
        case .take(let account, let object, let look, let contents):
            return .item(try await inventory.take(
                object: object, by: account, look: look.map(PersistedLook.init), contents: contents?.map(PersistedContent.init)))
        case .storeScript(let account, let name, let source):
            return .asset(try await storeScript(account: account, name: name, source: source))
        case .scriptItem(let account, let item):
            return .scriptItem(try await scriptItem(account: account, item: item))
        case .listRegions:
            return .locations(try await regions.online().map {
                RegionLocation(id: $0.id, name: $0.name, gridX: UInt32(clamping: $0.gridX), gridY: UInt32(clamping: $0.gridY), address: $0.address)
            })
        case .moveObject(let record, let from, let gridX, let gridY):
            guard GridPosition(x: gridX, y: gridY) != nil else { throw CallStatus(.invalidValue, "grid position (\(gridX), \(gridY)) is out of range") }
            let object = PersistedObject(record)
            if let problem = object.storageProblem { throw CallStatus(.invalidValue, "object \(record.id) cannot be stored: \(problem)") }
            switch try await scenes.move(object, from: from, toGridX: Int32(gridX), gridY: Int32(gridY)) {
            case .moved: return .done
            case .noSuchRegion: throw CallStatus(.regionUnavailable, "no region is registered at grid position (\(gridX), \(gridY))")
            case .heldElsewhere: throw CallStatus(.notAllowed, "object \(record.id) belongs to another region")
            }
        case .botSessions(let prefix, let count):
            var grants: [SessionGrant] = []
            for index in 0..<Int(count) {
                let account = try await accounts.ensureServiceAccount(name: "\(prefix) \(index + 1)")
                try await inventory.createInventory(for: account.id)
                grants.append(try await grant(account))
            }
            return .sessions(grants)
        }
    }

    /// LSL source as a script asset (type 10); its id is the SHA-256 of the UTF-8, as every
    /// asset's, so storing the same source again answers the same id.
    private func storeScript(account: UUID, name: String, source: String) async throws -> AssetID {
        guard source.utf8.count <= ContentItem.maxSourceBytes else {
            throw CallStatus(.invalidValue, "a script's source has at most \(ContentItem.maxSourceBytes) bytes; this one has \(source.utf8.count)")
        }
        guard !StorableText.containsNUL(source) else { throw CallStatus(.invalidValue, "a script's source cannot contain U+0000") }
        guard try await accounts.account(id: account) != nil else { throw CallStatus(.unknownAvatar, "no account \(account)") }
        let stored = try await assets.store(data: Data(source.utf8), type: AssetStore.scriptType, name: name, creator: account)
        guard let id = AssetID(stored) else { throw CallStatus(.serviceUnavailable, "the asset store returned a malformed id") }
        return id
    }

    /// A script item of the account's inventory with its source: the account's own item, a
    /// script (asset type 10), copyable (adding it to an object copies it), with a source of
    /// UTF-8 text within `ContentItem.maxSourceBytes`.
    private func scriptItem(account: UUID, item id: UUID) async throws -> ScriptItem {
        guard let item = try await inventory.item(id: id) else { throw CallStatus(.unknownItem, "no item \(id)") }
        guard item.ownerID == account else { throw CallStatus(.notAllowed, "item \(id) is not in your inventory") }
        guard item.assetType == AssetStore.scriptType else {
            throw CallStatus(.notAllowed, "item \(item.name.debugDescription) is not a script (asset type \(item.assetType), scripts are \(AssetStore.scriptType))")
        }
        guard item.masks.owner.contains(.copy) else {
            throw CallStatus(.notAllowed, "script \(item.name.debugDescription) is not copyable, so it cannot be added to an object")
        }
        guard let asset = AssetID(item.assetID), let stored = try await assets.fetch(id: item.assetID) else {
            throw CallStatus(.unknownAsset, "the asset of script \(item.name.debugDescription) is missing")
        }
        guard stored.data.count <= ContentItem.maxSourceBytes else {
            throw CallStatus(.invalidValue, "script \(item.name.debugDescription) has \(stored.data.count) bytes of source, at most \(ContentItem.maxSourceBytes) allowed")
        }
        guard let source = String(data: stored.data, encoding: .utf8), !StorableText.containsNUL(source) else {
            throw CallStatus(.invalidValue, "script \(item.name.debugDescription) is not UTF-8 text without U+0000")
        }
        return ScriptItem(name: item.name, asset: asset, source: source)
    }

    private func grant(_ account: Account) async throws -> SessionGrant {
        let token = try await sessions.issue(for: account.id)
        let expires = Date().addingTimeInterval(TimeInterval(sessions.lifetimeSeconds))
        return SessionGrant(account: account.id, name: account.name, token: token, expiresMillis: UInt64(expires.timeIntervalSince1970 * 1000))
    }

    private func inventoryAnswer(_ call: InventoryCall, account: UUID) async throws -> InventoryAnswer {
        switch call {
        case .listFolder(let folder, let start):
            let page = try await inventory.contents(owner: account, folder: folder, start: Int(start), limit: FolderPage.maxEntries)
            return .page(FolderPage(
                folder: page.folder, total: UInt32(page.total), start: start,
                folders: page.folders.map { FolderEntry(id: $0.id, parent: $0.parentID, kind: UInt8($0.kind.rawValue), name: $0.name) },
                items: page.items.map(\.entry)))
        case .createFolder(let parent, let name):
            return .id(try await inventory.createFolder(owner: account, parent: parent, name: name))
        case .renameFolder(let folder, let name):
            try await inventory.renameFolder(owner: account, folder: folder, name: name)
        case .moveFolder(let folder, let target):
            try await inventory.moveFolder(owner: account, folder: folder, to: target)
        case .deleteFolder(let folder):
            try await inventory.deleteToTrash(owner: account, folder: folder)
        case .createItem(let folder, let asset, let name, let nextOwner):
            guard let stored = try await assets.slice(id: asset.bytes, offset: 0, length: 0) else {
                throw CallStatus(.unknownAsset, "no asset \(asset)")
            }
            let next = Permissions(rawValue: Int32(bitPattern: nextOwner)).intersection(.all)
            let masks = PermissionMasks(base: .all, owner: .all, nextOwner: next)
            return .id(try await inventory.createItem(
                owner: account, folder: folder, assetID: asset.bytes, type: stored.type, name: name, masks: masks, creator: account))
        case .renameItem(let item, let name):
            try await inventory.renameItem(owner: account, item: item, name: name)
        case .moveItem(let item, let folder):
            try await inventory.moveItem(owner: account, item: item, to: folder)
        case .deleteItem(let item):
            try await inventory.deleteToTrash(owner: account, item: item)
        case .purgeTrash:
            return .count(UInt32(clamping: try await inventory.purgeTrash(owner: account)))
        case .give(let item, let recipientName):
            guard let recipient = try await accounts.account(named: recipientName) else {
                throw CallStatus(.unknownAvatar, "no avatar is named \(recipientName)")
            }
            try await inventory.createInventory(for: recipient.id)
            return .id(try await inventory.give(item: item, from: account, to: recipient.id))
        case .storeAsset(let type, let name, let data):
            guard let id = AssetID(try await assets.store(data: data, type: type, name: name, creator: account)) else {
                throw CallStatus(.serviceUnavailable, "the asset store returned a malformed id")
            }
            return .asset(id)
        case .fetchAsset(let asset, let offset, let length):
            let length = min(Int(length), AssetChunk.maxBytes)
            guard let slice = try await assets.slice(id: asset.bytes, offset: Int(offset), length: length) else {
                throw CallStatus(.unknownAsset, "no asset \(asset)")
            }
            guard Int(offset) <= slice.size else {
                throw CallStatus(.invalidValue, "offset \(offset) is past the asset's \(slice.size) bytes")
            }
            return .assetChunk(AssetChunk(
                asset: asset, type: slice.type, name: slice.name, creator: slice.creator,
                createdMillis: UInt64(max(0, slice.created.timeIntervalSince1970 * 1000)), totalSize: UInt32(slice.size),
                offset: offset, data: slice.data))
        case .rez, .take:
            throw CallStatus(.notAllowed, "rez and take are sent to the avatar's region, which asks the grid")
        }
        return .done
    }
}
