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

    let side: Side
    var state = State.waiting

    public init(side: Side) {
        self.side = side
    }

    public var isOpen: Bool { if case .open = state { true } else { false } }

    public mutating func receive(_ message: WireMessage) -> Action {
        switch (state, side, message) {
        case (.waiting, .acceptor(let secret, let roles, let reply), .hello(let hello)):
            if let refusal = Self.check(hello, secret: secret, allowedRoles: roles) {
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
        case .regionMigrate: "RegionMigrate"
        case .regionMoved: "RegionMoved"
        }
    }
}
