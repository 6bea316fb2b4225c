import Foundation
import NIOCore
import NIOPosix
import Logging
import Synchronization
import TesseraPhysicsService
import TesseraWire
import TesseraWorld

/// The scenes of `PhysicsBenchmark`, stepped through the physics service as a region sees it:
/// a frame is encoded and sent over loopback TCP to a `PhysicsService` on its own event loop,
/// stepped there, and the answer decoded and applied (every moved body written into the
/// region's table). The time of a step is from the frame sent to the answer applied.
public struct PhysicsServiceBenchmark: Sendable {
    public var scene: PhysicsBenchmark.Scene
    public var bodies: Int
    public var steps: Int

    public init(scene: PhysicsBenchmark.Scene, bodies: Int, steps: Int = 300) {
        self.scene = scene
        self.bodies = bodies
        self.steps = steps
    }

    /// The same boxes as the direct scene, as a region would describe them.
    static func bodies(of scene: PhysicsBenchmark.Scene, count: Int) -> [PhysicsBody] {
        PhysicsBenchmark.positions(of: scene, count: count).enumerated().map { index, position in
            PhysicsBody(
                id: LocalID(index + 1), kind: .prim, shape: .box, scale: Vector3(1, 1, 1), position: position, mass: 1,
                friction: PhysicsBenchmark.friction, restitution: 0)
        }
    }

    public func run() async throws -> PhysicsBenchmark.Result {
        var logger = Logger(label: "tessera.bench.physics")
        logger.logLevel = .error
        let serviceLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let regionLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let secret = "physics-bench-secret"
        let service = PhysicsService(
            settings: .init(name: "bench-physics", host: "127.0.0.1", port: 0, gridSecret: secret, world: .init(stepRate: 60, maxSubsteps: 1)),
            group: serviceLoop, logger: logger)
        let address = try await service.start()
        let table = AppliedTable()
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        let (channel, _) = try await WireDialer.dial(
            host: "127.0.0.1", port: address.port ?? 0, hello: Hello(role: .region, nodeName: "bench-region", gridSecret: secret), group: regionLoop, largeReads: true,
            handler: { ApplyingHandler(table: table, continuation: continuation) })
        var answers = stream.makeAsyncIterator()
        let region = GridPosition(x: 1000, y: 1000)!.handle

        // The scene: one snapshot, as a region sends on attaching (not timed).
        try await channel.writeAndFlush(WireMessage.physicsFrame(PhysicsFrame(
            region: region, frame: 1, seconds: 1.0 / 60, terrain: .flat(0), added: Self.bodies(of: scene, count: bodies))))
        _ = await answers.next()

        var times: [Double] = []
        var inside: [Double] = []
        times.reserveCapacity(steps)
        for step in 0..<steps {
            let frame = PhysicsFrame(region: region, frame: UInt64(step + 2), seconds: 1.0 / 60)
            let sent = DispatchTime.now().uptimeNanoseconds
            channel.writeAndFlush(WireMessage.physicsFrame(frame), promise: nil)
            _ = await answers.next()
            times.append(Double(table.appliedAt.withLock { $0 } - sent) / 1000)
            inside.append(Double(table.stepMicros.withLock { $0 }))
        }
        let awake = table.lastMoved.withLock { $0 }
        try? await channel.close()
        await service.shutdown()
        try? await serviceLoop.shutdownGracefully()
        try? await regionLoop.shutdownGracefully()
        var result = PhysicsBenchmark.summarize(scene: scene, bodies: bodies, times: times, activeAtEnd: awake)
        result.serviceMeanMicros = inside.reduce(0, +) / Double(max(inside.count, 1))
        return result
    }
}

/// What the region side holds: the last state of every body, and when the last answer was applied.
private final class AppliedTable: Sendable {
    let states = Mutex<[LocalID: PhysicsBodyState]>([:])
    let appliedAt = Mutex<UInt64>(0)
    let lastMoved = Mutex(0)
    let stepMicros = Mutex<UInt32>(0)
}

/// Applies each answer on arrival (as a region's frame would), then wakes the sender.
private final class ApplyingHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    let table: AppliedTable
    let continuation: AsyncStream<Void>.Continuation

    init(table: AppliedTable, continuation: AsyncStream<Void>.Continuation) {
        self.table = table
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .physicsResult(let result) = unwrapInboundIn(data) else { return }
        table.states.withLock { states in
            for body in result.bodies { states[body.id] = body }
        }
        table.appliedAt.withLock { $0 = DispatchTime.now().uptimeNanoseconds }
        table.lastMoved.withLock { $0 = result.bodies.count }
        table.stepMicros.withLock { $0 = result.stepMicros }
        continuation.yield()
    }
}
