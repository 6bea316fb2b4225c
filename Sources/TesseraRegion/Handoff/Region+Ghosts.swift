import Foundation
import TesseraWire
import TesseraWorld

/// A read-only copy of a neighbour's entity near the shared border, so clients here see it.
struct Ghost {
    let localID: LocalID
    let key: GhostKey
    var info: EntityInfo
    let agentID: AgentID?
    var position: Vector3
}

struct GhostKey: Hashable {
    let source: RegionHandle
    let id: LocalID
}

extension Region {
    /// The margin within which this region's entities are ghosted to a neighbour.
    var ghostMargin: Float { settings.ghostMargin }

    /// Applies a neighbour's ghost frame: its ids and positions become this region's.
    mutating func received(_ frame: GhostFrame) {
        guard known[frame.source] != nil, frame.destination == settings.handle else { return }
        let shift = settings.handle.offset(from: frame.source)
        for entity in frame.appeared {
            let key = GhostKey(source: frame.source, id: entity.info.localID)
            // An avatar that is root here already (it just arrived) is not also its own ghost.
            if let agent = entity.agentID, agentIndex[agent] != nil { continue }
            var info = entity.info
            let position = info.motion.position.position + shift
            info.motion.position = PackedPosition(position)
            if let existing = ghostIndex[key] {
                info.localID = existing
                ghosts[existing]!.info = info
                ghosts[existing]!.position = position
                continue
            }
            let id = takeID()
            info.localID = id
            _ = slots.add(id)
            ghosts[id] = Ghost(localID: id, key: key, info: info, agentID: entity.agentID, position: position)
            ghostIndex[key] = id
            pending.appeared.append(info)
        }
        for moved in frame.moved {
            guard let id = ghostIndex[GhostKey(source: frame.source, id: moved.localID)] else { continue }
            var motion = moved.motion
            let position = motion.position.position + shift
            motion.position = PackedPosition(position)
            ghosts[id]!.info.motion = motion
            ghosts[id]!.position = position
        }
        for removed in frame.removed {
            if let id = ghostIndex[GhostKey(source: frame.source, id: removed)] { removeEntity(id) }
        }
    }

    mutating func dropGhosts(from source: RegionHandle) {
        for (key, id) in ghostIndex where key.source == source { removeEntity(id) }
    }

    /// What each adjacent neighbour must learn of this region's entities near their border.
    mutating func publishGhosts() {
        guard !ghostsSent.isEmpty else { return }
        for (neighbour, sent) in ghostsSent {
            let shift = neighbour.offset(from: settings.handle)
            var frame = GhostFrame(source: settings.handle, destination: neighbour, frame: frame)
            var now: [LocalID: EntityMotion] = [:]
            func consider(_ id: LocalID, _ position: Vector3, _ motion: EntityMotion, agent: AgentID?) {
                guard distanceToSquare(position + shift) <= ghostMargin else { return }
                now[id] = motion
                if let before = sent[id] {
                    if before != motion { frame.moved.append(MovedEntity(localID: id, motion: motion)) }
                } else if let info = entityInfo(id) {
                    frame.appeared.append(GhostEntity(info: info, agentID: agent))
                }
            }
            for avatar in avatars.values {
                consider(avatar.localID, avatar.position, avatar.motion, agent: avatar.agentID)
            }
            if ghostObjectsChanged {
                for object in objects.values where object.travelling == nil {
                    consider(object.localID, object.position, object.motion, agent: nil)
                }
            } else {
                for (id, motion) in sent where objects[id] != nil { now[id] = motion }
            }
            frame.removed = sent.keys.filter { now[$0] == nil }.sorted()
            ghostsSent[neighbour] = now
            if !frame.isEmpty { pending.peer.append((neighbour, .ghostFrame(frame))) }
        }
        ghostObjectsChanged = false
    }

    /// Chat spoken near a border reaches the neighbours within its range.
    mutating func relay(_ type: ChatType, channel: Int32, text: String, speaker: LocalID, name: String, at position: Vector3) {
        for neighbour in known.keys where settings.handle.isAdjacent(to: neighbour) {
            let shift = neighbour.offset(from: settings.handle)
            guard distanceToSquare(position + shift) <= type.range else { continue }
            pending.peer.append((neighbour, .chatRelay(ChatRelay(
                source: settings.handle, destination: neighbour, speaker: speaker, speakerName: name,
                type: type, channel: channel, position: position, text: text))))
        }
    }

    /// Delivers a neighbour's chat to the avatars here within its range.
    mutating func received(_ relay: ChatRelay) {
        guard known[relay.source] != nil, relay.destination == settings.handle, relay.channel == ChatChannel.publicChannel else { return }
        let position = relay.position + settings.handle.offset(from: relay.source)
        let rangeSquared = relay.type.range * relay.type.range
        let recipients = avatars.compactMap { id, avatar in
            avatar.position.distanceSquared(to: position) <= rangeSquared ? id : nil
        }
        guard !recipients.isEmpty else { return }
        let speaker = ghostIndex[GhostKey(source: relay.source, id: relay.speaker)] ?? 0
        pending.chat.append(ChatDelivery(
            speaker: speaker, speakerName: relay.speakerName, type: relay.type, channel: relay.channel,
            position: PackedPosition(position), text: relay.text, recipients: recipients.sorted()))
    }
}

/// How far a point (local metres) is from the region's square, horizontally; 0 inside.
func distanceToSquare(_ point: Vector3) -> Float {
    let dx = max(0, -point.x, point.x - regionSize)
    let dy = max(0, -point.y, point.y - regionSize)
    return (dx * dx + dy * dy).squareRoot()
}
