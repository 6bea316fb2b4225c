import Foundation
import TesseraClientProtocol
import TesseraLLUDP
import TesseraWire
import TesseraWorld

/// What a viewer sends: circuit upkeep and the handshake are answered here; everything the
/// world must know becomes a `ClientMessage` and goes through the same limits and commands as
/// a WebSocket client's.
extension ViewerSession {
    /// Handles one decoded message from `circuit` (on the endpoint's event loop).
    func receive(_ message: SLDecoded, on circuit: ViewerCircuit) {
        if state.withLock({ $0.loggedOut }) { return }
        switch message {
        case .startPingCheck(let ping):
            circuit.send(SL.CompletePingCheck(pingID: .init(pingID: ping.pingID.pingID)))
        case .completeAgentMovement(let movement):
            guard owns(movement.agentData.agentID, movement.agentData.sessionID) else { return }
            completeMovement(on: circuit)
        case .regionHandshakeReply(let reply):
            guard owns(reply.agentData.agentID, reply.agentData.sessionID) else { return }
            handshakeReplied(on: circuit)
        case .agentThrottle(let throttle):
            guard owns(throttle.agentData.agentID, throttle.agentData.sessionID) else { return }
            if let task = SLThrottles(throttle.throttle.throttles)?.taskBytesPerSecond {
                state.withLock { $0.throttleBytesPerSecond = task }
            }
        case .agentUpdate(let update):
            guard owns(update.agentData.agentID, update.agentData.sessionID), circuit.region == state.withLock({ $0.root }) else { return }
            movement(flags: update.agentData.controlFlags, body: update.agentData.bodyRotation)
        case .setAlwaysRun(let run):
            guard owns(run.agentData.agentID, run.agentData.sessionID) else { return }
            state.withLock { $0.alwaysRun = run.agentData.alwaysRun }
        case .chatFromViewer(let chat):
            guard owns(chat.agentData.agentID, chat.agentData.sessionID) else { return }
            let type: ChatType
            switch chat.chatData.type {
            case 0: type = .whisper
            case 1: type = .say
            case 2: type = .shout
            default: return  // 4 and 5 start and stop the typing animation; 8 is a debug channel
            }
            let text = ClientText.plain(SLText.string(chat.chatData.message))
            guard !text.isEmpty else { return }
            command(.chat(ChatSend(type: type, channel: chat.chatData.channel, text: Self.prefix(text, bytes: maxChatBytes))))
        case .objectGrab(let grab):
            guard owns(grab.agentData.agentID, grab.agentData.sessionID) else { return }
            command(.touch(TouchObject(localID: grab.objectData.localID, phase: .start)))
        case .objectDeGrab(let grab):
            guard owns(grab.agentData.agentID, grab.agentData.sessionID) else { return }
            command(.touch(TouchObject(localID: grab.objectData.localID, phase: .end)))
        case .teleportLocationRequest(let request):
            guard owns(request.agentData.agentID, request.agentData.sessionID) else { return }
            teleport(to: RegionHandle(rawValue: request.info.regionHandle), position: request.info.position, on: circuit)
        case .logoutRequest(let logout):
            guard owns(logout.agentData.agentID, logout.agentData.sessionID) else { return }
            state.withLock { $0.logoutCircuit = circuit }
            command(.logout)
        case .uuidNameRequest(let request):
            answerNames(request.uuidNameBlock.map(\.id), on: circuit)
        case .agentDataUpdateRequest(let request):
            guard owns(request.agentData.agentID, request.agentData.sessionID) else { return }
            circuit.send(SLReplies.agentData(identity), reliable: true)
        case .agentWearablesRequest(let request):
            guard owns(request.agentData.agentID, request.agentData.sessionID) else { return }
            circuit.send(SLReplies.wearables(identity), reliable: true)
        case .agentCachedTexture(let request):
            guard owns(request.agentData.agentID, request.agentData.sessionID) else { return }
            circuit.send(SLReplies.cachedTextures(identity, request), reliable: true)
        case .economyDataRequest:
            circuit.send(SL.EconomyData(), reliable: true)
        case .moneyBalanceRequest(let request):
            guard owns(request.agentData.agentID, request.agentData.sessionID) else { return }
            circuit.send(SLReplies.balance(identity, transaction: request.moneyData.transactionID), reliable: true)
        case .mapBlockRequest(let request):
            guard owns(request.agentData.agentID, request.agentData.sessionID) else { return }
            for reply in frontend.mapBlocks(for: identity.agentID, request.positionData) { circuit.send(reply, reliable: true) }
        default:
            // Everything else a viewer may send (appearance, animations, camera, parcels, …)
            // has no meaning in Tessera yet and is dropped; docs/sl-protocol.md lists it.
            break
        }
    }

