import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ServiceLifecycle
import TesseraClientProtocol
import TesseraCodec
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

/// Runs one WebSocket connection: a reader that validates and routes client messages, and a
/// writer that sends at most one update frame per tick and performs every close.
struct SessionRunner {
    let session: ClientSession
    let manager: ClientManager
    let settings: ClientManagerSettings
    /// The client's IP address (failed logins are rate-limited per address).
    let address: String
    let logger: Logger

    /// Serves the connection; the writer closes `channel` when the client stops reading.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel) async {
        let output = SessionOutput(
            outbound: outbound, channel: channel, stallLimit: .milliseconds(Int64(settings.writeStallSeconds * 1000)))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await readLoop(inbound)
                session.mailbox.peerClosed()
            }
            await writeLoop(output)
            group.cancelAll()
        }
        manager.disconnect(session, loggedOut: session.mailbox.drain().closure?.reason == Self.logoutReason)
    }

    // MARK: Reading

    private func readLoop(_ inbound: WebSocketInboundStream) async {
        var limiter = RateLimiter(rate: settings.commandsPerSecond, burst: settings.commandsPerSecond * 2)
        var touchLimiter = RateLimiter(rate: settings.touchesPerSecond, burst: settings.touchesPerSecond * 2)
        var scriptLimiter = RateLimiter(rate: settings.scriptUploadsPerSecond, burst: settings.scriptUploadBurst)
        let clock = ContinuousClock()
        let origin = clock.now
        var lastRateLimitNotice = -1.0
        // A message split over several WebSocket frames, being put together.
        var assembling: ByteBuffer?
        do {
            for try await piece in inbound {
                switch piece.opcode {
                case .text:
                    return reject(.malformedMessage, "text frames are not part of the protocol")
                case .binary:
                    assembling = piece.data
                case .continuation:
                    guard assembling != nil else { return reject(.malformedMessage, "a continuation frame without a message") }
                    var data = piece.data
                    assembling?.writeBuffer(&data)
                }
                guard (assembling?.readableBytes ?? 0) <= settings.maxClientFrameBytes else {
                    manager.stats.protocolErrors.add(1, ordering: .relaxed)
                    manager.metrics.protocolErrors.increment()
                    session.mailbox.close(.malformedMessage, reason: ClientCloses.oversizeReason(settings.maxClientFrameBytes), webSocketCode: 1009)
                    return
                }
                guard piece.fin, let frame = assembling else { continue }
                assembling = nil
                manager.stats.messagesReceived.add(1, ordering: .relaxed)
                manager.metrics.received(bytes: frame.readableBytes)
                let decoded: ClientMessage
                do {
                    decoded = try ClientMessage.decode(frame)
                } catch let error as CodecError {
                    if case .unknownMessageType = error { return reject(.unknownMessageType, "\(error)") }
                    return reject(.malformedMessage, "\(error)")
                }
                let elapsed = clock.now - origin
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                if session.mailbox.isClosed { return }
                let overLimit: String? =
                    if !limiter.allow(now: seconds) {
                        "more than \(Int(settings.commandsPerSecond)) messages a second; dropping"
                    } else if case .touch = decoded, !touchLimiter.allow(now: seconds) {
                        "more than \(Int(settings.touchesPerSecond)) TouchObject messages a second; dropping"
                    } else if case .addScript = decoded, !scriptLimiter.allow(now: seconds) {
                        "more than \(Int(settings.scriptUploadBurst)) AddScript messages at once, or \(settings.scriptUploadsPerSecond) a second sustained; dropping"
                    } else {
                        nil
                    }
                if let overLimit {
                    manager.stats.rateLimited.add(1, ordering: .relaxed)
                    manager.metrics.rateLimitedCommands.increment()
                    if seconds - lastRateLimitNotice >= 1 {
                        lastRateLimitNotice = seconds
                        session.mailbox.push(.message(.error(ServerError(.rateLimited, requestID: decoded.requestID, message: overLimit))))
                    }
                    continue
                }
                if let problem = handle(decoded) { return reject(problem.0, problem.1) }
            }
        } catch {
            logger.debug("client connection ended", metadata: ["error": "\(error)"])
        }
    }

    func reject(_ code: ErrorCode, _ reason: String) {
        manager.stats.protocolErrors.add(1, ordering: .relaxed)
        manager.metrics.protocolErrors.increment()
        logger.info("closing client for a protocol error", metadata: ["code": "\(code)", "reason": "\(reason)"])
        session.mailbox.close(code, reason: reason)
    }

    /// Applies one message; returns a protocol violation that ends the connection.
    func handle(_ message: ClientMessage) -> (ErrorCode, String)? {
        // After Logout nothing the client sends is acted on.
        if session.isLoggingOut { return nil }
        switch (session.phase, message) {
        case (.awaitingLogin, .login(let login)):
            guard supportedClientProtocolVersions.contains(login.version) else {
                return (.unsupportedVersion, "server speaks protocol versions \(supportedClientProtocolVersions.lowerBound) to \(clientProtocolVersion), client sent \(login.version)")
            }
            if let problem = Self.nameProblem(login.name) { return (.invalidName, problem) }
            session.protocolVersion = login.version
            manager.login(session, login, address: address)
        case (.awaitingLogin, _):
            return (.notLoggedIn, "the first message must be Login")
        case (_, .login):
            return (.alreadyLoggedIn, "Login may be sent once")
        // Messages of protocol 6 on: a client of an older version sending one gets what a
        // server of its version answers (earlier additions were always accepted).
        case (_, let message) where message.typeCode.since >= 6 && message.typeCode.since > session.protocolVersion:
            return (.unknownMessageType, "message type \(String(format: "0x%02X", message.typeCode.rawValue)) is part of protocol version \(message.typeCode.since); this connection logged in with version \(session.protocolVersion)")
        case (_, .logout):
            manager.logout(session)
        case (_, .ping(let ping)):
            session.mailbox.push(.message(.pong(Pong(nonce: ping.nonce, clientTimeMillis: ping.clientTimeMillis))))
        case (_, .inventory(let request)):
            guard let (_, agentID) = session.commandTarget() else {
                session.mailbox.push(.message(.inventory(InventoryReply(
                    requestID: request.requestID, outcome: .failure(CallStatus(.notLoggedIn, "not in a region yet; wait for Welcome"))))))
                return nil
            }
            switch request.call {
            case .rez(let item, let position): _ = session.send(.rez(requestID: request.requestID, item: item, position: position))
            case .take(let localID): _ = session.send(.take(requestID: request.requestID, localID))
            default: manager.inventory(session, account: agentID, request)
            }
        case (_, .addScript(let add)) where add.name.isEmpty:
            session.mailbox.push(.message(.error(ServerError(.invalidValue, requestID: add.requestID, message: "addScript.name is empty; a script's name is 1 to 63 bytes"))))
        case (_, let command):
            guard let wire = command.agentCommand, session.send(wire) else {
                session.mailbox.push(.message(.error(ServerError(.notLoggedIn, requestID: command.requestID, message: "not in a region yet; wait for Welcome"))))
                return nil
            }
        }
        return nil
    }

    static let logoutReason = "logout"

    /// The avatar-name rule of `AvatarName`, the same as at account creation.
    static func nameProblem(_ name: String) -> String? {
        AvatarName.problem(name)
    }

    // MARK: Writing

    private func writeLoop(_ output: SessionOutput) async {
        let clock = ContinuousClock()
        let interval = Duration.seconds(1) / settings.updateRate
        let loginDeadline = clock.now + .milliseconds(Int64(settings.loginTimeoutSeconds * 1000))
        let joinTimeout = Duration.milliseconds(Int64(settings.loginTimeoutSeconds * 2000))
        // Spread clients over the tick so their frames do not all leave at once.
        var next = clock.now + interval * Double.random(in: 0..<1)
        var view = ClientView()
        var buffer = ByteBuffer()
        let loop = manager.timerLoop
        let stats = manager.stats
        let metrics = manager.metrics
        let mailbox = session.mailbox
        let onStall: @Sendable () -> Void = {
            mailbox.close(.tooSlow, reason: "the client did not read its updates")
            stats.slowClientsClosed.add(1, ordering: .relaxed)
            metrics.slowCloses.increment()
        }
        while true {
            // Woken early when a region change's first view is in (it goes out at once).
            await session.mailbox.sleep(until: NIODeadline.now() + .nanoseconds(Int64((next - clock.now) / .nanoseconds(1))), on: loop)
            if Task.isCancelled { return }
            if clock.now >= next { next = max(next + interval, clock.now) }
            let (events, closure) = session.mailbox.drain()
            manager.metrics.queueDepth.record(events.count)
            if session.phase == .awaitingLogin, clock.now > loginDeadline {
                return await output.close(CloseRequest(code: .notLoggedIn, reason: "no Login within \(settings.loginTimeoutSeconds) s"), onStall: onStall)
            }
            if session.phase == .joining, let started = session.joinStarted, clock.now > started + joinTimeout {
                return await output.close(CloseRequest(code: .regionUnavailable, reason: "the region did not admit the avatar in time"), onStall: onStall)
            }
            if let closure, closure.peerGone { return }
            if let table = session.route?.snapshot() ?? (events.isEmpty ? nil : EntityTable()) {
                view.protocolVersion = session.protocolVersion
                buffer.clear()
                let deferredBefore = view.deferredUpdates
                if view.buildFrame(events: events, table: table, maxBytes: settings.maxBytesPerTick, into: &buffer) > 0 {
                    guard await output.send(buffer, onStall: onStall) else { return }
                    manager.stats.framesSent.add(1, ordering: .relaxed)
                    manager.stats.bytesSent.add(buffer.readableBytes, ordering: .relaxed)
                    manager.metrics.sent(bytes: buffer.readableBytes)
                }
                let deferred = view.deferredUpdates - deferredBefore
                if deferred > 0 {
                    manager.stats.deferredUpdates.add(deferred, ordering: .relaxed)
                    manager.metrics.deferredUpdates.increment(by: deferred)
                }
            }
            if let closure {
                if closure.code == .tooSlow {
                    manager.stats.slowClientsClosed.add(1, ordering: .relaxed)
                    manager.metrics.slowCloses.increment()
                }
                return await output.close(closure, onStall: onStall)
            }
        }
    }
}

