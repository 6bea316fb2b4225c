import Foundation
import HummingbirdWSClient
import Logging
import NIOWebSocket
import NIOCore
import NIOPosix
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
    }

    private let state = Mutex(State())
    private let connection: Task<Void, Never>

    /// Opens the connection; returns once it is upgraded (throws if it is not, within 5 s).
    public static func connect(_ url: String, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> ScenarioClient {
        let client = ScenarioClient(url: url, group: group)
        try await client.waitUntil(timeout: .seconds(5), "connected") { state in state.outbound != nil || state.finished }
        guard client.state.withLock({ $0.outbound != nil }) else { throw ScenarioError.notConnected(url) }
        return client
    }

    private init(url: String, group: EventLoopGroup) {
        let box = Mutex<ScenarioClient?>(nil)
        connection = Task {
            while box.withLock({ $0 }) == nil { await Task.yield() }
            await box.withLock { $0 }!.run(url: url, group: group)
        }
        box.withLock { $0 = self }
    }

    private func run(url: String, group: EventLoopGroup) async {
        do {
            let close = try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 1 << 22), eventLoopGroup: group,
                logger: Logger(label: "tessera.scenario")
            ) { inbound, outbound, _ in
                self.state.withLock { $0.outbound = outbound }
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    guard case .binary(let frame) = message else {
                        self.state.withLock { $0.violations.append("text frame") }
                        continue
                    }
                    self.state.withLock { state in
                        state.frames += 1
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

    public var description: String {
        switch self {
        case .closed(let code, let reason): "the server closed the connection (\(code.map(String.init) ?? "no code")): \(reason)"
        case .notConnected(let url): "could not connect to \(url)"
        case .timedOut(let what): "timed out waiting for \(what)"
        }
    }
}
