import TesseraBots
import TesseraClientManager
import TesseraClientProtocol
import TesseraWorld

/// A client of a `DeterministicGrid`: sends through the client manager's in-process session
/// and, at each step, reads the frame its writer would send into a `WorldMirror`, which checks
/// the protocol's rules (what the bots' `ScenarioClient` does over a WebSocket).
public final class SteppedClient {
    let connection: InProcessClient
    public private(set) var mirror = WorldMirror()
    /// Rules of the protocol the frames broke, and frames that did not decode.
    public private(set) var violations: [String] = []
    /// How the session ended, once it has.
    public private(set) var closure: CloseRequest?
    /// Every message received, in order (frame stamps and entity updates included).
    public private(set) var received: [ServerMessage] = []

    init(_ connection: InProcessClient) {
        self.connection = connection
    }

    public var welcome: Welcome? { mirror.welcome }
    public var agentID: AgentID? { mirror.welcome?.agentID }
    public var regionName: String? { mirror.regionName }
    public var isFinished: Bool { closure != nil || connection.isFinished }

    public func send(_ message: ClientMessage) {
        connection.send(message)
    }

    /// The client goes away without logging out.
    public func disconnect() {
        connection.disconnect()
    }

    func tick() {
        guard !connection.isFinished else { return }
        do {
            let (messages, closure) = try connection.tick()
            if let closure { self.closure = closure }
            guard !messages.isEmpty else { return }
            received += messages
            try mirror.apply(frame: messages)
        } catch {
            violations.append("\(error)")
        }
    }
}
