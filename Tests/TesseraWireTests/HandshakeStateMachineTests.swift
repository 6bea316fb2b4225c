import Testing
import TesseraCodec
import TesseraWire
import TesseraWorld

private let secret = "grid-secret"
private let reply = HelloAccepted(
    role: .region, nodeName: "region-1",
    regions: [RegionDescriptor(handle: GridPosition(x: 1000, y: 1000)!.handle, name: "Centre")]
)

private func acceptor(roles: Set<WireRole> = [.clientManager]) -> HandshakeStateMachine {
    HandshakeStateMachine(side: .acceptor(secret: secret, allowedRoles: roles, reply: reply))
}

private func refusalReason(_ action: HandshakeStateMachine.Action) -> HelloRefused.Reason? {
    guard case .refuse(let refusal) = action else { return nil }
    return refusal.reason
}

private func isFailure(_ action: HandshakeStateMachine.Action) -> Bool {
    if case .fail = action { true } else { false }
}

private let join = WireMessage.agentJoin(AgentJoin(region: reply.regions[0].handle, agentID: WireSamples.agentA, name: "Ada"))

@Suite struct HandshakeAcceptorTests {
    @Test func acceptsACorrectHello() {
        var machine = acceptor()
        #expect(!machine.isOpen)
        let hello = Hello(role: .clientManager, nodeName: "cm-1", gridSecret: secret)
        #expect(machine.receive(.hello(hello)) == .accept(reply: reply, peer: hello))
        #expect(machine.isOpen)
    }

    @Test func refusesAWrongSecret() {
        for wrong in ["", "grid-secreT", "grid-secret ", "grid-secre", "x"] {
            var machine = acceptor()
            #expect(refusalReason(machine.receive(.hello(Hello(role: .clientManager, nodeName: "cm", gridSecret: wrong)))) == .wrongSecret)
            #expect(!machine.isOpen)
        }
    }

    @Test func refusesAnotherVersion() {
        var machine = acceptor()
        let hello = Hello(version: wireProtocolVersion + 1, role: .clientManager, nodeName: "cm", gridSecret: secret)
        #expect(refusalReason(machine.receive(.hello(hello))) == .unsupportedVersion)
        #expect(!machine.isOpen)
    }

    @Test func refusesARoleItDoesNotServe() {
        for role in WireRole.allCases where role != .clientManager {
            var machine = acceptor()
            #expect(refusalReason(machine.receive(.hello(Hello(role: role, nodeName: "p", gridSecret: secret)))) == .unexpectedRole)
        }
        var several = acceptor(roles: [.physics, .scripts])
        #expect(refusalReason(several.receive(.hello(Hello(role: .scripts, nodeName: "s", gridSecret: secret)))) == nil)
        #expect(several.isOpen)
    }

    @Test func refusesAnythingButHelloFirst() {
        for message in WireSamples.all {
            if case .hello = message { continue }
            var machine = acceptor()
            #expect(refusalReason(machine.receive(message)) == .protocolError, "\(message.messageType) first")
            #expect(!machine.isOpen)
        }
    }

    @Test func afterARefusalEverythingFails() {
        var machine = acceptor()
        _ = machine.receive(.hello(Hello(role: .clientManager, nodeName: "cm", gridSecret: "wrong")))
        #expect(isFailure(machine.receive(.hello(Hello(role: .clientManager, nodeName: "cm", gridSecret: secret)))))
        #expect(isFailure(machine.receive(join)))
        #expect(!machine.isOpen)
    }

    @Test func openConnectionForwardsAndFailsOnASecondHello() {
        var machine = acceptor()
        _ = machine.receive(.hello(Hello(role: .clientManager, nodeName: "cm", gridSecret: secret)))
        for message in WireSamples.agentJoins + WireSamples.agentInputs + WireSamples.agentLeaves + WireSamples.regionFrames {
            #expect(machine.receive(message) == .forward(message))
        }
        guard case .fail(let error) = machine.receive(.hello(Hello(role: .clientManager, nodeName: "cm", gridSecret: secret))),
            case .unexpectedMessage = error
        else {
            Issue.record("a second Hello must fail with unexpectedMessage")
            return
        }
        #expect(!machine.isOpen)
        #expect(isFailure(machine.receive(join)), "nothing is forwarded once closed")
    }

    @Test func handshakeRepliesAfterOpenFail() {
        for late in [WireSamples.helloAccepteds[0], WireSamples.helloRefuseds[0]] {
            var machine = acceptor()
            _ = machine.receive(.hello(Hello(role: .clientManager, nodeName: "cm", gridSecret: secret)))
            #expect(isFailure(machine.receive(late)))
            #expect(!machine.isOpen)
        }
    }
}

@Suite struct HandshakeInitiatorTests {
    @Test func establishedOnHelloAccepted() {
        var machine = HandshakeStateMachine(side: .initiator)
        #expect(machine.receive(.helloAccepted(reply)) == .established(reply))
        #expect(machine.isOpen)
        #expect(machine.receive(join) == .forward(join))
    }

    @Test func refusedOnHelloRefused() {
        for reason in HelloRefused.Reason.allCases {
            var machine = HandshakeStateMachine(side: .initiator)
            let refusal = HelloRefused(reason: reason, message: "no")
            #expect(machine.receive(.helloRefused(refusal)) == .refused(refusal))
            #expect(!machine.isOpen)
        }
    }

    @Test func failsOnAnythingElse() {
        for message in WireSamples.all {
            switch message {
            case .helloAccepted, .helloRefused: continue
            default: break
            }
            var machine = HandshakeStateMachine(side: .initiator)
            guard case .fail(.unexpectedMessage) = machine.receive(message) else {
                Issue.record("\(message.messageType) before HelloAccepted must fail")
                continue
            }
            #expect(!machine.isOpen)
        }
    }

    @Test func failsOnAnAcceptanceInAnotherVersion() {
        var machine = HandshakeStateMachine(side: .initiator)
        var other = reply
        other.version = wireProtocolVersion + 1
        guard case .fail(.invalidValue(let field, _)) = machine.receive(.helloAccepted(other)) else {
            Issue.record("a HelloAccepted of another version must fail")
            return
        }
        #expect(field == "helloAccepted.version")
        #expect(!machine.isOpen)
    }
}
