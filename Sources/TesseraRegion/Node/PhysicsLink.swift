import DequeModule
import Logging
import NIOCore
import Synchronization
import TesseraWire
import TesseraWorld

/// A region's connection to its physics service (docs/physics.md). It dials, tells the
/// region when it is attached or lost (through the inbox, in order), carries the region's
/// frames out and the answers back, and dials again after a loss. A service that stops
/// answering while frames wait is treated as lost after `answerTimeout`.
final class PhysicsLink: Sendable {
    private struct State {
        var channel: Channel?
        var stopped = false
        /// When each unanswered frame was sent, oldest first (the service answers in order).
        var unanswered = Deque<NIODeadline>()
    }

    let endpoint: PhysicsEndpoint
    private let hello: Hello
    private let group: EventLoopGroup
    private let inbox: RegionInbox
    private let logger: Logger
    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)
    static let answerTimeout: TimeAmount = .seconds(2)
    static let retryDelays: [Duration] = [.milliseconds(200), .milliseconds(500), .seconds(1), .seconds(2)]

    init(endpoint: PhysicsEndpoint, hello: Hello, group: EventLoopGroup, inbox: RegionInbox, logger: Logger) {
        self.endpoint = endpoint
        self.hello = hello
        self.group = group
        self.inbox = inbox
        self.logger = logger
    }

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

    /// Sends a frame if attached; a frame sent while the link is going down is lost, and the
    /// snapshot after the next attach replaces it.
    func send(_ frame: PhysicsFrame) {
        let channel = state.withLock { state -> Channel? in
            if state.channel != nil { state.unanswered.append(.now()) }
            return state.channel
        }
        channel?.writeAndFlush(WireMessage.physicsFrame(frame), promise: nil)
    }

    private func answered(_ result: PhysicsResult) {
        state.withLock { _ = $0.unanswered.popFirst() }
        inbox.push(.physicsResult(result))
    }

    private func run() async {
        var failures = 0
        while !Task.isCancelled, !state.withLock({ $0.stopped }) {
            do {
                let (channel, _) = try await WireDialer.dial(
                    host: endpoint.host, port: endpoint.port, hello: hello, group: group, connectTimeout: .seconds(2), largeReads: true,
                    maxFrameBytes: WireChannelOptions.physicsMaxFrameBytes,
                    handler: { [weak self] in PhysicsLinkHandler { self?.answered($0) } })
                let keep = state.withLock { state -> Bool in
                    guard !state.stopped else { return false }
                    state.channel = channel
                    state.unanswered = []
                    return true
                }
                guard keep else {
                    try? await channel.close()
                    return
                }
                inbox.push(.physicsAttached)
                logger.info("region attached to physics", metadata: ["physics": "\(endpoint.host):\(endpoint.port)"])
                failures = 0
                await watch(channel)
                state.withLock { $0.channel = nil; $0.unanswered = [] }
                inbox.push(.physicsLost)
                logger.warning("physics service lost; moving kinematically until it is back", metadata: ["physics": "\(endpoint.host):\(endpoint.port)"])
            } catch {
                if failures == 0 {
                    logger.warning("physics service not reachable; retrying", metadata: ["physics": "\(endpoint.host):\(endpoint.port)", "error": "\(error)"])
                }
                failures += 1
            }
            try? await Task.sleep(for: Self.retryDelays[min(failures, Self.retryDelays.count - 1)])
        }
    }

    /// Returns when the channel closes; closes it when an answer is overdue.
    private func watch(_ channel: Channel) async {
        let closed = channel.closeFuture
        while channel.isActive {
            try? await Task.sleep(for: .milliseconds(250))
            let overdue = state.withLock { state in
                state.unanswered.first.map { NIODeadline.now() - $0 > Self.answerTimeout } ?? false
            }
            if overdue || Task.isCancelled {
                if overdue { logger.warning("physics service stopped answering; closing the link") }
                channel.close(promise: nil)
                break
            }
        }
        try? await closed.get()
    }
}

/// Hands each `PhysicsResult` to the link.
private final class PhysicsLinkHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    private let deliver: (PhysicsResult) -> Void

    init(deliver: @escaping (PhysicsResult) -> Void) {
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .physicsResult(let result) = unwrapInboundIn(data) { deliver(result) } else { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
