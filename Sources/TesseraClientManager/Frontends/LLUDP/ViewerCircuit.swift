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
        state = Mutex(SLCircuit())
    }

    var region: RegionHandle { endpoint.region }

    /// Seconds on the front end's monotonic clock.
    static var now: Double {
        let elapsed = clock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Takes one packet: its appended ACKs clear our reliable packets, a reliable one is
    /// acknowledged; false when it is a duplicate (acknowledged again, not acted on).
    func accept(_ packet: SLPacket) -> Bool {
        state.withLock { $0.receive(packet, now: Self.now) }
    }

    /// The viewer started the circuit again (a second UseCircuitCode from the same address):
    /// the duplicate window restarts, our sequence numbers go on.
    func restart() {
        state.withLock { $0.restartIncoming() }
    }

    func send(_ message: some SLMessageBody, reliable: Bool = false) {
        let datagram = state.withLock { $0.encode(message, reliable: reliable, now: Self.now) }
        endpoint.write(datagram, to: address)
    }

    /// Resends, pending ACKs and pings that are due; false once the circuit is dead (the
    /// viewer stopped answering).
    func service() -> Bool {
        let (datagrams, alive) = state.withLock { circuit -> ([ByteBuffer], Bool) in
            let due = circuit.service(now: Self.now)
            return (due.datagrams, !due.dead)
        }
        for datagram in datagrams { endpoint.write(datagram, to: address) }
        return alive
    }

    /// Reliable packets not yet acknowledged (a viewer that stops acking stops getting more).
    var unacknowledged: Int { state.withLock { $0.unackedCount } }

    func close() {
        endpoint.detach(self)
    }
}
