import NIOCore
import Synchronization
import TesseraCodec

/// Runs `HandshakeStateMachine` on a channel. Sits after the frame decoder; passes on only
/// messages of an open connection, and announces the peer with a `WireConnectionEvent`.
public final class WireHandshakeHandler: ChannelInboundHandler {
    public typealias InboundIn = WireMessage
    public typealias InboundOut = WireMessage
    public typealias OutboundOut = WireMessage

    /// Seconds an accepted connection has to send a `Hello` that is accepted.
    public static let defaultDeadline = TimeAmount.seconds(5)

    private var machine: HandshakeStateMachine
    private let hello: Hello?
    private let outcome: EventLoopPromise<HelloAccepted>?
    private let deadline: TimeAmount
    private let gate: HandshakeGate
    /// Set by `addWireHandlers` on the accepting side.
    var frameLimit: WireFrameLimit?
    private var countedAsPending = false
    private var deadlineTask: Scheduled<Void>?

    /// The listening side. A peer that has not passed the handshake within `deadline` is closed.
    /// At most `gate.limit` connections of the gate wait for their handshake at once; one more is
    /// closed as soon as it is accepted.
    public init(
        acceptingSecret secret: String, allowedRoles: Set<WireRole>, reply: HelloAccepted,
        deadline: TimeAmount = WireHandshakeHandler.defaultDeadline, gate: HandshakeGate = .process
    ) {
        machine = HandshakeStateMachine(side: .acceptor(secret: secret, allowedRoles: allowedRoles, reply: reply))
        hello = nil
        outcome = nil
        self.deadline = deadline
        self.gate = gate
    }

    var isAcceptor: Bool { hello == nil }

    /// The roles an accepting handler admits (empty on the connecting side).
    var allowedRoles: Set<WireRole> {
        if case .acceptor(_, let roles, _) = machine.side { roles } else { [] }
    }

    /// Set by `addWireHandlers` when the link is TLS: the `Hello` is checked against the
    /// certificate the TLS handshake accepted instead of the grid secret.
    var certified: CertifiedPeerBox? {
        didSet { if certified != nil { machine = HandshakeStateMachine(side: machine.side, authentication: .certificate) } }
    }

    /// The connecting side; `outcome` completes with the peer's answer or the refusal.
    public init(initiating hello: Hello, outcome: EventLoopPromise<HelloAccepted>) {
        machine = HandshakeStateMachine(side: .initiator)
        self.hello = hello
        self.outcome = outcome
        deadline = Self.defaultDeadline
        gate = .process
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        if let hello {
            context.writeAndFlush(wrapOutboundOut(.hello(hello)), promise: nil)
            return
        }
        guard !countedAsPending, deadlineTask == nil else { return }
        countedAsPending = true
        if gate.pending.wrappingAdd(1, ordering: .relaxed).newValue > gate.limit {
            context.close(promise: nil)
            return
        }
        deadlineTask = context.eventLoop.assumeIsolated().scheduleTask(in: deadline) {
            guard !self.machine.isOpen else { return }
            context.close(promise: nil)
        }
    }

    /// The connection passed the handshake or closed: it is pending no more.
    private func stopWaiting() {
        deadlineTask?.cancel()
        deadlineTask = nil
        if countedAsPending {
            countedAsPending = false
            gate.pending.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let certified, machine.certifiedPeer == nil { machine.certifiedPeer = certified.peer }
        switch machine.receive(unwrapInboundIn(data)) {
        case .accept(let reply, let peer):
            stopWaiting()
            frameLimit?.raise()
            context.writeAndFlush(wrapOutboundOut(.helloAccepted(reply)), promise: nil)
            context.fireUserInboundEventTriggered(WireConnectionEvent.accepted(peer))
        case .established(let accepted):
            outcome?.succeed(accepted)
            context.fireUserInboundEventTriggered(WireConnectionEvent.established(accepted))
        case .refuse(let refusal):
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.helloRefused(refusal))).whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
        case .refused(let refusal):
            outcome?.fail(WireConnectionError.refused(refusal))
            context.close(promise: nil)
        case .forward(let message):
            context.fireChannelRead(wrapInboundOut(message))
        case .fail(let error):
            outcome?.fail(error)
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        stopWaiting()
        outcome?.fail(WireConnectionError.closedDuringHandshake)
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        outcome?.fail(error)
        context.fireErrorCaught(error)
    }
}