extension ClientMessage {
    /// The region command this message becomes, for messages that go to the region.
    var agentCommand: AgentCommand? {
        switch self {
        case .move(let move): .move(move.intent)
        case .chat(let chat): .chat(chat.type, channel: chat.channel, text: chat.text)
        case .createObject(let create):
            .createObject(requestID: create.requestID, ObjectSpec(
                shape: create.shape, position: create.position, rotation: create.rotation,
                scale: create.scale, name: create.name, physical: create.physical, reportsCollisions: create.reportsCollisions
            ))
        case .deleteObject(let delete): .deleteObject(requestID: delete.requestID, delete.localID)
        case .teleport(let teleport):
            .teleport(requestID: teleport.requestID, region: teleport.region, gridPosition: teleport.gridPosition, position: teleport.position)
        case .moveObject(let move): .moveObject(requestID: move.requestID, move.localID, position: move.position)
        case .pushObject(let push): .push(requestID: push.requestID, push.localID, impulse: push.impulse)
        case .touch(let touch): .touch(touch.localID, phase: touch.phase == .start ? .start : .end)
        case .addScript(let add):
            switch add.source {
            case .inventoryItem(let item): .addScript(requestID: add.requestID, add.localID, name: add.name, source: .inventory(item))
            case .text(let text): .addScript(requestID: add.requestID, add.localID, name: add.name, source: .text(text))
            }
        case .scriptControl(let control):
            .scriptControl(requestID: control.requestID, control.localID, item: control.item, action: control.action.wire)
        case .contents(let request): .contents(requestID: request.requestID, request.localID)
        case .login, .ping, .logout, .inventory: nil
        }
    }

    var requestID: UInt32 {
        switch self {
        case .createObject(let create): create.requestID
        case .deleteObject(let delete): delete.requestID
        case .inventory(let request): request.requestID
        case .teleport(let teleport): teleport.requestID
        case .moveObject(let move): move.requestID
        case .pushObject(let push): push.requestID
        case .addScript(let add): add.requestID
        case .scriptControl(let control): control.requestID
        case .contents(let request): request.requestID
        default: 0
        }
    }
}

extension ScriptControlRequest.Action {
    var wire: ScriptItemAction {
        switch self {
        case .reset: .reset
        case .stop: .stop
        case .start: .start
        case .remove: .remove
        }
    }
}
