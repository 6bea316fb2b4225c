import HummingbirdCore
import Logging
import NIOCore
import NIOWebSocket
import Synchronization
import TesseraClientProtocol
import TesseraWorld

/// Counts the connections that are not in the world yet: from the TCP accept until the end of
/// their HTTP request head (`ConnectionGateHandler`), then, for WebSocket clients, until their
/// avatar is in the world (`PendingTicket`). Past `limit`, new connections are closed at once,
/// so a flood of idle or half-open connections cannot hold the client manager's memory.
final class PendingClients: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    var current: Int { count.load(ordering: .relaxed) }

    /// A ticket when there is room, nil when the limit is reached.
    func admit() -> PendingTicket? {
        guard count.add(1, ordering: .relaxed).newValue <= limit else {
            count.subtract(1, ordering: .relaxed)
            return nil
        }
        return PendingTicket(self)
    }

    /// A ticket whatever the count (a connection that was admitted before its upgrade).
    func enter() -> PendingTicket {
        count.add(1, ordering: .relaxed)
        return PendingTicket(self)
    }

    fileprivate func leave() {
        count.subtract(1, ordering: .relaxed)
    }
}

/// One connection's place among the pending ones; released once, by whichever comes first.
final class PendingTicket: Sendable {
    private let owner: PendingClients
    private let released = Atomic<Bool>(false)

    fileprivate init(_ owner: PendingClients) {
        self.owner = owner
    }

    func release() {
        if !released.exchange(true, ordering: .relaxed) { owner.leave() }
    }
}

/// The first handler of every client-manager connection (the first after TLS, on a port
/// with a certificate, so that it reads the decrypted bytes): it refuses connections past the
/// pending limit, closes a connection whose HTTP request head is not complete within
/// `requestTimeout` (a half-open request costs a slot for a bounded time only), and once
/// the WebSocket decoder is in the pipeline puts an `OversizeNotice` right after it.
final class ConnectionGateHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let pending: PendingClients
    private let requestTimeout: TimeAmount
    private let maxMessageBytes: Int
    private let onTimeout: @Sendable () -> Void
    private let onRefusal: @Sendable () -> Void
    private var started = false
    private var ticket: PendingTicket?
    private var deadline: Scheduled<Void>?
    /// The last bytes seen, to find the blank line that ends the head across reads.
    private var tail: [UInt8] = []
    private var headComplete = false
    private var noticeAdded = false

    init(
        pending: PendingClients, requestTimeout: TimeAmount, maxMessageBytes: Int,
        onRefusal: @escaping @Sendable () -> Void, onTimeout: @escaping @Sendable () -> Void
    ) {
        self.pending = pending
        self.requestTimeout = requestTimeout
        self.maxMessageBytes = maxMessageBytes
        self.onRefusal = onRefusal
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if !started { start(context) }
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        started = true
        guard let ticket = pending.admit() else {
            onRefusal()
            context.close(promise: nil)
            return
        }
        self.ticket = ticket
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let onTimeout = onTimeout
        deadline = context.eventLoop.scheduleTask(in: requestTimeout) {
            onTimeout()
            bound.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !headComplete {
            let bytes = unwrapInboundIn(data)
            tail.append(contentsOf: bytes.readableBytesView)
            if tail.count >= 4, findsBlankLine() {
                headComplete = true
                deadline?.cancel()
                ticket?.release()
            } else if tail.count > 3 {
                tail.removeFirst(tail.count - 3)
            }
        } else if !noticeAdded {
            addNotice(context)
        }
        context.fireChannelRead(data)
    }

    private func findsBlankLine() -> Bool {
        let blank: [UInt8] = [13, 10, 13, 10]
        for start in 0...(tail.count - 4) where tail[start] == 13 && Array(tail[start..<start + 4]) == blank { return true }
        return false
    }

    /// After the upgrade: the WebSocket decoder refuses a frame over its limit with an error
    /// that NIO would answer with a bare 1009 close; the notice closes with our `Error` first.
    private func addNotice(_ context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        guard let decoder = try? pipeline.context(handlerType: ByteToMessageHandler<WebSocketFrameDecoder>.self) else { return }
        noticeAdded = true
        try? pipeline.addHandler(OversizeNotice(maxMessageBytes: maxMessageBytes), position: .after(decoder.handler))
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        ticket?.release()
        context.fireChannelInactive()
    }
}

/// Closes a connection whose client sent a WebSocket frame the decoder refused for its size
/// (over twice the message limit; smaller messages over the limit are refused by the reader)
/// the way the reader does: the `Error`, then the 1009 close with the same reason. Without it
/// NIO would answer with a bare 1009 close frame.
final class OversizeNotice: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let maxMessageBytes: Int

    init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let error = error as? NIOWebSocketError, error == .invalidFrameLength else {
            return context.fireErrorCaught(error)
        }
        let reason = ClientCloses.oversizeReason(maxMessageBytes)
        var notice = ByteBuffer()
        ServerMessage.error(ServerError(.malformedMessage, message: reason)).encode(into: &notice)
        var close = ByteBuffer()
        close.write(webSocketErrorCode: .messageTooLarge)
        close.writeString(reason)
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .binary, data: notice)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: close))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }
}

/// A Hummingbird child channel with a `ConnectionGateHandler` in front of it (behind the TLS
/// handler when `TLSChannel` wraps it: the pipeline then holds that handler alone).
struct GatedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let makeGate: @Sendable () -> ConnectionGateHandler

    /// Each connection keeps its receive buffer between reads: start it small (an idle client
    /// sends nearly nothing), letting it grow for clients that send more (NIO's adaptive sizing).
    static var receiveBuffers: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536)
    }

    /// A peer that vanished (no FIN, no RST) is found by TCP keep-alive in the kernel, at no
    /// cost to the process: probes after 30 s of silence, every 10 s, 3 unanswered close the
    /// connection (about 60 s). The server sends no WebSocket pings (a timer task per
    /// connection is what an idle connection must not cost).
    static func keepAlive(_ options: any NIOSynchronousChannelOptions) throws {
        try options.setOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
        #if os(Linux)
        // TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT of <netinet/tcp.h> on Linux.
        for (name, value) in [(CInt(4), 30), (5, 10), (6, 3)] {
            try options.setOption(ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: name)), value: value)
        }
        #endif
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            if let options = channel.syncOptions {
                try options.setOption(ChannelOptions.recvAllocator, value: Self.receiveBuffers)
                try Self.keepAlive(options)
            }
            try channel.pipeline.syncOperations.addHandler(makeGate(), position: .last)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// The texts of closes decided outside the session's writer.
enum ClientCloses {
    static func oversizeReason(_ maxBytes: Int) -> String { "a client message is at most \(maxBytes) bytes" }
}
