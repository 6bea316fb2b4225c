import Foundation
import TesseraGridProtocol
import TesseraHandoff
import TesseraWire
import TesseraWorld

/// A live region migration's two ends in the scene (docs/migration.md): the source takes the
/// frozen region's whole state, the target builds the same region from it, with the same
/// local IDs, so every client's view stays valid across the move.
extension Region {
    /// Why the region cannot freeze for a migration now, or nil: it waits until no hand-off,
    /// rez or take is under way (their answers would reach a region that no longer runs here).
    public var migrationBlocker: String? {
        if handoffsInProgress > 0 || outgoing.values.contains(where: { !$0.machine.isFinished }) { return "hand-offs are in progress" }
        if pendingRezzes > 0 { return "a rez is on its way" }
        if objects.values.contains(where: { $0.beingTaken || $0.travelling != nil }) { return "a take or an object crossing is on its way" }
        if !scripts.freezing.isEmpty { return "scripts are being captured" }
        return nil
    }

    /// The frozen region's state: the snapshot (avatars, ghosts, counters) and its objects.
    public func migrationState(regionID: UUID) -> (RegionSnapshot, [MigratingObject]) {
        let avatars = avatars.values.sorted { $0.localID < $1.localID }.map { avatar in
            MigratingAvatar(
                localID: avatar.localID,
                state: TravellingAvatar(
                    agentID: avatar.agentID, name: avatar.name, manager: managerNames[avatar.manager] ?? "",
                    position: avatar.position, velocity: avatar.velocity, rotation: avatar.rotation, intent: avatar.intent,
                    appliedSequence: avatar.lastSequence),
                visible: avatar.visible.slots.map { slots.ids[$0] }.sorted(), arrivedMillis: avatar.arrivedMillis)
        }
        let objects = objects.values.sorted { $0.localID < $1.localID }.map { object in
            MigratingObject(localID: object.localID, object: TravellingObject(record: object.record, stored: object.stored, velocity: object.velocity))
        }
        let snapshot = RegionSnapshot(
            name: settings.name, regionID: regionID, frame: frame, nextLocalID: nextLocalID, objectCount: UInt32(objects.count),
            avatars: avatars, ghosts: ghosts.keys.sorted())
        return (snapshot, objects)
    }

    /// Script items in the region's objects.
    public var scriptItemCount: Int {
        objects.values.reduce(0) { $0 + $1.contents.count { $0.kind == .script } }
    }

    /// The region a migration brings: the same avatars and objects under the same local IDs,
    /// its frame count going on from the source's. `managers` are this node's connected client
    /// managers by name; each avatar's must be among them. The first frame sends every manager
    /// the whole scene, removes the source's ghosts (this node's neighbours ghost afresh), and
    /// tells each avatar that saw one that it left its view.
    public init(migrating snapshot: RegionSnapshot, objects: [MigratingObject], settings: RegionSettings, managers: [ManagerID: String]) throws {
        self.init(settings: settings)
        guard snapshot.objectCount == objects.count else {
            throw MigrationRefusal(.invalidState, "the snapshot names \(snapshot.objectCount) objects, \(objects.count) arrived")
        }
        guard objects.count <= settings.maxObjects, snapshot.avatars.count <= settings.maxAvatars else {
            throw MigrationRefusal(.invalidState, "the region's \(snapshot.avatars.count) avatars and \(objects.count) objects exceed its limits")
        }
        let ids = snapshot.avatars.map(\.localID) + objects.map(\.localID) + snapshot.ghosts
        guard Set(ids).count == ids.count, !ids.contains(0) else {
            throw MigrationRefusal(.invalidState, "a local ID is 0 or used twice")
        }
        guard Set(snapshot.avatars.map(\.state.agentID)).count == snapshot.avatars.count,
            Set(objects.map(\.object.record.id)).count == objects.count
        else { throw MigrationRefusal(.invalidState, "an agent or object is in the snapshot twice") }
        var byName: [String: ManagerID] = [:]
        for (id, name) in managers.sorted(by: { $0.key < $1.key }) where byName[name] == nil { byName[name] = id }
        for (id, name) in managers {
            self.managers[id] = true
            managerNames[id] = name
        }
        frame = snapshot.frame
        nextLocalID = snapshot.nextLocalID == 0 ? 1 : snapshot.nextLocalID
        for migrating in objects {
            let record = migrating.object.record
            guard record.position.isFinite, record.position.isInsideRegionSquare else {
                throw MigrationRefusal(.invalidState, "object \(record.id) is outside the region")
            }
            insertObject(record, stored: migrating.object.stored, as: migrating.localID)
            self.objects[migrating.localID]!.velocity = migrating.object.velocity
            published[migrating.localID] = self.objects[migrating.localID]!.motion
        }
        for migrating in snapshot.avatars {
            let state = migrating.state
            guard let manager = byName[state.manager] else {
                throw MigrationRefusal(.managerUnknown, "client manager \(state.manager) of \(state.name) is not connected to this node")
            }
            _ = slots.add(migrating.localID)
            var avatar = Avatar(
                localID: migrating.localID, agentID: state.agentID, name: state.name, manager: manager,
                position: state.position.clampedInside(margin: 0.05), velocity: state.velocity, rotation: state.rotation)
            avatar.intent = state.intent
            avatar.lastSequence = state.appliedSequence
            avatar.arrivedMillis = migrating.arrivedMillis
            avatar.needsInitialView = false
            avatars[migrating.localID] = avatar
            agentIndex[state.agentID] = migrating.localID
            published[migrating.localID] = avatar.motion
        }
        physics.membershipDirty = true
        // The clients already know this scene: nothing "appears"; the managers get it whole.
        pending = FrameAccumulator()
        let ghostIDs = Set(snapshot.ghosts)
        for migrating in snapshot.avatars {
            var visible = SlotSet()
            var left: [LocalID] = []
            for id in migrating.visible {
                if let slot = slots.slot(of: id) {
                    visible.insert(slot)
                } else if ghostIDs.contains(id) {
                    left.append(id)
                }
            }
            avatars[migrating.localID]!.visible = visible
            if !left.isEmpty { pending.interest[migrating.localID] = ([], left) }
        }
        pending.removed = snapshot.ghosts
    }
}

/// Why a target node cannot take a migrating region.
public struct MigrationRefusal: Error, CustomStringConvertible {
    public var reason: RegionMigrate.Refusal
    public var message: String

    public init(_ reason: RegionMigrate.Refusal, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}

extension Region {
    /// Each object's owner, by local ID (tests and the admin surface).
    public func objectOwners() -> [LocalID: AgentID] {
        objects.mapValues(\.owner)
    }
}
