import NIOCore
import Synchronization
import TesseraLLUDP
import TesseraWorld

/// One viewer's circuit with one endpoint (one region as the viewer sees it): the reliable
/// delivery state of `SLCircuit` over the endpoint's socket. Datagrams in are handled on the
/// endpoint's event loop; messages out are written from the viewer's ticker and from the
/// input path (ACKs, answers), so the state is behind a lock.
final class ViewerCircuit: Sendable {
    let endpoint: LLUDPEndpoint
    let address: SocketAddress
    let viewer: ViewerSession
    private let state: Mutex<SLCircuit>
    private static let clock = ContinuousClock()
    private static let origin = clock.now

    init(endpoint: LLUDPEndpoint, address: SocketAddress, viewer: ViewerSession) {
        self.endpoint = endpoint
        self.address = address
        self.viewer = viewer
        state = Mutex(SLCircuit(now: Self.now))
    }

    var region: RegionHandle { endpoint.region }

    /// Seconds on the front end's monotonic clock.
    static var now: Double {
        let elapsed = clock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Takes one datagram: its appended ACKs clear our reliable packets, a reliable one is
    /// acknowledged, circuit messages (acks, pings) are answered; returns the packets to act
    /// on (none for a duplicate). A malformed datagram throws and changes nothing.
    func receive(_ datagram: ByteBuffer) throws -> [SLPacket] {
        let actions = try state.withLock { circuit in try circuit.receive(datagram, now: Self.now) }
        return perform(actions)
    }

    func send(_ message: some SLMessageBody, reliable: Bool = false) {
        let actions = state.withLock { $0.send(message, reliable: reliable, now: Self.now) }
        _ = perform(actions)
    }

    /// Resends, pending ACKs and pings that are due; false once the circuit is closed (the
    /// viewer stopped answering).
    func service() -> Bool {
        let actions = state.withLock { $0.tick(now: Self.now) }
        _ = perform(actions)
        return state.withLock { $0.isOpen }
    }

    private func perform(_ actions: [SLCircuit.Action]) -> [SLPacket] {
        var delivered: [SLPacket] = []
        for action in actions {
            switch action {
            case .send(let datagram): endpoint.write(datagram, to: address)
            case .deliver(let packet): delivered.append(packet)
            case .close: break
            }
        }
        return delivered
    }

    var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Why the circuit closed, once it has.
    var closeReason: SLCircuit.CloseReason? { state.withLock { $0.closeReason } }

    /// Reliable packets not yet acknowledged.
    var unacknowledged: Int { state.withLock { $0.unackedCount } }

    func close() {
        endpoint.detach(self)
    }
}