    /// The longest start of `text` of at most `bytes` UTF-8 bytes, cut between characters.
    static func prefix(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size <= bytes else { break }
            result.append(character)
            used += size
        }
        return result
    }

    private func owns(_ agent: UUID, _ session: UUID) -> Bool {
        agent == identity.agentID && session == identity.sessionID
    }

    /// Runs a command through the session's limits and commands, as a WebSocket reader does.
    func command(_ message: ClientMessage) {
        let problem = state.withLock { $0.limits.receive(message, commands: commands) }
        if let problem { commands.reject(problem.0, problem.1) }
    }

    /// CompleteAgentMovement: the first one asks the start region to admit the avatar; after a
    /// crossing or teleport it is the viewer arriving in the new root region.
    private func completeMovement(on circuit: ViewerCircuit) {
        let (join, isRoot) = state.withLock { state -> (Bool, Bool) in
            state.movementCompleted.insert(circuit.region)
            let join = !state.joinRequested
            state.joinRequested = true
            return (join, state.root == circuit.region)
        }
        if join {
            frontend.manager.join(session, agentID: identity.agentID, name: identity.name, route: startRoute, token: identity.token)
        } else if isRoot {
            enteredRoot(on: circuit)
        }
        session.mailbox.wake()
    }

    /// The viewer is in its root region's circuit and the region has admitted the avatar:
    /// AgentMovementComplete and the RegionHandshake (once per region entry).
    func enteredRoot(on circuit: ViewerCircuit) {
        let (first, position, name, leaving) = state.withLock { state -> (Bool, Vector3, String, RegionHandle?) in
            guard state.root == circuit.region, state.movementCompleted.contains(circuit.region), !state.handshakeSent.contains(circuit.region) else {
                return (false, .zero, "", nil)
            }
            state.handshakeSent.insert(circuit.region)
            let position = state.ownLocalID.flatMap { frontend.position(of: $0, in: circuit.region) } ?? Vector3(128, 128, 25)
            defer { state.leaving = nil }
            return (true, position, state.rootName, state.leaving)
        }
        guard first else { return }
        circuit.send(SLReplies.movementComplete(identity, region: circuit.region, position: position), reliable: true)
        circuit.send(SLReplies.handshake(region: circuit.region, name: name, terrain: frontend.terrain(circuit.region)), reliable: true)
        // The region left behind: the viewer drops its objects and circuit. Two seconds later,
        // so that an avatar that went straight back there (walking along a border) is not told
        // to drop the region it is in again while its event queue says it went back.
        if let leaving, leaving != circuit.region, let old = self.circuit(leaving) {
            old.endpoint.channel.eventLoop.scheduleTask(in: .seconds(2)) { self.retire(old) }
        }
    }

    /// DisableSimulator for a region the avatar left, unless it is the root again (or on its
    /// way there) or its circuit was replaced meanwhile.
    func retire(_ old: ViewerCircuit) {
        let region = old.region
        let retire = state.withLock { state -> Bool in
            guard state.circuits[region] === old, state.root != region, !state.loggedOut else { return false }
            state.circuits[region] = nil
            state.handshakeSent.remove(region)
            state.handshakeReplied.remove(region)
            state.movementCompleted.remove(region)
            state.terrainSent.remove(region)
            return true
        }
        guard retire else { return }
        old.send(SL.DisableSimulator(), reliable: false)
        old.close()
    }

    /// The handshake of a neighbour's circuit: the viewer draws the region (its land) beside
    /// the one the avatar is in. Not for the root region, whose handshake follows
    /// CompleteAgentMovement.
    func childHandshake(_ circuit: ViewerCircuit) {
        let send = state.withLock { state -> Bool in
            guard state.circuits[circuit.region] === circuit, state.root != circuit.region, !state.loggedOut,
                !state.handshakeSent.contains(circuit.region)
            else { return false }
            state.handshakeSent.insert(circuit.region)
            return true
        }
        guard send else { return }
        let name = frontend.manager.routes.route(circuit.region)?.descriptor.name ?? ""
        circuit.send(SLReplies.handshake(region: circuit.region, name: name, terrain: frontend.terrain(circuit.region)), reliable: true)
    }

    /// RegionHandshakeReply: the viewer tracks the region's objects from now on; the terrain
    /// goes first, then the view (its budget opens).
    private func handshakeReplied(on circuit: ViewerCircuit) {
        let sendTerrain = state.withLock { state -> Bool in
            state.handshakeReplied.insert(circuit.region)
            return state.terrainSent.insert(circuit.region).inserted
        }
        if sendTerrain {
            for blob in frontend.terrainPatches(circuit.region) {
                circuit.send(SL.LayerData(layerID: .init(type: SLTerrainPatches.landLayerType), layerData: .init(data: blob)), reliable: true)
            }
        }
        session.mailbox.wake()
    }

    /// AgentUpdate's controls as a Tessera movement intent; only a change is sent on.
    private func movement(flags: UInt32, body: Quaternion) {
        let intent = state.withLock { state -> MovementIntent? in
            let intent = SLControls.intent(flags: flags, body: body, alwaysRun: state.alwaysRun)
            guard intent != state.lastIntent else { return nil }
            state.lastIntent = intent
            return intent
        }
        guard let intent else { return }
        command(.move(Move(mode: intent.mode, headingRadians: intent.heading, vertical: intent.vertical)))
    }

    private func teleport(to handle: RegionHandle, position: Vector3, on circuit: ViewerCircuit) {
        let requestID = state.withLock { state -> UInt32 in
            let id = state.nextRequestID
            state.nextRequestID &+= 1
            state.teleport = (id, handle)
            return id
        }
        let safe = SLControls.landing(position)
        circuit.send(SL.TeleportStart(info: .init(teleportFlags: SLTeleportFlags.viaLocation)), reliable: true)
        command(.teleport(Teleport(requestID: requestID, gridPosition: handle.gridPosition, position: safe)))
    }

    private func answerNames(_ ids: [UUID], on circuit: ViewerCircuit) {
        let known = state.withLock { state in ids.prefix(64).compactMap { id in state.names[id].map { (id, $0) } } }
        for reply in SLReplies.names(known) { circuit.send(reply, reliable: true) }
    }
}
