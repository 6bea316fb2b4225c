#if canImport(Glibc)
import Glibc
#endif
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import TesseraClientProtocol
import TesseraCodec
import TesseraWorld

/// Runs one WebSocket connection: a reader that puts frames together, decodes them and hands
/// them to the session's commands, and the session's ticker writing one binary frame per tick.
struct WebSocketSessionRunner {
    let session: ClientSession
    let manager: ClientManager
    let settings: ClientManagerSettings
    let commands: SessionCommands
    let logger: Logger

    init(session: ClientSession, manager: ClientManager, settings: ClientManagerSettings, address: String, logger: Logger) {
        self.session = session
        self.manager = manager
        self.settings = settings
        self.logger = logger
        commands = SessionCommands(session: session, manager: manager, address: address, logger: logger)
    }

    /// Serves the connection; the writer closes `channel` when the client stops reading.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel) async {
        await Self.boundBuffers(channel)
        let output = SessionOutput(
            outbound: outbound, channel: channel, stallLimit: .milliseconds(Int64(settings.writeStallSeconds * 1000)))
        let transport = WebSocketTransport(output: output, session: session, manager: manager)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await readLoop(inbound)
                session.mailbox.peerClosed()
            }
            await SessionTicker(session: session, manager: manager, transport: transport).run()
            group.cancelAll()
        }
        manager.disconnect(session, loggedOut: session.mailbox.drain().closure?.reason == SessionCommands.logoutReason)
    }

    /// Keeps what waits on the server's side of a connection small, so that a client that
    /// drains slowly makes the next write wait at once (the adaptive budget then shrinks)
    /// instead of filling megabytes of socket buffer with stale updates: the kernel takes
    /// at most 8 KiB not yet sent (`TCP_NOTSENT_LOWAT`); NIO holds one frame and takes the
    /// next once fewer than 4 KiB wait (one frame a tick needs no deeper queue).
    static func boundBuffers(_ channel: any Channel) async {
        let notSentLowWater = ChannelOptions.Types.SocketOption(level: SocketOptionLevel(IPPROTO_TCP), name: SocketOptionName(TCP_NOTSENT_LOWAT))
        try? await channel.setOption(notSentLowWater, value: 8 * 1024).get()
        try? await channel.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 4 * 1024, high: 8 * 1024)).get()
    }

    private func readLoop(_ inbound: WebSocketInboundStream) async {
        var limits = SessionInputLimits(settings: settings)
        // A message split over several WebSocket frames, being put together.
        var assembling: ByteBuffer?
        do {
            for try await piece in inbound {
                switch piece.opcode {
                case .text:
                    return commands.reject(.malformedMessage, "text frames are not part of the protocol")
                case .binary:
                    assembling = piece.data
                case .continuation:
                    guard assembling != nil else { return commands.reject(.malformedMessage, "a continuation frame without a message") }
                    var data = piece.data
                    assembling?.writeBuffer(&data)
                }
                guard (assembling?.readableBytes ?? 0) <= settings.maxClientFrameBytes else {
                    manager.stats.protocolErrors.add(1, ordering: .relaxed)
                    manager.metrics.protocolErrors.increment()
                    session.mailbox.close(.malformedMessage, reason: ClientCloses.oversizeReason(settings.maxClientFrameBytes), webSocketCode: 1009)
                    return
                }
                guard piece.fin, let frame = assembling else { continue }
                assembling = nil
                manager.stats.messagesReceived.add(1, ordering: .relaxed)
                manager.metrics.received(bytes: frame.readableBytes)
                let decoded: ClientMessage
                do {
                    decoded = try ClientMessage.decode(frame)
                } catch let error as CodecError {
                    if case .unknownMessageType = error { return commands.reject(.unknownMessageType, "\(error)") }
                    return commands.reject(.malformedMessage, "\(error)")
                }
                if session.mailbox.isClosed { return }
                if let problem = limits.receive(decoded, commands: commands) { return commands.reject(problem.0, problem.1) }
            }
        } catch {
            logger.debug("client connection ended", metadata: ["error": "\(error)"])
        }
    }
}

/// The WebSocket front end's side of the ticker: one binary frame a tick through a
/// `SessionOutput` (every write bounded in time), closes with the protocol's close codes.
struct WebSocketTransport: SessionTransport {
    let output: SessionOutput
    let session: ClientSession
    let manager: ClientManager

    private var onStall: @Sendable () -> Void {
        let mailbox = session.mailbox
        let stats = manager.stats
        let metrics = manager.metrics
        return {
            mailbox.close(.tooSlow, reason: "the client did not read its updates")
            stats.slowClientsClosed.add(1, ordering: .relaxed)
            metrics.slowCloses.increment()
        }
    }

    func makeSink() -> WebSocketFrameSink { WebSocketFrameSink() }

    func budget() -> Int { manager.settings.maxBytesPerTick }

    func send(_ sink: WebSocketFrameSink) async -> Bool {
        await output.send(sink.buffer, onStall: onStall)
    }

    func idle() async -> Bool { true }

    func close(_ request: CloseRequest) async {
        await output.close(request, onStall: onStall)
    }
}
