import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The accepting side of a Tessera wire role (the grid services, the physics service): a
/// listener whose every connection gets the wire handlers, the handshake, then the role's own
/// handler. Closing it stops accepting; open connections end with their peers.
public final class WireListener: Sendable {
    private let channel = Mutex<Channel?>(nil)

    public init() {}

    /// Binds `host:port` and returns the bound address. `handshake` and `handler` are called once
    /// per accepted connection.
    @discardableResult
    public func start(
        host: String, port: Int, group: EventLoopGroup, maxFrameBytes: Int = WireMessageDecoder.defaultMaxFrameBytes, largeReads: Bool = false, tls: WireTLS? = nil,
        handshake: @escaping @Sendable () -> WireHandshakeHandler, handler: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> SocketAddress {
        let bound = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: largeReads ? WireChannelOptions.largeReads : AdaptiveRecvByteBufferAllocator())
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addWireHandlers(
                        handshake: handshake(), maxFrameBytes: maxFrameBytes, tls: tls, remote: channel.remoteAddress)
                    try channel.pipeline.syncOperations.addHandler(handler())
                }
            }
            .bind(host: host, port: port)
            .get()
        channel.withLock { $0 = bound }
        return bound.localAddress!
    }

    public var address: SocketAddress? { channel.withLock { $0?.localAddress } }

    public func shutdown() async {
        let open = channel.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try? await open?.close()
    }
}
