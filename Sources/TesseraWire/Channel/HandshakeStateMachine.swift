import TesseraCodec

/// The `Hello` exchange that opens every Tessera wire connection, as a pure state machine:
/// it takes messages and returns what to do; `WireHandshakeHandler` carries the actions out.
/// See docs/wire-protocol.md, "Handshake".
public struct HandshakeStateMachine: Sendable {
    public enum Side: Sendable {
        /// The listening side: waits for `Hello`, checks it, answers.
        case acceptor(secret: String, allowedRoles: Set<WireRole>, reply: HelloAccepted)
        /// The connecting side: has sent `Hello`, waits for the answer.
        case initiator
    }

    public enum Action: Equatable, Sendable {
        /// Send the reply and treat the connection as open with this peer.
        case accept(reply: HelloAccepted, peer: Hello)
        /// The peer accepted our `Hello`.
        case established(HelloAccepted)
        /// Send the refusal, then close.
        case refuse(HelloRefused)
        /// The peer refused us; close.
        case refused(HelloRefused)
        /// A message of the open connection: hand it on.
        case forward(WireMessage)
        /// A protocol violation: close.
        case fail(CodecError)
    }

    enum State: Sendable {
        case waiting
        case open
        case closed
    }

    /// How the acceptor knows the peer belongs to the grid.
    public enum Authentication: Sendable, Equatable {
        /// The `Hello` carries the grid secret (loopback development).
        case secret
        /// The TLS handshake checked the peer's certificate; the `Hello` must name its role and
        /// node, and its secret is not looked at.
        case certificate
    }

    let side: Side
    let authentication: Authentication
    var state = State.waiting
    /// Set by the TLS check before the `Hello` arrives (`.certificate` only).
    public var certifiedPeer: CertifiedPeer?

    public init(side: Side, authentication: Authentication = .secret) {
        self.side = side
        self.authentication = authentication
    }

    public var isOpen: Bool { if case .open = state { true } else { false } }

    public mutating func receive(_ message: WireMessage) -> Action {
        switch (state, side, message) {
        case (.waiting, .acceptor(let secret, let roles, let reply), .hello(let hello)):
            let refusal = switch authentication {
            case .secret: Self.check(hello, secret: secret, allowedRoles: roles)
            case .certificate: Self.check(hello, certified: certifiedPeer, allowedRoles: roles)
            }
            if let refusal {
                state = .closed
                return .refuse(refusal)
            }
            state = .open
            return .accept(reply: reply, peer: hello)
        case (.waiting, .acceptor, _):
            state = .closed
            return .refuse(HelloRefused(reason: .protocolError, message: "expected Hello first, got \(message.messageType)"))
        case (.waiting, .initiator, .helloAccepted(let accepted)):
            guard accepted.version == wireProtocolVersion else {
                state = .closed
                return .fail(.invalidValue(field: "helloAccepted.version", reason: "peer speaks version \(accepted.version)"))
            }
            state = .open
            return .established(accepted)
        case (.waiting, .initiator, .helloRefused(let refusal)):
            state = .closed
            return .refused(refusal)
        case (.waiting, .initiator, _):
            state = .closed
            return .fail(.unexpectedMessage("\(message.messageType) before HelloAccepted"))
        case (.open, _, .hello), (.open, _, .helloAccepted), (.open, _, .helloRefused):
            state = .closed
            return .fail(.unexpectedMessage("\(message.messageType) after the handshake"))
        case (.open, _, _):
            return .forward(message)
        case (.closed, _, _):
            return .fail(.unexpectedMessage("\(message.messageType) on a closed connection"))
        }
    }

    static func check(_ hello: Hello, secret: String, allowedRoles: Set<WireRole>) -> HelloRefused? {
        guard hello.version == wireProtocolVersion else {
            return HelloRefused(
                reason: .unsupportedVersion,
                message: "this node speaks version \(wireProtocolVersion), peer sent \(hello.version)"
            )
        }
        guard constantTimeEqual(hello.gridSecret, secret) else {
            return HelloRefused(reason: .wrongSecret, message: "wrong grid secret")
        }
        guard allowedRoles.contains(hello.role) else {
            return HelloRefused(reason: .unexpectedRole, message: "this node does not accept \(hello.role) peers")
        }
        return nil
    }

    /// Over TLS: the certificate already proved who the peer is; its `Hello` must agree with it
    /// (a region's link to a service names itself `node/region`).
    static func check(_ hello: Hello, certified: CertifiedPeer?, allowedRoles: Set<WireRole>) -> HelloRefused? {
        guard hello.version == wireProtocolVersion else {
            return HelloRefused(
                reason: .unsupportedVersion,
                message: "this node speaks version \(wireProtocolVersion), peer sent \(hello.version)"
            )
        }
        guard let certified else {
            return HelloRefused(reason: .certificateMismatch, message: "no certificate was checked on this connection")
        }
        guard hello.role == certified.role else {
            return HelloRefused(reason: .certificateMismatch, message: "Hello says role \(hello.role), the certificate of \(certified.node) is for \(certified.role)")
        }
        guard hello.nodeName == certified.node || hello.nodeName.hasPrefix(certified.node + "/") else {
            return HelloRefused(reason: .certificateMismatch, message: "Hello names node \(hello.nodeName), the certificate is of \(certified.node)")
        }
        guard allowedRoles.contains(hello.role) else {
            return HelloRefused(reason: .unexpectedRole, message: "this node does not accept \(hello.role) peers")
        }
        return nil
    }
}

/// Compares secrets without leaking the position of the first difference through timing.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var difference = UInt8(x.count == y.count ? 0 : 1)
    for index in 0..<max(x.count, y.count) {
        difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
    }
    return difference == 0
}

extension WireMessageType: CustomStringConvertible {
    public var description: String {
        switch self {
        case .hello: "Hello"
        case .helloAccepted: "HelloAccepted"
        case .helloRefused: "HelloRefused"
        case .agentJoin: "AgentJoin"
        case .agentJoined: "AgentJoined"
        case .agentLeave: "AgentLeave"
        case .agentInput: "AgentInput"
        case .agentNotice: "AgentNotice"
        case .regionFrame: "RegionFrame"
        case .gridRequest: "GridRequest"
        case .gridReply: "GridReply"
        case .handoffOffer: "HandoffOffer"
        case .handoffSignal: "HandoffSignal"
        case .ghostFrame: "GhostFrame"
        case .chatRelay: "ChatRelay"
        case .statusRequest: "StatusRequest"
        case .statusReply: "StatusReply"
        case .adminRequest: "AdminRequest"
        case .adminReply: "AdminReply"
        case .physicsFrame: "PhysicsFrame"
        case .physicsResult: "PhysicsResult"
        case .scriptFrame: "ScriptFrame"
        case .scriptResult: "ScriptResult"
        }
    }
}
