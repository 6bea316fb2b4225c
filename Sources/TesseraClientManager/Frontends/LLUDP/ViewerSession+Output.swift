import Foundation
import TesseraClientProtocol
import TesseraLLUDP
import TesseraWire
import TesseraWorld

/// The Second Life front end's side of the session ticker.
struct LLUDPTransport: SessionTransport {
    let viewer: ViewerSession

    func makeSink() -> LLUDPFrameSink { LLUDPFrameSink() }

    func budget() -> Int { viewer.budget() }

    func send(_ sink: LLUDPFrameSink) async -> Bool {
        await viewer.transmit(sink)
        return true
    }

    func idle() async -> Bool { viewer.service() }

    func close(_ request: CloseRequest) async {
        await viewer.close(request)
    }
}

/// What the view decided to send, as LLUDP: objects several to a packet, chat and answers as
/// their messages, region changes as event-queue events.
extension ViewerSession {
    /// The most an ObjectUpdate or ImprovedTerseObjectUpdate body carries, so a packet stays
    /// under the viewer's MTU with its headers and appended ACKs.
    static let packetBodyBudget = 1100

    /// The view's budget for one tick: nothing of the world until the viewer has answered the
    /// root region's handshake (it drops objects of a region it does not track yet), then the
    /// smaller of the configured cap and the viewer's task throttle.
    func budget() -> Int {
        let settings = frontend.manager.settings
        return state.withLock { state in
            guard let root = state.root, state.handshakeReplied.contains(root) else { return 0 }
            guard let throttle = state.throttleBytesPerSecond else { return settings.maxBytesPerTick }
            return max(1500, min(settings.maxBytesPerTick, Int(throttle / Double(settings.updateRate))))
        }
    }

    func transmit(_ sink: LLUDPFrameSink) async {
        var full: [SL.ObjectUpdate.ObjectData] = []
        var terse: [SL.ImprovedTerseObjectUpdate.ObjectData] = []
        var kills: [UInt32] = []
        for item in sink.items {
            switch item {
            case .message(let message):
                await handle(message)
            case .enter(let enter, let info):
                guard let root = state.withLock({ $0.root }) else { continue }
                let fullID = Self.fullID(region: root, localID: enter.localID, agentID: info.agentID)
                if info.kind == .avatar { state.withLock { $0.names[fullID] = info.name } }
                full.append(SLObjects.objectData(enter: enter, info: info, fullID: fullID, owner: info.agentID))
            case .leave(let id):
                kills.append(id)
            case .update(let id, let motion):
                terse.append(SLObjects.terse(localID: id, motion: motion, avatar: frontend.isAvatar(id, in: state.withLock { $0.root })))
            case .appearance:
                // Floating text and colour are not drawn for viewers yet (docs/sl-protocol.md).
                break
            }
        }
        guard let circuit = rootCircuit, state.withLock({ state in state.root.map(state.handshakeReplied.contains) ?? false }) else { return }
        let handle = circuit.region.rawValue
        let dilation = sink.stamp.timeDilation
        if !kills.isEmpty {
            for chunk in kills.chunked(200) {
                circuit.send(SL.KillObject(objectData: chunk.map { .init(id: $0) }), reliable: true)
            }
        }
        for batch in SLObjects.batches(full, budget: Self.packetBodyBudget, size: SLObjects.encodedSize) {
            circuit.send(SL.ObjectUpdate(regionData: .init(regionHandle: handle, timeDilation: dilation), objectData: batch), reliable: true)
        }
        for batch in SLObjects.batches(terse, budget: Self.packetBodyBudget, size: { 3 + $0.data.count + $0.textureEntry.count }) {
            circuit.send(SL.ImprovedTerseObjectUpdate(regionData: .init(regionHandle: handle, timeDilation: dilation), objectData: batch))
        }
    }

