import Foundation
import HummingbirdWSClient
import Logging
import NIOWebSocket
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import TesseraClientProtocol
import TesseraGridProtocol
import TesseraWorld

/// A scripted client for scenarios and tests: connects, sends what it is told, and keeps a
/// `WorldMirror` of everything the server sent, checking the protocol's rules as it goes.
public final class ScenarioClient: Sendable {
    private struct State {
        var mirror = WorldMirror()
        var outbound: WebSocketOutboundWriter?
        var violations: [String] = []
        var closeCode: Int?
        var closeReason: String?
        var finished = false
        var frames = 0
        var nextRequestID: UInt32 = 1_000_000
        /// When the last frame arrived, and the longest wait between two frames since `takeLongestGap`.
        var lastFrameAt: ContinuousClock.Instant?
        var longestGap = Duration.zero
    }

    private let state = Mutex(State())
    private let connection: Task<Void, Never>

    /// Opens the connection; returns once it is upgraded (throws if it is not, within 5 s).
    /// A wss:// URL is checked with `tls` (nil: the system's roots; `ClientTrust`), and sends
    /// `serverName` as the TLS server name (nil: the URL's host, which cannot be an IP address).
    public static func connect(
        _ url: String, tls: TLSConfiguration? = nil, serverName: String? = nil, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ScenarioClient {
        let client = ScenarioClient(url: url, tls: tls, serverName: serverName, group: group)
        try await client.waitUntil(timeout: .seconds(5), "connected") { state in state.outbound != nil || state.finished }
        guard client.state.withLock({ $0.outbound != nil }) else { throw ScenarioError.notConnected(url) }
        return client
    }

    private init(url: String, tls: TLSConfiguration?, serverName: String?, group: EventLoopGroup) {
        let box = Mutex<ScenarioClient?>(nil)
        connection = Task {
            while box.withLock({ $0 }) == nil { await Task.yield() }
            await box.withLock { $0 }!.run(url: url, tls: tls, serverName: serverName, group: group)
        }
        box.withLock { $0 = self }
    }

    private func run(url: String, tls: TLSConfiguration?, serverName: String?, group: EventLoopGroup) async {
        do {
            let close = try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 1 << 22, sniHostname: serverName), tlsConfiguration: tls, eventLoopGroup: group,
                logger: Logger(label: "tessera.scenario")
            ) { inbound, outbound, _ in
                self.state.withLock { $0.outbound = outbound }
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    guard case .binary(let frame) = message else {
                        self.state.withLock { $0.violations.append("text frame") }
                        continue
                    }
                    let now = ContinuousClock.now
                    self.state.withLock { state in
                        state.frames += 1
                        if let last = state.lastFrameAt { state.longestGap = max(state.longestGap, now - last) }
                        state.lastFrameAt = now
                        do {
                            try state.mirror.apply(frame: try ServerMessage.decodeFrame(frame))
                        } catch {
                            state.violations.append("\(error)")
                        }
                    }
                }
            }
            state.withLock { state in
                state.closeCode = close.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) }
                state.closeReason = close?.reason
            }
        } catch {
            state.withLock { $0.violations.append("connection: \(error)") }
        }
        state.withLock { $0.finished = true }
    }

    /// The longest wait between two frames from the server since the last call (or the
    /// connection), the wait since the last frame included; starts the next measurement.
    public func takeLongestGap() -> Duration {
        let now = ContinuousClock.now
        return state.withLock { state in
            defer { state.longestGap = .zero }
            return max(state.longestGap, state.lastFrameAt.map { now - $0 } ?? .zero)
        }
    }

    // MARK: Acting

    public func send(_ message: ClientMessage) async throws {
        try await sendRaw(message.encoded())
    }

    /// Sends arbitrary bytes as one binary frame (for testing bad input).
    public func sendRaw(_ bytes: ByteBuffer) async throws {
        guard let outbound = state.withLock({ $0.outbound }) else { throw ScenarioError.notConnected("") }
        try await outbound.write(.binary(bytes))
    }

    public func close() async {
        if let outbound = state.withLock({ $0.outbound }) {
            try? await outbound.close(.normalClosure, reason: nil)
        }
        await connection.value
    }

    // MARK: Observing

    public var mirror: WorldMirror { state.withLock { $0.mirror } }
    public var violations: [String] { state.withLock { $0.violations } }
    public var isFinished: Bool { state.withLock { $0.finished } }
    /// The WebSocket close code the server sent, once closed.
    public var closeCode: Int? { state.withLock { $0.closeCode } }
    public var closeReason: String? { state.withLock { $0.closeReason } }

    /// Logs in and waits for Welcome. The default password suits a grid without grid services.
    @discardableResult
    public func login(_ name: String, password: String = "", startRegion: String = "", timeout: Duration = .seconds(30)) async throws -> Welcome {
        try await login(Login(name: name, password: password, startRegion: startRegion), timeout: timeout)
    }

    @discardableResult
    public func login(_ login: Login, timeout: Duration = .seconds(30)) async throws -> Welcome {
        try await send(.login(login))
        try await waitUntil(timeout: timeout, "Welcome for \(login.name)") { $0.mirror.welcome != nil || $0.finished }
        guard let welcome = mirror.welcome else {
            throw ScenarioError.closed(code: closeCode, reason: mirror.errors.last?.message ?? closeReason ?? "")
        }
        return welcome
    }

    /// Makes one inventory call and waits for its reply: the answer, or the refusal thrown
    /// as `CallStatus`.
    public func call(_ call: InventoryCall, timeout: Duration = .seconds(30)) async throws -> InventoryAnswer {
        let id = state.withLock { state in
            defer { state.nextRequestID += 1 }
            return state.nextRequestID
        }
        try await send(.inventory(InventoryRequest(requestID: id, call: call)))
        try await waitFor(timeout: timeout, "reply to inventory call \(call.code)") { mirror in
            mirror.inventoryReplies.contains { $0.requestID == id }
        }
        let reply = mirror.inventoryReplies.first { $0.requestID == id }!
        return try reply.outcome.get()
    }

    // MARK: Scripts (protocol 6)

    private func nextRequestID() -> UInt32 {
        state.withLock { state in
            defer { state.nextRequestID += 1 }
            return state.nextRequestID
        }
    }

    /// Touches an object: a TouchObject start, then its end (a click).
    public func touch(_ localID: LocalID) async throws {
        try await send(.touch(TouchObject(localID: localID, phase: .start)))
        try await send(.touch(TouchObject(localID: localID, phase: .end)))
    }

    /// Says `text` on `channel` (0 is heard by avatars; others by scripts that listen).
    public func say(_ text: String, channel: Int32 = ChatChannel.publicChannel, type: ChatType = .say) async throws {
        try await send(.chat(ChatSend(type: type, channel: channel, text: text)))
    }

    /// Adds a script with this source text to an object and waits for the ObjectResult;
    /// a refusal is thrown as `ScenarioError.refused`. Compile errors come later, as
    /// diagnostics (`waitForDiagnostics`).
    @discardableResult
    public func addScript(to localID: LocalID, name: String, source: String, timeout: Duration = .seconds(30)) async throws -> ObjectResult {
        try await addScript(to: localID, name: name, from: .text(source), timeout: timeout)
    }

    @discardableResult
    public func addScript(to localID: LocalID, name: String, from source: AddScript.Source, timeout: Duration = .seconds(30)) async throws -> ObjectResult {
        let id = nextRequestID()
        try await send(.addScript(AddScript(requestID: id, localID: localID, name: name, source: source)))
        return try await result(of: id, "reply to AddScript \(name)", timeout: timeout)
    }

    /// Resets, stops, starts or removes a script of an object and waits for the ObjectResult.
    @discardableResult
    public func scriptControl(_ localID: LocalID, item: String, _ action: ScriptControlRequest.Action, timeout: Duration = .seconds(30)) async throws -> ObjectResult {
        let id = nextRequestID()
        try await send(.scriptControl(ScriptControlRequest(requestID: id, localID: localID, item: item, action: action)))
        return try await result(of: id, "reply to ScriptControl \(action) \(item)", timeout: timeout)
    }

    /// Asks for an object's contents and waits for them.
    public func contents(of localID: LocalID, timeout: Duration = .seconds(30)) async throws -> ObjectContents {
        let id = nextRequestID()
        try await send(.contents(ObjectContentsRequest(requestID: id, localID: localID)))
        try await waitFor(timeout: timeout, "contents of \(localID)") { mirror in
            mirror.contents.contains { $0.requestID == id } || mirror.errors.contains { $0.requestID == id }
        }
        let mirror = mirror
        if let error = mirror.errors.first(where: { $0.requestID == id }) { throw ScenarioError.refused(code: error.code, message: error.message) }
        return mirror.contents.first { $0.requestID == id }!
    }

    /// Waits for a chat line from the object named `object` (whose text satisfies `matching`),
    /// heard after `after` lines of the mirror's chat (`mirror.chat.count` before acting).
    public func waitForChat(
        from object: String, after: Int = 0, timeout: Duration = .seconds(30), matching: @escaping @Sendable (ChatReceived) -> Bool = { _ in true }
    ) async throws -> ChatReceived {
        @Sendable func find(_ mirror: WorldMirror) -> ChatReceived? {
            mirror.chat.dropFirst(after).first { line in
                line.speakerName == object && (line.speakerKind.map { $0 == .object } ?? true) && matching(line)
            }
        }
        try await waitFor(timeout: timeout, "chat from \(object)") { find($0) != nil }
        return find(mirror)!
    }

    /// Waits for diagnostics of the script item `item` (compile errors when `compile`).
    public func waitForDiagnostics(item: String, compile: Bool? = nil, timeout: Duration = .seconds(30)) async throws -> ScriptDiagnostics {
        @Sendable func find(_ mirror: WorldMirror) -> ScriptDiagnostics? {
            mirror.diagnostics.first { diagnostics in diagnostics.item == item && (compile.map { $0 == diagnostics.compile } ?? true) }
        }
        try await waitFor(timeout: timeout, "diagnostics of \(item)") { find($0) != nil }
        return find(mirror)!
    }

    private func result(of id: UInt32, _ what: String, timeout: Duration) async throws -> ObjectResult {
        try await waitFor(timeout: timeout, what) { mirror in
            mirror.results.contains { $0.requestID == id } || mirror.errors.contains { $0.requestID == id }
        }
        let mirror = mirror
        if let error = mirror.errors.first(where: { $0.requestID == id }) { throw ScenarioError.refused(code: error.code, message: error.message) }
        return mirror.results.first { $0.requestID == id }!
    }

    /// Waits until the mirror satisfies `condition`; throws after `timeout` with `what`.
    public func waitFor(timeout: Duration = .seconds(30), _ what: String, _ condition: @Sendable (WorldMirror) -> Bool) async throws {
        try await waitUntil(timeout: timeout, what) { condition($0.mirror) }
    }

    /// Waits until the server has closed the connection.
    public func waitForClose(timeout: Duration = .seconds(30)) async throws {
        try await waitUntil(timeout: timeout, "close") { $0.finished }
    }

    private func waitUntil(timeout: Duration, _ what: String, _ condition: (State) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !state.withLock({ condition($0) }) {
            guard ContinuousClock.now < deadline else { throw ScenarioError.timedOut(what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

public enum ScenarioError: Error, CustomStringConvertible {
    case notConnected(String)
    case timedOut(String)
    case closed(code: Int?, reason: String)
    /// The server answered a request with an Error.
    case refused(code: UInt16, message: String)

    public var description: String {
        switch self {
        case .closed(let code, let reason): "the server closed the connection (\(code.map(String.init) ?? "no code")): \(reason)"
        case .notConnected(let url): "could not connect to \(url)"
        case .timedOut(let what): "timed out waiting for \(what)"
        case .refused(let code, let message): "refused with error \(code): \(message)"
        }
    }
}
