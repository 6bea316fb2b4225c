import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import TesseraTLS
import TesseraWire
import TesseraWorld

/// What mutual TLS costs a Tessera wire link (docs/security.md): region frames of a given size
/// streamed one way over loopback TCP from a dialing side on one event loop to a listener on
/// another, plain (grid secret) and TLS (certificates of a fresh in-memory authority), measured
/// in the same run; and the time to open a link (TCP, TLS when on, and the `Hello` exchange).
public struct WireLinkBenchmark: Sendable {
    /// Entities moved per region frame: 10 is about 310 bytes, 500 about 15 KB.
    public var entities: Int
    public var frames: Int
    public var dials: Int
    public var rounds: Int

    public init(entities: Int, frames: Int, dials: Int = 50, rounds: Int = 3) {
        self.entities = entities
        self.frames = frames
        self.dials = dials
        self.rounds = max(1, rounds)
    }

    public struct Result: Sendable {
        public var tls: Bool
        public var frameBytes: Int
        public var framesPerSecond: Double
        public var megabytesPerSecond: Double
        /// Opening a link, median and 99th percentile, milliseconds.
        public var dialMedianMillis: Double
        public var dialP99Millis: Double
    }

    /// Plain and TLS, alternating for `rounds` rounds (so a noisy neighbour on the machine hits
    /// both alike); each figure is the median over the rounds.
    public func run() async throws -> (plain: Result, tls: Result) {
        let certificates = try Identities()
        var plain: [Result] = []
        var secured: [Result] = []
        for _ in 0..<rounds {
            plain.append(try await measure(tls: nil))
            secured.append(try await measure(tls: certificates))
        }
        return (Self.median(plain), Self.median(secured))
    }

    static func median(_ results: [Result]) -> Result {
        func middle(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        var result = results[0]
        result.framesPerSecond = middle(results.map(\.framesPerSecond))
        result.megabytesPerSecond = middle(results.map(\.megabytesPerSecond))
        result.dialMedianMillis = middle(results.map(\.dialMedianMillis))
        result.dialP99Millis = middle(results.map(\.dialP99Millis))
        return result
    }

    private struct Identities {
        let server: WireTLS
        let client: WireTLS

        init() throws {
            var logger = Logger(label: "tessera.bench.wire")
            logger.logLevel = .error
            let authority = try GridCertificates.makeAuthority(gridName: "Bench")
            func identity(_ node: String, _ role: GridCertificates.Role, _ wire: WireRole) throws -> WireTLS {
                let issued = try GridCertificates.issue(
                    node: node, role: role, hosts: ["127.0.0.1"], authorityCertificatePEM: authority.certificatePEM,
                    authorityKeyPEM: authority.privateKeyPEM)
                return try WireTLS(
                    authorityPEM: authority.certificatePEM, certificatePEM: issued.certificatePEM, keyPEM: issued.privateKeyPEM, role: wire,
                    logger: logger)
            }
            server = try identity("bench-node", .region, .region)
            client = try identity("bench-edge", .clientManager, .clientManager)
        }
    }

    private func frame(_ number: UInt64) -> RegionFrame {
        let moved = (0..<entities).map { index in
            MovedEntity(
                localID: LocalID(index + 1),
                motion: EntityMotion(position: Vector3(Float(index % 256), 128, 22), rotation: Quaternion.identity, velocity: Vector3(1, 0, 0)))
        }
        return RegionFrame(region: GridPosition(x: 1000, y: 1000)!.handle, frame: number, timeMillis: 0, timeDilation: 1, moved: moved)
    }

    private func measure(tls: Identities?) async throws -> Result {
        let listenLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dialLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let secret = "wire-bench-secret-0123"
        let counter = ReceivedCounter()
        let listener = WireListener()
        let reply = HelloAccepted(role: .region, nodeName: "bench-node", regions: [])
        let address = try await listener.start(
            host: "127.0.0.1", port: 0, group: listenLoop, tls: tls?.server,
            handshake: { WireHandshakeHandler(acceptingSecret: secret, allowedRoles: [.clientManager], reply: reply) },
            handler: { CountingHandler(counter: counter) })
        let port = address.port ?? 0
        let hello = Hello(role: .clientManager, nodeName: "bench-edge", gridSecret: tls == nil ? secret : "")
        let dialing = tls?.client.dialing(.region)

        // Opening links.
        var dialTimes: [Double] = []
        for _ in 0..<dials {
            let start = DispatchTime.now().uptimeNanoseconds
            let (channel, _) = try await WireDialer.dial(host: "127.0.0.1", port: port, hello: hello, group: dialLoop, tls: dialing)
            dialTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
            try? await channel.close()
        }
        dialTimes.sort()

        // Streaming frames: in batches of 64, each batch written once the last is in the kernel.
        let (channel, _) = try await WireDialer.dial(host: "127.0.0.1", port: port, hello: hello, group: dialLoop, tls: dialing)
        let sample = WireMessage.regionFrame(frame(0))
        var encoded = ByteBuffer()
        sample.encodeFrame(into: &encoded)
        let frameBytes = encoded.readableBytes
        let messages = (0..<64).map { WireMessage.regionFrame(frame(UInt64($0))) }
        counter.reset()
        let start = DispatchTime.now().uptimeNanoseconds
        var sent = 0
        while sent < frames {
            let batch = min(64, frames - sent)
            for index in 0..<(batch - 1) { channel.write(messages[index], promise: nil) }
            try await channel.writeAndFlush(messages[batch - 1])
            sent += batch
        }
        while counter.count < frames { try await Task.sleep(for: .milliseconds(1)) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try? await channel.close()
        await listener.shutdown()
        try? await listenLoop.shutdownGracefully()
        try? await dialLoop.shutdownGracefully()
        return Result(
            tls: tls != nil, frameBytes: frameBytes, framesPerSecond: Double(frames) / seconds,
            megabytesPerSecond: Double(frames * frameBytes) / seconds / 1e6,
            dialMedianMillis: dialTimes[dialTimes.count / 2], dialP99Millis: dialTimes[min(dialTimes.count - 1, dialTimes.count * 99 / 100)])
    }
}

private final class ReceivedCounter: Sendable {
    private let received = Atomic<Int>(0)
    var count: Int { received.load(ordering: .relaxed) }
    func add() { received.wrappingAdd(1, ordering: .relaxed) }
    func reset() { received.store(0, ordering: .relaxed) }
}

/// Counts decoded region frames, as a client manager's link would receive them.
private final class CountingHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    let counter: ReceivedCounter

    init(counter: ReceivedCounter) {
        self.counter = counter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .regionFrame = unwrapInboundIn(data) { counter.add() }
    }
}