    /// A message of the neutral protocol, as the viewer needs it.
    private func handle(_ message: ServerMessage) async {
        switch message {
        case .welcome(let welcome):
            // The start point the login asked for: an in-region teleport, answered by nothing
            // the viewer waits for.
            if let start = startPosition {
                command(.teleport(Teleport(requestID: 0, region: welcome.regionName, position: start)))
            }
            let circuit = state.withLock { state -> ViewerCircuit? in
                state.root = welcome.regionHandle
                state.rootName = welcome.regionName
                state.ownLocalID = welcome.localID
                state.names[identity.agentID] = identity.name
                return state.circuits[welcome.regionHandle]
            }
            if let circuit { enteredRoot(on: circuit) }
            await announceNeighbours(of: welcome.regionHandle)
        case .regionChanged(let change):
            await changeRegion(change)
        case .chat(let chat):
            guard let circuit = rootCircuit, let root = state.withLock({ $0.root }) else { return }
            let agent = frontend.agentID(of: chat.speaker, in: root)
            let source = Self.fullID(region: root, localID: chat.speaker, agentID: agent)
            circuit.send(SLChat.fromSimulator(chat, sourceID: source, ownerID: agent ?? source), reliable: true)
        case .error(let error):
            if let teleport = state.withLock({ $0.teleport }), error.requestID == teleport.requestID {
                state.withLock { $0.teleport = nil }
                pushEvent(SL.TeleportFailed(info: .init(agentID: identity.agentID, reason: SLText.bytes(error.message, max: 255)), alertInfo: []).llsd)
            } else if error.code != ErrorCode.rateLimited.rawValue {
                rootCircuit?.send(SL.AlertMessage(alertData: .init(message: SLText.bytes(error.message, max: 255))), reliable: true)
            }
        case .objectResult(let result):
            guard let teleport = state.withLock({ $0.teleport }), result.requestID == teleport.requestID else { return }
            state.withLock { $0.teleport = nil }
            guard let circuit = rootCircuit else { return }
            let position = state.withLock { $0.ownLocalID }.flatMap { frontend.position(of: $0, in: circuit.region) } ?? .zero
            circuit.send(SL.TeleportLocal(info: .init(
                agentID: identity.agentID, locationID: 0, position: position, lookAt: Vector3(1, 0, 0), teleportFlags: SLTeleportFlags.viaLocation)), reliable: true)
        case .alert(let alert):
            rootCircuit?.send(SL.AlertMessage(alertData: .init(message: SLText.bytes(alert.text, max: 255))), reliable: true)
        default:
            // Pongs, inventory and script answers, contents: WebSocket-protocol answers with no
            // Second Life counterpart sent here.
            break
        }
    }

    /// A crossing or teleport finished on the server: the old root's event queue tells the
    /// viewer where the new region's endpoint is; it connects there and completes movement.
    private func changeRegion(_ change: RegionChanged) async {
        guard let endpoint = try? await frontend.endpoint(for: change.regionHandle) else {
            return session.mailbox.close(.regionUnavailable, reason: "the client manager cannot open an endpoint for region \(change.regionName)")
        }
        let old = state.withLock { state -> RegionHandle? in
            let old = state.root
            state.root = change.regionHandle
            state.rootName = change.regionName
            state.ownLocalID = change.localID
            state.leaving = old
            state.handshakeSent.remove(change.regionHandle)
            state.handshakeReplied.remove(change.regionHandle)
            state.movementCompleted.remove(change.regionHandle)
            state.terrainSent.remove(change.regionHandle)
            state.teleport = nil
            return old
        }
        let seed = frontend.seedCapability(for: self, region: change.regionHandle)
        let position = frontend.position(of: change.localID, in: change.regionHandle) ?? Vector3(128, 128, 25)
        let address = SLIPv4(frontend.publicHost) ?? SLIPv4(127, 0, 0, 1)
        let event: LLSD
        switch change.kind {
        case .crossing:
            event = SL.CrossedRegion(
                agentData: .init(agentID: identity.agentID, sessionID: identity.sessionID),
                regionData: .init(simIP: address, simPort: UInt16(endpoint.port), regionHandle: change.regionHandle.rawValue, seedCapability: SLText.bytes(seed, max: 65535)),
                info: .init(position: position, lookAt: Vector3(1, 0, 0))
            ).llsd
        case .teleport:
            event = SL.TeleportFinish(info: .init(
                agentID: identity.agentID, locationID: 4, simIP: address, simPort: UInt16(endpoint.port),
                regionHandle: change.regionHandle.rawValue, seedCapability: SLText.bytes(seed, max: 65535),
                simAccess: SLReplies.simAccessPG, teleportFlags: SLTeleportFlags.viaLocation)).llsd
        }
        pushEvent(event, region: old)
        // The new region's neighbours, on its own queue (polled once the viewer is there).
        await announceNeighbours(of: change.regionHandle)
    }

