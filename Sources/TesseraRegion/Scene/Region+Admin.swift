import Foundation
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

/// What the admin console asks of a region (docs/console.md): its avatars, kicks, alerts,
/// teleports and the evacuation before a restart. Everything runs on the region's loop like
/// any input; what the clients must learn goes out with the next frame.
extension Region {
    /// The root avatars (those not travelling in a hand-off).
    public func agentEntries(managerName: (ManagerID) -> String? = { _ in nil }) -> [AgentEntry] {
        avatars.values.filter { $0.handoff == nil }.map { avatar in
            AgentEntry(
                agentID: avatar.agentID, name: avatar.name, region: settings.handle, regionName: settings.name,
                position: avatar.position, sinceMillis: avatar.arrivedMillis,
                clientManager: managerNames[avatar.manager] ?? managerName(avatar.manager) ?? "")
        }.sorted { $0.name < $1.name }
    }

    /// Removes the agent's avatar and tells its client manager to close the client with the
    /// admin's message. False when the agent is not root here.
    public mutating func kick(_ agent: AgentID, message: String) -> Bool {
        guard let id = agentIndex[agent], let avatar = avatars[id], avatar.handoff == nil else { return false }
        removeEntity(id)
        pending.direct.append((avatar.manager, .agentLeave(AgentLeave(
            region: settings.handle, agentID: agent, reason: .kicked, message: message.isEmpty ? "removed by an administrator" : message))))
        return true
    }

    /// Sends the alert to the addressed root avatars of this region; answers how many.
    public mutating func alert(_ audience: AdminRequest.Audience, message: String) -> Int {
        let targets: [Avatar]
        let scope: AgentNotice.Scope
        switch audience {
        case .everyone:
            (targets, scope) = (Array(avatars.values), .grid)
        case .region(let handle):
            guard handle == settings.handle else { return 0 }
            (targets, scope) = (Array(avatars.values), .region)
        case .agent(let agent):
            guard let id = agentIndex[agent], let avatar = avatars[id] else { return 0 }
            (targets, scope) = ([avatar], .personal)
        }
        let byManager = Dictionary(grouping: targets, by: \.manager)
        for (manager, avatars) in byManager {
            pending.direct.append((manager, .agentNotice(AgentNotice(
                region: settings.handle, scope: scope, agents: avatars.map(\.agentID), text: message))))
        }
        return targets.count
    }

    /// A teleport the admin asked for: the same path as the client's `Teleport` (request id 0,
    /// so the client learns it from `RegionChanged`). Nil when the agent is not root here;
    /// otherwise nil or the reason it cannot start.
    public mutating func adminTeleport(
        _ agent: AgentID, region name: String, gridPosition: GridPosition, position: Vector3?, now: FrameInstant
    ) -> AdminReply.Outcome {
        guard let id = agentIndex[agent], let avatar = avatars[id], avatar.handoff == nil else { return .notHere }
        let target: RegionHandle? =
            if name.isEmpty { gridPosition.handle } else if name.lowercased() == settings.name.lowercased() { settings.handle } else {
                known.first { $0.value.lowercased() == name.lowercased() }?.key
            }
        guard let target, target == settings.handle || known[target] != nil else {
            return .failed(
                code: ErrorCode.regionUnavailable.rawValue,
                message: name.isEmpty ? "no region at grid position \(gridPosition) is reachable from \(settings.name)" : "no region named \(name) is reachable from \(settings.name)")
        }
        if let position, !(position.isFinite && position.isInsideRegionSquare && position.z >= 0 && position.z < PackedPosition.maxAltitude) {
            return .failed(code: ErrorCode.invalidValue.rawValue, message: "position \(position.plainText) is outside the region")
        }
        teleport(id, manager: avatar.manager, requestID: 0, region: known[target] ?? settings.name, gridPosition: gridPosition, position: position, now: now)
        return .done(affected: 1, detail: target == settings.handle ? "moved within \(settings.name)" : "teleporting to \(known[target] ?? "?")")
    }

    /// The first step of a restart: every root avatar is told, then sent to an adjacent
    /// region (west, east, south, north, then the diagonals, the first that is reachable) or,
    /// with no neighbour, logged out with the message. Answers (moved, logged out).
    public mutating func evacuate(message: String, now: FrameInstant) -> (moved: Int, loggedOut: Int) {
        let text = message.isEmpty ? "\(settings.name) is restarting" : message
        _ = alert(.region(settings.handle), message: text)
        let (handle, known) = (settings.handle, known)
        let neighbour = Self.evacuationOrder.lazy.compactMap { handle.neighbour(dx: $0.0, dy: $0.1) }.first { known[$0] != nil }
        var moved = 0, loggedOut = 0
        for (id, avatar) in avatars where avatar.handoff == nil {
            if let neighbour, let name = known[neighbour] {
                teleport(id, manager: avatar.manager, requestID: 0, region: name, gridPosition: neighbour.gridPosition, position: nil, now: now)
                moved += 1
            } else {
                logOut(id, message: text)
                loggedOut += 1
            }
        }
        return (moved, loggedOut)
    }

    /// Logs out whoever is still here (a hand-off that failed during the evacuation).
    public mutating func logOutRemaining(message: String) -> Int {
        let remaining = avatars.filter { $0.value.handoff == nil }.map(\.key)
        for id in remaining { logOut(id, message: message.isEmpty ? "\(settings.name) is restarting" : message) }
        return remaining.count
    }

    /// The second step: the objects leave the scene without touching storage, ready for the
    /// stored scene to be restored.
    public mutating func clearScene() {
        for id in Array(objects.keys) { removeEntity(id, stored: false) }
        deletedStored.removeAll()
        _ = takeSceneDelta()
    }

    private mutating func logOut(_ id: LocalID, message: String) {
        guard let avatar = avatars[id] else { return }
        removeEntity(id)
        pending.direct.append((avatar.manager, .agentLeave(AgentLeave(
            region: settings.handle, agentID: avatar.agentID, reason: .restarting, message: message))))
    }

    static let evacuationOrder: [(Int, Int)] = [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, -1), (-1, 1), (1, 1)]
}

extension Region {
    /// The scene's objects as records (a restart without grid services puts them back).
    public func objectRecords() -> [SceneObjectRecord] {
        objects.values.map(\.record)
    }
}
