import Logging
import NIOCore
import NIOPosix
import Synchronization
import TesseraGridProtocol

/// A region node's or client manager's connection to the grid services. `call` sends one
/// request and waits for its reply, at most `callTimeout`; calls are pipelined on one TCP
/// connection. When the connection drops, pending calls fail with `serviceUnavailable` and
/// the client reconnects with backoff until `stop()`.
public final class GridClient: Sendable {
    public let host: String
    public let port: Int
    public let callTimeout: TimeAmount
    private let hello: Hello
    private let tls: WireTLS.Dialing?
    private let group: EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var channel: Channel?
        var nextID: UInt32 = 1
        var pending: [UInt32: CheckedContinuation<GridAnswer, any Error>] = [:]
        var stopped = false
        /// The run of failed dials (docs/service-exchange.md, "Reconnect policy").
        var reconnector = Reconnector()
    }

    public init(
        host: String, port: Int, hello: Hello, group: EventLoopGroup, callTimeout: TimeAmount = .seconds(10), tls: WireTLS.Dialing? = nil,
        logger: Logger
    ) {
        self.tls = tls
        self.host = host
        self.port = port
        self.hello = hello
        self.group = group
        self.callTimeout = callTimeout
        self.logger = logger
    }

    public var isConnected: Bool { state.withLock { $0.channel != nil } }

    /// Connects, retrying for up to `patience`; afterwards keeps reconnecting on loss.
    public func start(patience: Duration = .seconds(30)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + patience
        var reconnector = Reconnector()
        var random = SystemRandomNumberGenerator()
        while true {
            do {
                return try await connect()
            } catch WireConnectionError.refused(let refusal) {
                throw GridClientError.refused("\(host):\(port)", "\(refusal.reason): \(refusal.message)")
            } catch {
                let pause = reconnector.dialFailed(using: &random)
                guard clock.now < deadline else { throw GridClientError.unreachable("\(host):\(port)", "\(error)") }
                if reconnector.logsDialFailure {
                    logger.info("grid services not reachable yet; retrying", metadata: ["address": "\(host):\(port)", "error": "\(error)"])
                }
                try await Task.sleep(for: pause)
            }
        }
    }

    public func stop() {
        let (channel, pending) = state.withLock { state in
            state.stopped = true
            defer { state.pending = [:] }
            return (state.channel, state.pending)
        }
        for continuation in pending.values {
            continuation.resume(throwing: CallStatus(.serviceUnavailable, "the grid connection is closing"))
        }
        channel?.close(promise: nil)
    }

    /// Performs one call. Throws `CallStatus` (the grid's refusal, or `serviceUnavailable`
    /// when the grid is unreachable or does not answer within `timeout`, `callTimeout` unless
    /// given: logins wait longer, their password checks queue).
    public func call(_ call: GridCall, timeout: TimeAmount? = nil) async throws -> GridAnswer {
        let timeout = timeout ?? callTimeout
        return try await withCheckedThrowingContinuation { continuation in
            let sent: (UInt32, Channel)? = state.withLock { state in
                guard let channel = state.channel else { return nil }
                let id = state.nextID
                state.nextID = state.nextID == UInt32.max ? 1 : state.nextID + 1
                state.pending[id] = continuation
                return (id, channel)
            }
            guard let (id, channel) = sent else {
                continuation.resume(throwing: CallStatus(.serviceUnavailable, "the grid services are not reachable"))
                return
            }
            channel.writeAndFlush(WireMessage.gridRequest(GridRequest(requestID: id, call: call)), promise: nil)
            channel.eventLoop.scheduleTask(in: timeout) {
                self.finish(id, .failure(CallStatus(.serviceUnavailable, "the grid services did not answer within \(timeout.nanoseconds / 1_000_000) ms")))
            }
        }
    }

    private func finish(_ id: UInt32, _ outcome: Result<GridAnswer, CallStatus>) {
        guard let continuation = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        continuation.resume(with: outcome.mapError { $0 as any Error })
    }

    private func connect() async throws {
        let (channel, _) = try await WireDialer.dial(host: host, port: port, hello: hello, group: group, tls: tls) {
            GridClientHandler(client: self)
        }
        let stopped = state.withLock { state in
            if !state.stopped {
                state.channel = channel
                state.reconnector.connected(at: LinkClock.seconds())
            }
            return state.stopped
        }
        if stopped {
            channel.close(promise: nil)
            return
        }
        logger.info("connected to grid services", metadata: ["address": "\(host):\(port)"])
        channel.closeFuture.whenComplete { _ in self.connectionLost(channel) }
    }

    private func connectionLost(_ channel: Channel) {
        let (pending, stopped, pause) = state.withLock { state -> ([CheckedContinuation<GridAnswer, any Error>], Bool, Duration?) in
            // The loss of a connection already replaced: nothing to do.
            guard state.channel === channel else { return ([], state.stopped, nil) }
            state.channel = nil
            var random = SystemRandomNumberGenerator()
            let pause = state.reconnector.disconnected(at: LinkClock.seconds(), using: &random)
            defer { state.pending = [:] }
            return (Array(state.pending.values), state.stopped, pause)
        }
        for continuation in pending {
            continuation.resume(throwing: CallStatus(.serviceUnavailable, "lost the connection to the grid services"))
        }
        guard !stopped, let pause else { return }
        logger.warning("lost the grid services; reconnecting", metadata: ["address": "\(host):\(port)"])
        scheduleReconnect(after: pause)
    }

    private func scheduleReconnect(after pause: Duration) {
        Redial.schedule(
            on: group, after: pause, skip: { self.state.withLock { $0.stopped || $0.channel != nil } }, connect: { try await self.connect() },
            failed: { error in
                let (pause, attempts) = self.state.withLock { $0.reconnector.dialFailed() }
                if let attempts {
                    self.logger.warning("grid services unreachable", metadata: [
                        "address": "\(self.host):\(self.port)", "error": "\(error)", "attempts": "\(attempts)",
                    ])
                }
                return pause
            })
    }

    fileprivate func received(_ message: WireMessage) {
        guard case .gridReply(let reply) = message else {
            logger.warning("grid services sent an unexpected message", metadata: ["type": "\(message.messageType)"])
            return
        }
        finish(reply.requestID, reply.outcome)
    }
}

public enum GridClientError: Error, CustomStringConvertible {
    case unreachable(String, String)
    case refused(String, String)

    public var description: String {
        switch self {
        case .unreachable(let address, let error): "cannot reach the grid services at \(address): \(error)"
        case .refused(let address, let error): "the grid services at \(address) refused this node: \(error)"
        }
    }
}

private final class GridClientHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage

    private let client: GridClient

    init(client: GridClient) {
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.received(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
