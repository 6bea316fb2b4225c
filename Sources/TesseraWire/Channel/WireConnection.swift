import NIOCore

/// One open Tessera wire connection as a role uses it once the handshake is done: write
/// messages, close. Over TCP it is a NIO channel (`ChannelWireConnection`); test harnesses
/// put in-memory connections in its place.
public protocol WireConnection: AnyObject, Sendable {
    /// Writes and flushes one message; a closed connection drops it.
    func send(_ message: WireMessage)
    func close()
}

/// How a role opens a connection to another node: dial, say Hello, learn the peer's
/// `HelloAccepted`. Over TCP it is `TCPWireConnector`; test harnesses connect in memory.
public protocol WireConnector: Sendable {
    /// Where the connector dials, for logs and errors.
    var address: String { get }

    /// Connects and completes the handshake. `received` gets every message of the open
    /// connection in order; `closed` runs once when the connection ends, whichever side ends it.
    func connect(
        hello: Hello, received: @escaping @Sendable (WireMessage) -> Void, closed: @escaping @Sendable () -> Void
    ) async throws -> (any WireConnection, HelloAccepted)
}

/// A connection over a NIO channel.
public final class ChannelWireConnection: WireConnection {
    public let channel: Channel

    public init(_ channel: Channel) {
        self.channel = channel
    }

    public func send(_ message: WireMessage) {
        channel.writeAndFlush(message, promise: nil)
    }

    public func close() {
        channel.close(promise: nil)
    }
}

/// Dials over TCP with `WireDialer`; a decoding error on the connection closes it.
public struct TCPWireConnector: WireConnector {
    public let host: String
    public let port: Int
    public let group: EventLoopGroup
    /// With the grid's certificates, the peer must hold one of a region node.
    public let tls: WireTLS.Dialing?

    public init(host: String, port: Int, group: EventLoopGroup, tls: WireTLS.Dialing? = nil) {
        self.host = host
        self.port = port
        self.group = group
        self.tls = tls
    }

    public var address: String { "\(host):\(port)" }

    public func connect(
        hello: Hello, received: @escaping @Sendable (WireMessage) -> Void, closed: @escaping @Sendable () -> Void
    ) async throws -> (any WireConnection, HelloAccepted) {
        let (channel, accepted) = try await WireDialer.dial(host: host, port: port, hello: hello, group: group, tls: tls) {
            WireReceiveHandler(received: received)
        }
        channel.closeFuture.whenComplete { _ in closed() }
        return (ChannelWireConnection(channel), accepted)
    }
}

/// Passes a connection's messages on; a decoding error closes the connection.
final class WireReceiveHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage

    private let received: @Sendable (WireMessage) -> Void

    init(received: @escaping @Sendable (WireMessage) -> Void) {
        self.received = received
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
