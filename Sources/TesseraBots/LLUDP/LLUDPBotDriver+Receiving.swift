import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import TesseraLLUDP
import TesseraWorld

/// What a bot does with what it receives: circuit messages, the own avatar and the objects
/// around it, crossings and teleports from the event queue.
extension LLUDPBotDriver {
    // MARK: Messages

    func handle(_ packet: SLPacket, port: Int, bytes: Int) {
        let message: SLDecoded
        do {
            message = try packet.decoded()
        } catch {
            return self.error("undecodable message \(packet.frequency) \(packet.number) from port \(port): \(error)")
        }
        guard let handle = links[port]?.handle else { return }
        switch message {
        case .regionHandshake(let handshake):
            regionHandshake(handshake, port: port)
        case .objectUpdate(let update):
            objectUpdate(update)
        case .improvedTerseObjectUpdate(let update):
            terseUpdate(update, bytes: bytes)
        case .killObject(let kill):
            for block in kill.objectData { objects[handle]?[block.id] = nil }
        case .chatFromSimulator:
            if measuring { box.update { $0.chatHeard += 1 } }
        case .logoutReply:
            if loggingOutSince != nil { done = true } else { error("LogoutReply without a LogoutRequest") }
        case .disableSimulator:
            if port == rootPort {
                error("DisableSimulator from the root region")
            } else {
                links[port]?.eventQueue?.cancel()
                links[port] = nil
                objects[handle] = nil
                ownLocalID[handle] = nil
            }
        case .kickUser(let kick):
            error("kicked: \(SLText.string(kick.userInfo.reason))")
            done = true
        case .alertMessage(let alert):
            error("server alert: \(SLText.string(alert.alertData.message))")
        default:
            break
        }
    }

    /// The region's handshake: the reply, the throttles and the current movement. The first
    /// is the login's end; one after a crossing ends that crossing.
    func regionHandshake(_ handshake: SL.RegionHandshake, port: Int) {
        guard let link = links[port], !link.handshake else { return }
        links[port]?.handshake = true
        send(SL.RegionHandshakeReply(agentData: .init(agentID: grant.agentID, sessionID: grant.sessionID), regionInfo: .init(flags: 0)), reliable: true, to: port)
        var rates: [UInt8] = []
        for rate in Self.throttles { withUnsafeBytes(of: rate.bitPattern.littleEndian) { rates += $0 } }
        send(SL.AgentThrottle(
            agentData: .init(agentID: grant.agentID, sessionID: grant.sessionID, circuitCode: grant.circuitCode),
            throttle: .init(genCounter: 0, throttles: rates)), reliable: true, to: port)
        guard port == rootPort else { return }
        sendAgentUpdate()
        if !welcomed {
            welcomed = true
            // The first action comes after a pause, as a WebSocket bot's.
            nextAction = .now + .milliseconds(Int.random(in: 1500...4000, using: &random))
            box.update { $0.welcomed = true }
            bot.counters.connected.add(1, ordering: .relaxed)
        } else if let started = crossingStarted, crossedRegionSeen {
            crossingStarted = nil
            crossedRegionSeen = false
            let micros = UInt64(max(0, (ContinuousClock.now - started).seconds * 1_000_000))
            if measuring {
                box.update { report in
                    report.crossings += 1
                    _ = report.crossingMicros.record(micros)
                }
            }
        }
    }

    func objectUpdate(_ update: SL.ObjectUpdate) {
        let handle = update.regionData.regionHandle
        for block in update.objectData {
            let data = block.objectData
            guard data.count == 76 || data.count == 60 else {
                error("ObjectUpdate of \(block.id) with \(data.count) bytes of motion (76 or 60 expected)")
                continue
            }
            let offset = data.count == 76 ? 16 : 0
            let position = Self.vector(data, at: offset)
            let velocity = Self.vector(data, at: offset + 12)
            let avatar = block.pCode == 47
            let name = avatar ? Self.name(SLText.string(block.nameValue)) : ""
            objects[handle, default: [:]][block.id] = Seen(fullID: block.fullID, avatar: avatar, name: name, position: position, velocity: velocity)
            if block.fullID == grant.agentID {
                ownLocalID[handle] = block.id
                own(position: position, velocity: velocity, handle: handle)
            }
            if avatar, bot.otherProtocolNames.contains(name) {
                box.update { $0.sawOtherProtocol = true }
            }
        }
        if measuring {
            let count = update.objectData.count
            box.update { $0.entityUpdates += count }
            bot.counters.updates.add(count, ordering: .relaxed)
        }
    }