/// Counts accepted connections that have not passed the handshake; beyond `limit` new ones are
/// closed at once, so idle or slow unauthenticated peers cannot pile up.
public final class HandshakeGate: Sendable {
    /// The gate of every listener in the process.
    public static let process = HandshakeGate(limit: 256)

    public let limit: Int
    let pending = Atomic<Int>(0)

    public init(limit: Int) {
        self.limit = limit
    }

    /// Connections waiting for their handshake now.
    public var waiting: Int { pending.load(ordering: .relaxed) }
}

public enum WireConnectionEvent: Sendable {
    /// Listening side: a peer passed the handshake.
    case accepted(Hello)
    /// Connecting side: the peer accepted us.
    case established(HelloAccepted)
}

public enum WireConnectionError: Error, CustomStringConvertible {
    case refused(HelloRefused)
    case closedDuringHandshake

    public var description: String {
        switch self {
        case .refused(let refusal): "refused by peer (\(refusal.reason)): \(refusal.message)"
        case .closedDuringHandshake: "connection closed during the handshake"
        }
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Frame decoder, encoder and handshake: the base of every Tessera wire channel.
    /// On the accepting side frames are held to `WireFrameLimit.beforeHandshake` bytes until the
    /// peer's `Hello` is accepted, and the peer has `WireHandshakeHandler.defaultDeadline` for it.
    /// With `tls` the channel is mutual TLS first (docs/security.md): an accepting side admits
    /// certificates of the roles its handshake accepts, and checks the `Hello` against it.
    public func addWireHandlers(
        handshake: WireHandshakeHandler, maxFrameBytes: Int = WireMessageDecoder.defaultMaxFrameBytes, tls: WireTLS? = nil, remote: SocketAddress? = nil
    ) throws {
        if let tls {
            let certified = CertifiedPeerBox()
            handshake.certified = certified
            try addHandler(tls.serverHandler(roles: handshake.allowedRoles, peer: certified, remote: remote.map(Self.describe) ?? "unknown"))
        }
        try addFramingAndHandshake(handshake, maxFrameBytes: maxFrameBytes)
    }

    /// The connecting side over TLS: the peer's certificate must be of one of `dialing.roles`;
    /// what the check found goes to `certified`.
    func addWireHandlers(
        handshake: WireHandshakeHandler, maxFrameBytes: Int, dialing: WireTLS.Dialing?, certified: CertifiedPeerBox, remote: String
    ) throws {
        if let dialing {
            try addHandler(try dialing.tls.clientHandler(roles: dialing.roles, peer: certified, remote: remote))
        }
        try addFramingAndHandshake(handshake, maxFrameBytes: maxFrameBytes)
    }

    /// `127.0.0.1:41234`, as log lines name a peer.
    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress else { return "\(address)" }
        return address.protocol == .inet6 ? "[\(ip)]:\(address.port ?? 0)" : "\(ip):\(address.port ?? 0)"
    }

    private func addFramingAndHandshake(_ handshake: WireHandshakeHandler, maxFrameBytes: Int) throws {
        if handshake.isAcceptor {
            let limit = WireFrameLimit(afterHandshake: maxFrameBytes)
            handshake.frameLimit = limit
            try addHandler(ByteToMessageHandler(WireMessageDecoder(limit: limit)))
        } else {
            try addHandler(ByteToMessageHandler(WireMessageDecoder(maxFrameBytes: maxFrameBytes)))
        }
        try addHandler(MessageToByteHandler(WireMessageEncoder()))
        try addHandler(handshake)
    }
}
