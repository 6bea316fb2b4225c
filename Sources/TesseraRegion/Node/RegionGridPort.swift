import Foundation
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

/// What a region runner asks of the grid services: the rez and take transactions and the
/// scene flush. A protocol so frame-loop tests can answer without a grid.
public protocol RegionGridPort: Sendable {
    func rez(account: UUID, item: UUID, region: UUID, object: UUID, position: Vector3) async -> Result<SceneObjectRecord, CallStatus>
    /// Takes the object into its owner's inventory with its latest look and contents (scripts
    /// with their newest checkpoints); nil keeps what the last flush stored. Answers the item.
    func take(account: UUID, object: UUID, look: ObjectLook?, contents: [ContentItem]?) async -> Result<UUID, CallStatus>
    func flush(region: UUID, _ delta: SceneDelta) async -> Result<Void, CallStatus>
    /// Moves a crossing object's row to the region at `to`, in one transaction; answers
    /// success too when the row is the destination's already (asking again is safe).
    func moveObject(_ record: SceneObjectRecord, from region: UUID, to: GridPosition) async -> Result<Void, CallStatus>
    /// The region's stored objects (a restart reloads them).
    func loadScene(region: UUID) async -> Result<[SceneObjectRecord], CallStatus>
    /// Stores LSL source as a script asset made by `account` ("add a new script"); the id is
    /// the SHA-256 of the source, so the same source gives the same asset.
    func storeScript(account: UUID, name: String, source: String) async -> Result<AssetID, CallStatus>
    /// A script of `account`'s inventory ("add a script from my inventory"): refused unless
    /// the item is the account's, a script and copyable.
    func scriptItem(account: UUID, item: UUID) async -> Result<ScriptItem, CallStatus>
}

extension RegionGridPort {
    /// A take that keeps the look and contents the last flush stored.
    public func take(account: UUID, object: UUID) async -> Result<UUID, CallStatus> {
        await take(account: account, object: object, look: nil, contents: nil)
    }
}

/// The port over a `GridClient`.
public struct GridClientPort: RegionGridPort {
    public let client: GridClient

    public init(client: GridClient) {
        self.client = client
    }

    public func rez(account: UUID, item: UUID, region: UUID, object: UUID, position: Vector3) async -> Result<SceneObjectRecord, CallStatus> {
        await outcome(.rez(account: account, item: item, region: region, object: object, position: position)) { answer in
            if case .sceneObject(let record) = answer { return record }
            return nil
        }
    }

    public func take(account: UUID, object: UUID, look: ObjectLook?, contents: [ContentItem]?) async -> Result<UUID, CallStatus> {
        await outcome(.take(account: account, object: object, look: look, contents: contents)) { answer in
            if case .item(let item) = answer { return item }
            return nil
        }
    }

    public func flush(region: UUID, _ delta: SceneDelta) async -> Result<Void, CallStatus> {
        await outcome(.flushScene(region: region, created: delta.created, changed: delta.changed, deleted: delta.deleted)) { _ in () }
    }

    public func moveObject(_ record: SceneObjectRecord, from region: UUID, to: GridPosition) async -> Result<Void, CallStatus> {
        await outcome(.moveObject(record, from: region, gridX: to.x, gridY: to.y)) { _ in () }
    }

    public func loadScene(region: UUID) async -> Result<[SceneObjectRecord], CallStatus> {
        await outcome(.loadScene(region: region)) { answer in
            if case .scene(let objects) = answer { return objects }
            return nil
        }
    }

    public func storeScript(account: UUID, name: String, source: String) async -> Result<AssetID, CallStatus> {
        await outcome(.storeScript(account: account, name: name, source: source)) { answer in
            if case .asset(let asset) = answer { return asset }
            return nil
        }
    }

    public func scriptItem(account: UUID, item: UUID) async -> Result<ScriptItem, CallStatus> {
        await outcome(.scriptItem(account: account, item: item)) { answer in
            if case .scriptItem(let script) = answer { return script }
            return nil
        }
    }

    private func outcome<T>(_ call: GridCall, _ extract: (GridAnswer) -> T?) async -> Result<T, CallStatus> {
        do {
            let answer = try await client.call(call)
            guard let value = extract(answer) else {
                return .failure(CallStatus(.serviceUnavailable, "the grid answered \(call.code) with \(answer.code)"))
            }
            return .success(value)
        } catch let status as CallStatus {
            return .failure(status)
        } catch {
            return .failure(CallStatus(.serviceUnavailable, "\(error)"))
        }
    }
}