    func terseUpdate(_ update: SL.ImprovedTerseObjectUpdate, bytes: Int) {
        let handle = update.regionData.regionHandle
        for block in update.objectData {
            guard let motion = Self.terse(block.data) else {
                error("ImprovedTerseObjectUpdate block of \(block.data.count) bytes (44 or 60 expected)")
                continue
            }
            objects[handle]?[motion.localID]?.position = motion.position
            objects[handle]?[motion.localID]?.velocity = motion.velocity
            if ownLocalID[handle] == motion.localID {
                own(position: motion.position, velocity: motion.velocity, handle: handle)
            }
        }
        if measuring {
            let count = update.objectData.count
            box.update { report in
                report.entityUpdates += count
                report.avatarUpdates += count
                report.avatarUpdateBytes += bytes
            }
            bot.counters.updates.add(count, ordering: .relaxed)
        }
    }

    /// The bot's own avatar moved: its position for walking, the start of a crossing, and the
    /// end of a movement change's latency.
    func own(position: Vector3, velocity: Vector3, handle: UInt64) {
        guard let root = links[rootPort], root.handle == handle else { return }
        let origin = SIMD2(Double(handle >> 32), Double(handle & 0xFFFF_FFFF))
        box.update { report in
            report.localPosition = position
            if report.homeOrigin == nil { report.homeOrigin = origin }
            report.worldPosition = origin + SIMD2(Double(position.x), Double(position.y))
        }
        lastOwn = (.now, position, velocity)
        let outside = position.x < 0 || position.x >= 256 || position.y < 0 || position.y >= 256
        if outside, crossingStarted == nil {
            crossingStarted = .now
        } else if !outside, !crossedRegionSeen, root.handshake {
            crossingStarted = nil
        }
        if let latency = moveTimer.observed(velocity: velocity, at: .now), measuring {
            let micros = UInt64(max(0, latency.seconds * 1_000_000))
            box.update { report in
                _ = report.latencyMicros.record(micros)
                _ = report.moveLatencyMicros.record(micros)
            }
        }
    }

    /// When the own avatar left the square, from its newest update before the crossing: that
    /// update's time plus the time its velocity takes it to the border (at most 1 s, never
    /// later than now). The region hands the avatar off before an update beyond the border
    /// would be sent, so the moment is extrapolated; nil without a usable update.
    func estimatedExit() -> ContinuousClock.Instant? {
        guard let own = lastOwn else { return nil }
        var soonest: Float?
        for (p, v) in [(own.position.x, own.velocity.x), (own.position.y, own.velocity.y)] {
            let t: Float? = v > 0.01 ? (256 - p) / v : v < -0.01 ? -p / v : nil
            if let t, t.isFinite, t >= 0 { soonest = min(soonest ?? t, t) }
        }
        guard let soonest else { return nil }
        return min(own.time + .milliseconds(Int64(min(soonest, 1) * 1000)), .now)
    }

    // MARK: Event queue

    func eventQueue(port: Int, _ events: [LLSD], bytes: Int) {
        if measuring { box.update { $0.bytesIn += bytes } }
        guard links[port] != nil else { return }
        for llsd in events {
            let event: LLUDPEvent
            do {
                event = try LLUDPEvent(llsd)
            } catch {
                self.error("event queue: \(error)")
                continue
            }
            switch event {
            case .moved(let crossing, let ip, let newPort, let handle, let seed):
                if crossing {
                    if crossingStarted == nil { crossingStarted = estimatedExit() ?? .now }
                    crossedRegionSeen = true
                }
                moveTimer.reset()
                connect(ip: ip, port: newPort, handle: handle, seed: seed)
            case .teleportFailed(let reason):
                error("teleport failed: \(reason)")
            case .other:
                break
            }
        }
    }
}
