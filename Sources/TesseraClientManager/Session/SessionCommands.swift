import Foundation
import Logging
import TesseraClientProtocol
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

/// What a client's messages do, whatever protocol brought them: every front end turns what it
/// receives into `ClientMessage` values (the commands of docs/client-protocol.md) and hands
/// them here. The login phases, the routing to the avatar's region and the answers the client
/// manager gives itself are decided here once for every protocol.
struct SessionCommands: Sendable {
    let session: ClientSession
    let manager: ClientManager
    /// The client's IP address (failed logins are rate-limited per address).
    let address: String
    let logger: Logger

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
}

/// The per-connection limits on what a client may send, whatever its protocol: messages a
/// second overall, touches and script uploads apart. Owned by the connection's reader.
struct SessionInputLimits {
    private var commands: RateLimiter
    private var touches: RateLimiter
    private var scripts: RateLimiter
    private let settings: ClientManagerSettings
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private var lastNotice = -1.0

    init(settings: ClientManagerSettings) {
        self.settings = settings
        commands = RateLimiter(rate: settings.commandsPerSecond, burst: settings.commandsPerSecond * 2)
        touches = RateLimiter(rate: settings.touchesPerSecond, burst: settings.touchesPerSecond * 2)
        scripts = RateLimiter(rate: settings.scriptUploadsPerSecond, burst: settings.scriptUploadBurst)
        origin = clock.now
    }

    /// Applies `message` through `commands` unless it is over a limit; returns a protocol
    /// violation that ends the connection. A message over a limit is dropped, counted, and
    /// answered with at most one `Error(rateLimited)` a second.
    mutating func receive(_ message: ClientMessage, commands handler: SessionCommands) -> (ErrorCode, String)? {
        let elapsed = clock.now - origin
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if handler.session.mailbox.isClosed { return nil }
        let overLimit: String? =
            if !commands.allow(now: seconds) {
                "more than \(Int(settings.commandsPerSecond)) messages a second; dropping"
            } else if case .touch = message, !touches.allow(now: seconds) {
                "more than \(Int(settings.touchesPerSecond)) TouchObject messages a second; dropping"
            } else if case .addScript = message, !scripts.allow(now: seconds) {
                "more than \(Int(settings.scriptUploadBurst)) AddScript messages at once, or \(settings.scriptUploadsPerSecond) a second sustained; dropping"
            } else {
                nil
            }
        if let overLimit {
            handler.manager.stats.rateLimited.add(1, ordering: .relaxed)
            handler.manager.metrics.rateLimitedCommands.increment()
            if seconds - lastNotice >= 1 {
                lastNotice = seconds
                handler.session.mailbox.push(.message(.error(ServerError(.rateLimited, requestID: message.requestID, message: overLimit))))
            }
            return nil
        }
        return handler.handle(message)
    }
}
