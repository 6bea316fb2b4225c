import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TesseraScriptService
import TesseraScripts
import TesseraWire
import TesseraWorld

@Suite struct ScriptServiceTests {
    /// A region's side of the link: every `ScriptResult` it receives, in order.
    final class Results: ChannelInboundHandler, Sendable {
        typealias InboundIn = WireMessage
        let continuation: AsyncStream<ScriptResult>.Continuation

        init(_ continuation: AsyncStream<ScriptResult>.Continuation) { self.continuation = continuation }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .scriptResult(let result) = unwrapInboundIn(data) { continuation.yield(result) }
        }
    }

    @Test func aRealServiceOverARealSocketAnswersAFrameWithAGreetersEffect() async throws {
        var logger = Logger(label: "test.scripts")
        logger.logLevel = .error
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let secret = "scripts-test-secret-0123456789"
        let service = ScriptService(settings: .init(name: "test-scripts", host: "127.0.0.1", port: 0, gridSecret: secret), group: group, logger: logger)
        let address = try await service.start()
        let (stream, continuation) = AsyncStream.makeStream(of: ScriptResult.self)
        let (channel, accepted) = try await WireDialer.dial(
            host: "127.0.0.1", port: address.port ?? 0, hello: Hello(role: .region, nodeName: "test-region", gridSecret: secret), group: group,
            handler: { Results(continuation) })
        #expect(accepted.role == .scripts)
        #expect(accepted.nodeName == "test-scripts")
        var results = stream.makeAsyncIterator()

        let key = newKey()
        let source = ScriptEngineTests.greeter
        try await channel.writeAndFlush(WireMessage.scriptFrame(ScriptFrame(
            region: ScriptHarness.region, frame: 1, timeMillis: 1_767_225_600_000, snapshot: true,
            programs: [ScriptProgram(hash: ScriptHarness.hash(source), source: source)],
            added: [ScriptHarness.instance(key, name: "greeter", source: source)], poses: [ScriptHarness.pose(key.object)], regionName: "Testland")))
        let first = try #require(await results.next())
        #expect(first.frame == 1)
        #expect(first.region == ScriptHarness.region)
        #expect(first.stats.scripts == 1)
        #expect(first.effects.isEmpty)

        try await channel.writeAndFlush(WireMessage.scriptFrame(ScriptFrame(
            region: ScriptHarness.region, frame: 2, timeMillis: 1_767_225_600_022,
            events: [ScriptEventDelivery(object: key.object, name: "touch_start", arguments: [.integer(1)], detected: [ScriptHarness.alice])])))
        let second = try #require(await results.next())
        #expect(second.frame == 2)
        #expect(second.effects == [ScriptEffectRecord(key: key, effect: .say(channel: 0, type: .say, text: "Hello, Alice Resident!"))])
        #expect(service.stats.frames == 2)
        #expect(service.stats.scripts == 1)
        #expect(service.stats.regions == 1)

        try await channel.close()
        await service.shutdown()
        try await group.shutdownGracefully()
    }
}
