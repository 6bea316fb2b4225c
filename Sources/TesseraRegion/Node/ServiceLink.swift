import Logging
import NIOCore
import Synchronization
import TesseraWire
import TesseraWorld

/// One offloaded service as a region's link reaches it (docs/service-exchange.md): where it
/// listens, how large its frames may be, and how its answers reach the region.
struct ServiceLinkSpec: Sendable {
    var kind: ServiceKind
    var host: String
    var port: Int
    var maxFrameBytes: Int
    /// The frame a message from the service answers and the input that carries it to the
    /// region; nil for a message that does not belong on this link (the link is then closed).
    var answer: @Sendable (WireMessage) -> (frame: UInt64, input: RegionInput)?
    /// What the region does while the service is away, for the log.
    var whileLost: String
    /// Seconds the oldest unanswered frame may wait before the service counts as lost.
    var answerTimeout: Double = 2
    var reconnect: ReconnectPolicy = .links
}

extension ServiceLinkSpec {
    static func physics(_ endpoint: PhysicsEndpoint) -> ServiceLinkSpec {
        ServiceLinkSpec(
            kind: .physics, host: endpoint.host, port: endpoint.port, maxFrameBytes: WireChannelOptions.physicsMaxFrameBytes,
            answer: { message in
                guard case .physicsResult(let result) = message else { return nil }
                return (result.frame, .physicsResult(result))
            },
            whileLost: "moving kinematically until it is back")
    }

    static func scripts(_ endpoint: PhysicsEndpoint) -> ServiceLinkSpec {
        ServiceLinkSpec(
            kind: .scripts, host: endpoint.host, port: endpoint.port, maxFrameBytes: WireChannelOptions.scriptsMaxFrameBytes,
            answer: { message in
                guard case .scriptResult(let result) = message else { return nil }
                return (result.frame, .scriptResult(result))
            },
            whileLost: "holding script events until it is back")
    }
}

/// A region's connection to one offloaded service (docs/service-exchange.md). It dials, tells
/// the region when it is attached or lost (through the inbox, in order with the answers),
/// carries the region's frames out and the answers back, closes the connection when an answer
/// is overdue, and dials again under the shared `ReconnectPolicy`.
final class ServiceLink: Sendable {
    private struct State {
        var channel: Channel?
        var stopped = false
        var watch: AnswerWatch
    }

    let spec: ServiceLinkSpec
    private let hello: Hello
    private let tls: WireTLS.Dialing?
    private let group: EventLoopGroup
    private let inbox: RegionInbox
    private let logger: Logger
    private let state: Mutex<State>
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// How often the link looks for an overdue answer.
    static let watchInterval: Duration = .milliseconds(250)

    init(spec: ServiceLinkSpec, hello: Hello, tls: WireTLS.Dialing? = nil, group: EventLoopGroup, inbox: RegionInbox, logger: Logger) {
        self.spec = spec
        self.hello = hello
        self.tls = tls
        self.group = group
        self.inbox = inbox
        self.logger = logger
        state = Mutex(State(watch: AnswerWatch(timeout: spec.answerTimeout)))
    }

    private var address: Logger.MetadataValue { "\(spec.host):\(spec.port)" }

    func start() {
        let loop = Task { await self.run() }
        task.withLock { $0 = loop }
    }

    func stop() {
        let channel = state.withLock { state in
            state.stopped = true
            return state.channel
        }
        task.withLock { $0?.cancel() }
        channel?.close(promise: nil)
    }

    /// Sends region frame `frame` if attached; a frame sent while the link is going down is
    /// lost, and the snapshot after the next attach replaces it.
    func send(_ message: WireMessage, frame: UInt64) {
        let now = LinkClock.seconds()
        let channel = state.withLock { state -> Channel? in
            if state.channel != nil { state.watch.sent(frame, at: now) }
            return state.channel
        }
        channel?.writeAndFlush(message, promise: nil)
    }

    private func answered(_ frame: UInt64, _ input: RegionInput) {
        state.withLock { $0.watch.answered(frame) }
        inbox.push(input)
    }

    private func run() async {
        var reconnector = Reconnector(policy: spec.reconnect)
        var random = SystemRandomNumberGenerator()
        let service = "\(spec.kind)"
        while !Task.isCancelled, !state.withLock({ $0.stopped }) {
            let pause: Duration
            do {
                let answer = spec.answer
                let (channel, _) = try await WireDialer.dial(
                    host: spec.host, port: spec.port, hello: hello, group: group, connectTimeout: .seconds(2), largeReads: true,
                    maxFrameBytes: spec.maxFrameBytes, tls: tls,
                    handler: { [weak self] in ServiceAnswerHandler(answer: answer) { self?.answered($0, $1) } })
                let keep = state.withLock { state -> Bool in
                    guard !state.stopped else { return false }
                    state.channel = channel
                    state.watch.reset()
                    return true
                }
                guard keep else {
                    try? await channel.close()
                    return
                }
                reconnector.connected(at: LinkClock.seconds())
                inbox.push(.serviceAttached(spec.kind))
                logger.info("region attached to \(service)", metadata: [service: address])
                await watch(channel)
                state.withLock { $0.channel = nil; $0.watch.reset() }
                inbox.push(.serviceLost(spec.kind))
                logger.warning("\(service) service lost; \(spec.whileLost)", metadata: [service: address])
                pause = reconnector.disconnected(at: LinkClock.seconds(), using: &random)
            } catch {
                pause = reconnector.dialFailed(using: &random)
                if reconnector.logsDialFailure {
                    logger.warning("\(service) service not reachable; retrying", metadata: [
                        service: address, "error": "\(error)", "attempts": "\(reconnector.dialFailures)",
                    ])
                }
            }
            try? await Task.sleep(for: pause)
        }
    }

    /// Returns when the channel closes; closes it when an answer is overdue.
    private func watch(_ channel: Channel) async {
        let closed = channel.closeFuture
        while channel.isActive {
            try? await Task.sleep(for: Self.watchInterval)
            let now = LinkClock.seconds()
            let overdue = state.withLock { $0.watch.isOverdue(now: now) }
            if overdue || Task.isCancelled {
                if overdue { logger.warning("\(spec.kind) service stopped answering; closing the link") }
                channel.close(promise: nil)
                break
            }
        }
        try? await closed.get()
    }
}

/// Hands each answer to the link; anything else from the service closes the connection.
private final class ServiceAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    private let answer: @Sendable (WireMessage) -> (frame: UInt64, input: RegionInput)?
    private let deliver: (UInt64, RegionInput) -> Void

    init(answer: @escaping @Sendable (WireMessage) -> (frame: UInt64, input: RegionInput)?, deliver: @escaping (UInt64, RegionInput) -> Void) {
        self.answer = answer
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let (frame, input) = answer(unwrapInboundIn(data)) { deliver(frame, input) } else { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