    /// EnableSimulator and EstablishAgentCommunication for every reachable neighbour of
    /// `region`, on its event queue: viewers draw the regions around (and open circuits there).
    private func announceNeighbours(of region: RegionHandle) async {
        let address = SLIPv4(frontend.publicHost) ?? SLIPv4(127, 0, 0, 1)
        for neighbour in frontend.neighbours(of: region) {
            guard let endpoint = try? await frontend.endpoint(for: neighbour) else { continue }
            pushEvent(SL.EnableSimulator(simulatorInfo: .init(handle: neighbour.rawValue, ip: address, port: UInt16(endpoint.port))).llsd, region: region)
            pushEvent(EventQueueMessages.establishAgentCommunication(
                agent: identity.agentID, simIP: frontend.publicHost, simPort: UInt16(endpoint.port),
                seed: frontend.seedCapability(for: self, region: neighbour)), region: region)
        }
    }

    /// Every tick: circuits' resends, ACKs and pings; once a second the minimap and the
    /// region's statistics. False when the root circuit died (the viewer went away).
    func service() -> Bool {
        let circuits = state.withLock { Array($0.circuits.values) }
        var rootAlive = true
        let root = state.withLock { $0.root }
        for circuit in circuits where !circuit.service() {
            if circuit.region == root || root == nil {
                rootAlive = false
            } else {
                state.withLock { state in
                    if state.circuits[circuit.region] === circuit { state.circuits[circuit.region] = nil }
                }
                circuit.close()
            }
        }
        guard rootAlive else {
            let reason = circuits.first { $0.region == root || root == nil }?.closeReason
            commands.logger.info("a viewer's root circuit closed", metadata: [
                "agent": "\(identity.agentID)", "reason": "\(reason.map { "\($0)" } ?? "unknown")",
            ])
            session.mailbox.peerClosed()
            return false
        }
        let now = ViewerCircuit.now
        let (coarseDue, statsDue) = state.withLock { state -> (Bool, Bool) in
            guard let root = state.root, state.handshakeReplied.contains(root) else { return (false, false) }
            let coarse = now - state.lastCoarse >= 1
            let stats = now - state.lastStats >= 1
            if coarse { state.lastCoarse = now }
            if stats { state.lastStats = now }
            return (coarse, stats)
        }
        if coarseDue, let circuit = rootCircuit {
            circuit.send(frontend.coarseLocations(in: circuit.region, for: identity.agentID))
        }
        if statsDue, let circuit = rootCircuit {
            circuit.send(frontend.simStats(circuit.region))
        }
        return true
    }

    /// The session ends: LogoutReply after a logout, KickUser with the reason after anything
    /// else; then the circuits and queues go (after a second of resends for the last words).
    func close(_ request: CloseRequest) async {
        let circuit = state.withLock { $0.logoutCircuit } ?? rootCircuit ?? state.withLock { $0.circuits.values.first }
        state.withLock { $0.loggedOut = true }
        if let circuit {
            if request.reason == SessionCommands.logoutReason {
                circuit.send(SL.LogoutReply(agentData: .init(agentID: identity.agentID, sessionID: identity.sessionID), inventoryData: []), reliable: true)
            } else if !request.peerGone {
                let address = SLIPv4(frontend.publicHost) ?? SLIPv4(127, 0, 0, 1)
                circuit.send(SL.KickUser(
                    targetBlock: .init(targetIP: address, targetPort: UInt16(circuit.endpoint.port)),
                    userInfo: .init(agentID: identity.agentID, sessionID: identity.sessionID, reason: SLText.bytes(request.reason, max: 65535))), reliable: true)
            }
            for _ in 0..<10 where circuit.unacknowledged > 0 {
                try? await Task.sleep(for: .milliseconds(100))
                _ = circuit.service()
            }
        }
        finish()
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
