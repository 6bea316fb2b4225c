import NIOCore
import NIOPosix

/// The connecting side of every Tessera wire link: dial, say Hello, wait for the answer. The
/// handshake's promise is always completed, whether the dial, the handshake or the peer fails.
public enum WireDialer {
    /// Returns the open channel and the peer's `HelloAccepted`; `handler` (if any) is added
    /// after the wire handlers, so it sees only messages of an open connection.
    public static func dial(
        host: String, port: Int, hello: Hello, group: EventLoopGroup, connectTimeout: TimeAmount = .seconds(5),
        largeReads: Bool = false, maxFrameBytes: Int = WireMessageDecoder.defaultMaxFrameBytes, tls: WireTLS.Dialing? = nil,
        handler: @escaping @Sendable () -> (any ChannelHandler)? = { nil }
    ) async throws -> (Channel, HelloAccepted) {
        let promise = group.next().makePromise(of: HelloAccepted.self)
        let certified = CertifiedPeerBox()
        let address = "\(host):\(port)"
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.recvAllocator, value: largeReads ? WireChannelOptions.largeReads : AdaptiveRecvByteBufferAllocator())
                .connectTimeout(connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addWireHandlers(
                            handshake: WireHandshakeHandler(initiating: hello, outcome: promise), maxFrameBytes: maxFrameBytes, dialing: tls,
                            certified: certified, remote: address)
                        if let extra = handler() { try channel.pipeline.syncOperations.addHandler(extra) }
                    }
                }
                .connect(host: host, port: port)
                .get()
        } catch {
            // Never connected: no handler will complete the handshake's promise.
            promise.fail(error)
            throw error
        }
        do {
            return (channel, try await promise.futureResult.get())
        } catch {
            channel.close(promise: nil)
            // Our own check of the peer's certificate says more than the TLS alert.
            if let problem = certified.problem { throw WireTLSError.peerRefused(address, problem) }
            throw error
        }
    }
}

/// Channel options shared by the roles.
public enum WireChannelOptions {
    /// For links that carry frames of tens or hundreds of kilobytes every few milliseconds (the
    /// physics exchange): reads start at 64 KiB and grow to 1 MiB, so a frame takes one or two.
    public static let largeReads = AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 65536, maximum: 1 << 20)
    /// A physics snapshot of a region at its object limit (1 000 000 bodies of 71 bytes) fits.
    public static let physicsMaxFrameBytes = 128 << 20
    /// A script snapshot carries every script's source and checkpoint: as large as physics allows.
    public static let scriptsMaxFrameBytes = physicsMaxFrameBytes
}
