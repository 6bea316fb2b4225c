import Foundation
import NIOCore
import TesseraGridProtocol
import TesseraHandoff
import TesseraWire
import TesseraWorld

/// What a region's next flush writes: objects built since the last one, stored objects that
/// changed, and stored objects that left the scene.
public struct SceneDelta: Sendable, Hashable {
    public var created: [SceneObjectRecord] = []
    public var changed: [SceneObjectRecord] = []
    public var deleted: [UUID] = []

    public init(created: [SceneObjectRecord] = [], changed: [SceneObjectRecord] = [], deleted: [UUID] = []) {
        self.created = created
        self.changed = changed
        self.deleted = deleted
    }

    public var isEmpty: Bool { created.isEmpty && changed.isEmpty && deleted.isEmpty }

    /// The delta cut into consecutive parts of about `bytes` encoded bytes each (an object larger
    /// than that goes alone); deletions go with the first part. Nothing when the delta is empty.
    public func parts(ofAbout bytes: Int) -> [SceneDelta] {
        guard !isEmpty else { return [] }
        var parts = [SceneDelta(deleted: deleted)]
        var size = deleted.count * 16
        func add(_ record: SceneObjectRecord, created: Bool) {
            var buffer = ByteBuffer()
            record.encode(into: &buffer)
            if size + buffer.readableBytes > bytes, !(parts[parts.count - 1].isEmpty) {
                parts.append(SceneDelta())
                size = 0
            }
            size += buffer.readableBytes
            if created { parts[parts.count - 1].created.append(record) } else { parts[parts.count - 1].changed.append(record) }
        }
        for record in created { add(record, created: true) }
        for record in changed { add(record, created: false) }
        return parts
    }
}

/// A call the region needs the grid services to make; its result comes back as an input.
public enum GridEffect: Sendable, Hashable {
    case rez(agent: LocalID, manager: ManagerID, requestID: UInt32, account: AgentID, item: UUID, position: Vector3)
    /// Takes the object into inventory with its latest look and contents (scripts' states included).
    case take(agent: LocalID, manager: ManagerID, requestID: UInt32, account: AgentID, object: LocalID, objectID: UUID, look: ObjectLook, contents: [ContentItem])
    /// Stores a script's source as an asset (a client added it as text); answered by `scriptReady`.
    case storeScript(agent: LocalID, manager: ManagerID, requestID: UInt32, account: AgentID, object: LocalID, name: String, source: String)
    /// Reads a script item of the account's inventory; answered by `scriptReady`.
    case scriptItem(agent: LocalID, manager: ManagerID, requestID: UInt32, account: AgentID, object: LocalID, name: String, item: UUID)
    /// Move a crossing object's stored row to the destination region, in one transaction.
    case moveObject(handoff: HandoffID, record: SceneObjectRecord, to: GridPosition)
}

extension Region {
    /// Puts stored objects back into the scene when the region starts (before its first frame).
    public mutating func restore(_ records: [SceneObjectRecord]) {
        for record in records where objects.count < settings.maxObjects {
            insertObject(record, stored: true)
        }
        // Scripts learn the region started again once the service has them.
        if !scripts.scripted.isEmpty { scripts.regionStarted = true }
    }

    @discardableResult
    mutating func insertObject(_ record: SceneObjectRecord, stored: Bool, as given: LocalID? = nil, startParameter: Int32? = nil, crossed: Bool = false) -> LocalID {
        let id = given ?? takeID()
        _ = slots.add(id)
        objects[id] = SceneObject(
            localID: id, id: record.id, shape: record.shape, name: record.name, position: record.position,
            rotation: record.rotation.normalized, scale: record.scale, owner: record.owner, creator: record.creator,
            asset: record.asset, masks: record.masks, stored: stored, dirty: !stored)
        objects[id]!.physical = record.physical
        objects[id]!.reportsCollisions = record.reportsCollisions
        objects[id]!.look = record.look.clamped()
        objects[id]!.contents = record.contents
        objectIndex[record.id] = id
        ghostObjectsChanged = true
        physics.membershipDirty = true
        published[id] = objects[id]!.motion
        pending.appeared.append(entityInfo(id)!)
        scriptsArrived(id, startParameter: startParameter, crossed: crossed)
        return id
    }

    /// Takes what changed since the last call; the caller flushes it, and gives it back with
    /// `flushFailed` if the flush does not succeed.
    public mutating func takeSceneDelta() -> SceneDelta {
        var delta = SceneDelta(deleted: deletedStored)
        deletedStored = []
        for (id, object) in objects where object.dirty && !object.beingTaken {
            if object.stored { delta.changed.append(object.record) } else { delta.created.append(object.record) }
            objects[id]!.dirty = false
            objects[id]!.stored = true
        }
        return delta
    }

    /// A flush failed: what it carried is written by the next one.
    public mutating func flushFailed(_ delta: SceneDelta) {
        deletedStored.append(contentsOf: delta.deleted)
        for record in delta.created {
            guard let id = objectIndex[record.id] else {
                // Deleted meanwhile: it was never stored, so there is nothing to delete.
                deletedStored.removeAll { $0 == record.id }
                continue
            }
            objects[id]!.stored = false
            objects[id]!.dirty = true
        }
        for record in delta.changed {
            if let id = objectIndex[record.id] { objects[id]!.dirty = true }
        }
    }

    public var pendingObjectCount: Int { objects.values.filter(\.dirty).count + deletedStored.count }

    mutating func applyRezResult(_ result: Result<SceneObjectRecord, CallStatus>, agent: LocalID, manager: ManagerID, requestID: UInt32) {
        pendingRezzes = max(0, pendingRezzes - 1)
        let outcome: CommandReply.Outcome
        switch result {
        case .success(let record):
            if let existing = objectIndex[record.id] {
                outcome = .rezzed(existing, object: record.id)
            } else {
                outcome = .rezzed(insertObject(record, stored: true, startParameter: 0), object: record.id)
            }
        case .failure(let status):
            outcome = .callFailed(code: status.asFailure.rawCode, message: status.message)
        }
        reply(outcome, to: agent, manager: manager, requestID: requestID)
    }

    mutating func applyTakeResult(_ result: Result<UUID, CallStatus>, object: LocalID, agent: LocalID, manager: ManagerID, requestID: UInt32) {
        let outcome: CommandReply.Outcome
        switch result {
        case .success(let item):
            // The take deleted the stored row; the scene forgets the object without a delete.
            if objects[object] != nil { removeEntity(object, stored: false) }
            outcome = .taken(item: item)
        case .failure(let status) where status.code == .unknownEntity:
            // Storage no longer has it (an earlier attempt that timed out did commit): the
            // scene follows storage.
            if objects[object] != nil { removeEntity(object, stored: false) }
            outcome = .callFailed(code: status.asFailure.rawCode, message: status.message)
        case .failure(let status):
            objects[object]?.beingTaken = false
            scriptsReturned(object)
            outcome = .callFailed(code: status.asFailure.rawCode, message: status.message)
        }
        reply(outcome, to: agent, manager: manager, requestID: requestID)
    }

    mutating func reply(_ outcome: CommandReply.Outcome, to agent: LocalID, manager: ManagerID, requestID: UInt32) {
        guard avatars[agent]?.manager == manager else { return }
        pending.replies.append((manager, CommandReply(agent: agent, requestID: requestID, outcome: outcome)))
    }
}
