import Logging
import NIOCore
import Synchronization
import TesseraClientProtocol

/// A client served in process, without a WebSocket, for harnesses that step a grid frame by
/// frame. What it sends is encoded and decoded as on a connection and handled by the same code
/// as a connection's reader (`SessionCommands.handle`); `tick()` builds and decodes the frame the
/// writer would send on its next tick. Two things of a connection are left out because they
/// run on wall-clock time: the per-client rate limit and the login deadlines.
public final class InProcessClient: Sendable {
    public let session: ClientSession
    private let manager: ClientManager
    private let commands: SessionCommands
    private let state = Mutex(State())

    private struct State {
        var view = ClientView()
        var finished = false
    }

    init(manager: ClientManager, address: String, logger: Logger) {
        self.manager = manager
        session = ClientSession(mailbox: ClientMailbox(capacity: manager.settings.maxQueuedEvents), atlas: manager.atlas)
        commands = SessionCommands(session: session, manager: manager, address: address, logger: logger)
    }

    /// Whether the session has ended (`tick()` returned its closure, or `disconnect()`).
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// Sends one message, as the client's reader would receive it. A protocol violation
    /// closes the session (the next `tick()` returns the closure).
    public func send(_ message: ClientMessage) {
        guard !isFinished, !session.mailbox.isClosed else { return }
        let decoded: ClientMessage
        do {
            decoded = try ClientMessage.decode(message.encoded())
        } catch {
            return commands.reject(.malformedMessage, "\(error)")
        }
        if let problem = commands.handle(decoded) { commands.reject(problem.0, problem.1) }
    }

    /// The frame the writer would send now, decoded, and the closure if the session ended
    /// (announced by an `Error` as on a connection; the session is then disconnected).
    public func tick() throws -> (messages: [ServerMessage], closure: CloseRequest?) {
        guard !isFinished else { return ([], nil) }
        let (events, closure) = session.mailbox.drain()
        var messages: [ServerMessage] = []
        if let table = session.route?.snapshot() ?? (events.isEmpty ? nil : EntityTable()) {
            var buffer = ByteBuffer()
            let version = session.protocolVersion
            let written = state.withLock { $0.view.protocolVersion = version; return $0.view.buildFrame(events: events, table: table, maxBytes: manager.settings.maxBytesPerTick, into: &buffer) }
            if written > 0 { messages = try ServerMessage.decodeFrame(buffer) }
        }
        if let closure {
            if let code = closure.code { messages.append(.error(ServerError(code, message: closure.reason))) }
            finish(loggedOut: closure.reason == SessionCommands.logoutReason)
        }
        return (messages, closure)
    }

    /// The client goes away without a Logout, as when its connection drops.
    public func disconnect() {
        session.mailbox.peerClosed()
        finish(loggedOut: false)
    }

    private func finish(loggedOut: Bool) {
        let first = state.withLock { state in
            defer { state.finished = true }
            return !state.finished
        }
        if first { manager.disconnect(session, loggedOut: loggedOut) }
    }
}

extension ClientManager {
    /// A new client session served in process (see `InProcessClient`).
    public func connectInProcess(address: String = "in-process", logger: Logger? = nil) -> InProcessClient {
        InProcessClient(manager: self, address: address, logger: logger ?? Logger(label: "tessera.in-process-client"))
    }
}
