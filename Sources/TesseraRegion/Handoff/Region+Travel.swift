import Foundation
import TesseraWire
import TesseraWorld

/// Teleports and object moves: the commands that start a hand-off on request.
extension Region {
    mutating func teleport(_ id: LocalID, manager: ManagerID, requestID: UInt32, region name: String, gridPosition: GridPosition, position: Vector3?, now: FrameInstant) {
        func fail(_ code: ErrorCode, _ message: String) {
            pending.replies.append((manager, CommandReply(agent: id, requestID: requestID, outcome: .failed(code: code.rawValue, message: message))))
        }
        let target: RegionHandle? =
            if name.isEmpty { gridPosition.handle } else if name == settings.name { settings.handle } else {
                known.first { $0.value == name }?.key
            }
        guard let target, target == settings.handle || known[target] != nil else {
            return fail(.regionUnavailable, name.isEmpty ? "no region at grid position \(gridPosition) is reachable" : "no region named \(name) is reachable")
        }
        let landing: Vector3
        if let position {
            guard position.isFinite, position.isInsideRegionSquare, position.z >= 0, position.z < PackedPosition.maxAltitude else {
                return fail(.invalidValue, "position \(position.plainText) is outside the region")
            }
            landing = Vector3(position.x, position.y, max(position.z, settings.terrain.height(at: position)))
        } else {
            landing = Vector3(regionSize / 2, regionSize / 2, settings.terrain.height(x: regionSize / 2, y: regionSize / 2))
        }
        if target == settings.handle {
            avatars[id]!.position = landing
            avatars[id]!.velocity = .zero
            physicsPlace(id)
            pending.replies.append((manager, CommandReply(agent: id, requestID: requestID, outcome: .moved(id))))
            return
        }
        startAvatarHandoff(id, to: target, kind: .teleport, position: landing, requestID: requestID, now: now)
    }

    mutating func moveObject(_ target: LocalID, to position: Vector3, by id: LocalID, manager: ManagerID, requestID: UInt32, now: FrameInstant) {
        func fail(_ code: ErrorCode, _ message: String) {
            pending.replies.append((manager, CommandReply(agent: id, requestID: requestID, outcome: .failed(code: code.rawValue, message: message))))
        }
        guard let object = objects[target] else { return fail(.unknownEntity, "no object \(target) in this region") }
        guard object.owner == avatars[id]!.agentID else { return fail(.notAllowed, "object \(target) belongs to someone else") }
        guard !object.beingTaken, object.travelling == nil, scripts.freezing[target] == nil else {
            return fail(.notAllowed, "object \(target) is busy (being taken or crossing)")
        }
        guard position.isFinite, position.z >= 0, position.z < PackedPosition.maxAltitude,
            abs(position.x - regionSize / 2) < regionSize, abs(position.y - regionSize / 2) < regionSize
        else { return fail(.invalidValue, "position \(position.plainText) is not a place next to this region") }
        if position.isInsideRegionSquare {
            objects[target]!.position = position
            objects[target]!.velocity = .zero
            objects[target]!.dirty = true
            physicsPlace(target)
            pending.movedObjects.append(target)
            ghostObjectsChanged = true
            pending.replies.append((manager, CommandReply(agent: id, requestID: requestID, outcome: .moved(target))))
            return
        }
        guard let destination = settings.handle.neighbour(dx: squareStep(position.x), dy: squareStep(position.y)), known[destination] != nil else {
            return fail(.notAllowed, "no region lies beyond that border")
        }
        startObjectHandoff(target, to: destination, position: position + destination.offset(from: settings.handle), by: id, manager: manager, requestID: requestID, now: now)
    }
}
