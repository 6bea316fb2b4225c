import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import TesseraRegion
import TesseraTesting
import TesseraWire
import TesseraWorld

/// The generic service link over real loopback sockets, against a service played by the test:
/// what reaches the region's inbox, in which order, when the service answers, falls silent, or
/// sends what is not an answer (docs/service-exchange.md, "Loss").
@Suite("The service link", .serialized)
struct ServiceLinkTests {
    enum Behaviour { case answer, silent, wrongMessage }

    final class FakeService: Sendable {
        let behaviour = Mutex(Behaviour.answer)
        let connections = Atomic<Int>(0)
    }

    final class FakeServiceHandler: ChannelInboundHandler {
        typealias InboundIn = WireMessage
        typealias OutboundOut = WireMessage
        let service: FakeService

        init(service: FakeService) {
            self.service = service
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .accepted = event as? WireConnectionEvent { service.connections.add(1, ordering: .relaxed) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .physicsFrame(let frame) = unwrapInboundIn(data) else { return }
            switch service.behaviour.withLock({ $0 }) {
            case .answer: context.writeAndFlush(wrapOutboundOut(.physicsResult(PhysicsResult(region: frame.region, frame: frame.frame))), promise: nil)
            case .silent: break
            case .wrongMessage: context.writeAndFlush(wrapOutboundOut(.physicsFrame(frame)), promise: nil)
            }
        }
    }

    private let handle = GridPosition(x: 1000, y: 1000)!.handle

    private static func describe(_ input: RegionInput) -> String {
        switch input {
        case .serviceAttached(let service): "\(service) attached"
        case .serviceLost(let service): "\(service) lost"
        case .physicsResult(let result): "physics result \(result.frame)"
        default: "other"
        }
    }

    private func frame(_ number: UInt64) -> WireMessage {
        .physicsFrame(PhysicsFrame(region: handle, frame: number, seconds: 1.0 / 45))
    }

    @Test("attached, answers in order, lost on an overdue answer or a message that is not an answer, and attached again")
    func attachAnswerLoseRedial() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let service = FakeService()
        let listener = WireListener()
        let secret = "service-link-secret"
        let address = try await listener.start(
            host: "127.0.0.1", port: 0, group: group,
            handshake: { WireHandshakeHandler(acceptingSecret: secret, allowedRoles: [.region], reply: HelloAccepted(role: .physics, nodeName: "fake", regions: [])) },
            handler: { FakeServiceHandler(service: service) })
        let inbox = RegionInbox()
        var spec = ServiceLinkSpec.physics(PhysicsEndpoint(host: "127.0.0.1", port: address.port!))
        spec.answerTimeout = 0.3
        let link = ServiceLink(
            spec: spec, hello: Hello(role: .region, nodeName: "node/Region", gridSecret: secret), group: group, inbox: inbox,
            logger: .init(label: "service-link-test"))
        var seen: [String] = []
        func waitFor(_ description: String) async throws {
            try await Eventually.until(description, timeout: .seconds(20)) {
                seen += inbox.drain().map(Self.describe)
                return seen.last == description
            }
        }
        link.start()
        try await waitFor("physics attached")
        link.send(frame(1), frame: 1)
        try await waitFor("physics result 1")

        // Silent: the frame's answer is overdue, the link closes and dials again.
        service.behaviour.withLock { $0 = .silent }
        link.send(frame(2), frame: 2)
        try await waitFor("physics lost")
        try await waitFor("physics attached")

        // Anything but an answer closes the link too.
        service.behaviour.withLock { $0 = .wrongMessage }
        link.send(frame(3), frame: 3)
        try await waitFor("physics lost")
        try await waitFor("physics attached")

        #expect(seen == ["physics attached", "physics result 1", "physics lost", "physics attached", "physics lost", "physics attached"])
        #expect(service.connections.load(ordering: .relaxed) == 3)
        link.stop()
        await listener.shutdown()
        try await group.shutdownGracefully()
    }
}
