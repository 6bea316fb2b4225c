import Logging
import NIOCore
import NIOPosix
import Synchronization
import TesseraWorld

/// One UDP socket of the Second Life front end: what viewers see as one region's simulator.
/// Every datagram is handled on the socket's event loop as it arrives (nothing of an unknown
/// sender is kept); the circuits it carries are looked up by the sender's address.
final class LLUDPEndpoint: Sendable {
    let region: RegionHandle
    let channel: any Channel
    /// The port viewers are told (the bound one).
    let port: Int
    private let circuits = Mutex<[SocketAddress: ViewerCircuit]>([:])

    private init(region: RegionHandle, channel: any Channel) {
        self.region = region
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    /// Binds `host:port` (0: a port the system picks) and hands every datagram to `frontend`.
    static func bind(region: RegionHandle, host: String, port: Int, group: EventLoopGroup, frontend: LLUDPFrontend) async throws -> LLUDPEndpoint {
        let box = EndpointBox()
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // Viewers' packets are small; a burst of a few hundred fits.
            .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramHandler(box: box, frontend: frontend))
                }
            }
            .bind(host: host, port: port)
            .get()
        let endpoint = LLUDPEndpoint(region: region, channel: channel)
        box.endpoint.withLock { $0 = endpoint }
        return endpoint
    }

    func circuit(for address: SocketAddress) -> ViewerCircuit? {
        circuits.withLock { $0[address] }
    }

    func attach(_ circuit: ViewerCircuit) {
        circuits.withLock { $0[circuit.address] = circuit }
    }

    func detach(_ circuit: ViewerCircuit) {
        circuits.withLock { circuits in
            if circuits[circuit.address] === circuit { circuits[circuit.address] = nil }
        }
    }

    var circuitCount: Int { circuits.withLock { $0.count } }

    func write(_ datagram: ByteBuffer, to address: SocketAddress) {
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: datagram), promise: nil)
    }

    func close() {
        channel.close(promise: nil)
    }
}

private final class EndpointBox: Sendable {
    let endpoint = Mutex<LLUDPEndpoint?>(nil)
}

private final class DatagramHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let box: EndpointBox
    let frontend: LLUDPFrontend

    init(box: EndpointBox, frontend: LLUDPFrontend) {
        self.box = box
        self.frontend = frontend
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let endpoint = box.endpoint.withLock({ $0 }) else { return }
        frontend.received(envelope.data, from: envelope.remoteAddress, on: endpoint)
    }

    /// A viewer that went away makes the next write answer "connection refused" (an ICMP
    /// port-unreachable); that and any other error of one datagram never closes the socket.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        frontend.datagramError(error)
    }
}
