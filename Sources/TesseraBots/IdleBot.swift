import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TesseraClientProtocol

/// An idle client: one TCP connection, no Swift task of its own. It upgrades to WebSocket,
/// logs in, then stands still: it answers pings and reads and discards every frame after its
/// `Welcome` (nothing is decoded but the frame headers). Tens of thousands of them measure what
/// an idle logged-in connection costs the client manager (`scripts/bench-idle.sh`).
struct IdleBot: Sendable {
    let account: BotAccount
    let url: String
    var startRegion = ""
    /// The local IPv4 address to connect from (port chosen by the system); nil: the system's.
    var sourceAddress: String?
    let group: EventLoopGroup
    let tally: IdleTally

    /// Connects and logs in; the channel stays open until the server closes it or `close`
    /// is called. Failures are counted in `tally`.
    func start() async -> Channel? {
        guard let target = IdleBot.target(url) else {
            tally.failed("not a ws:// URL: \(url)")
            return nil
        }
        let login = ClientMessage.login(Login(name: account.name, credential: account.credential, startRegion: startRegion)).encoded()
        let tally = tally
        let request = IdleBot.upgradeRequest(host: target.host, port: target.port, path: target.path)
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(30))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleClientHandler(request: request, login: login, tally: tally))
                }
            }
        if let sourceAddress {
            do {
                bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: sourceAddress, port: 0))
            } catch {
                tally.failed("bad source address \(sourceAddress): \(error)")
                return nil
            }
        }
        do {
            return try await bootstrap.connect(host: target.host, port: target.port).get()
        } catch {
            tally.failed("connection failed: \(error)")
            return nil
        }
    }

    /// Host, port and path of `ws://host:port/path`.
    static func target(_ url: String) -> (host: String, port: Int, path: String)? {
        guard let parts = URLComponents(string: url), parts.scheme == "ws", let host = parts.host else { return nil }
        return (host, parts.port ?? 80, parts.path.isEmpty ? "/" : parts.path)
    }

    static func upgradeRequest(host: String, port: Int, path: String) -> String {
        var key = [UInt8](repeating: 0, count: 16)
        for index in key.indices { key[index] = .random(in: 0...255) }
        return "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(Data(key).base64EncodedString())\r\nSec-WebSocket-Version: 13\r\n\r\n"
    }

    /// A masked client frame (RFC 6455 §5.3) with `payload`.
    static func clientFrame(opcode: UInt8, payload: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var frame = allocator.buffer(capacity: payload.readableBytes + 14)
        frame.writeInteger(0x80 | opcode)
        let count = payload.readableBytes
        if count < 126 {
            frame.writeInteger(UInt8(0x80 | count))
        } else if count <= 0xFFFF {
            frame.writeInteger(UInt8(0x80 | 126))
            frame.writeInteger(UInt16(count))
        } else {
            frame.writeInteger(UInt8(0x80 | 127))
            frame.writeInteger(UInt64(count))
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame.writeBytes(mask)
        for (index, byte) in payload.readableBytesView.enumerated() { frame.writeInteger(byte ^ mask[index & 3]) }
        return frame
    }
}

/// What the idle bots of a swarm went through, counted as it happens.
final class IdleTally: Sendable {
    let welcomed = Atomic<Int>(0)
    /// Welcomed and since closed (by the server, or their connection broke).
    let lost = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let bytesIn = Atomic<Int>(0)
    let frames = Atomic<Int>(0)
    private let samples = Mutex<[String]>([])
    let counters: SwarmCounters

    init(counters: SwarmCounters) {
        self.counters = counters
    }

    func failed(_ reason: String) {
        failures.add(1, ordering: .relaxed)
        counters.errors.add(1, ordering: .relaxed)
        samples.withLock { if $0.count < 10 { $0.append(reason) } }
    }

    var errorSamples: [String] { samples.withLock { $0 } }
}

/// The whole of an idle client, on its channel's event loop: the upgrade, the login, then
/// reading frame headers and discarding payloads. State is a few integers and, until the
/// `Welcome`, the bytes of the frame being put together.
final class IdleClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case upgrading
        case loggingIn
        case idle
        case closing
    }

    private let request: String
    private let login: ByteBuffer
    private let tally: IdleTally
    private var phase = Phase.upgrading
    /// Bytes not yet parsed (the response head, or a frame header split over reads, or a frame
    /// before the `Welcome`).
    private var pending: ByteBuffer?
    /// Payload bytes of the current frame still to skip (idle).
    private var skipping = 0
    /// Whether the `Welcome` arrived.
    private var welcomed = false

    init(request: String, login: ByteBuffer, tally: IdleTally) {
        self.request = request
        self.login = login
        self.tally = tally
    }

    func channelActive(context: ChannelHandlerContext) {
        var head = context.channel.allocator.buffer(capacity: request.utf8.count)
        head.writeString(request)
        context.writeAndFlush(wrapOutboundOut(head), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        tally.bytesIn.add(bytes.readableBytes, ordering: .relaxed)
        if phase == .idle, pending == nil {
            // The common case: skip payload bytes without keeping anything.
            consumeIdle(context: context, &bytes)
            return
        }
        if pending == nil { pending = bytes } else { pending!.writeBuffer(&bytes) }
        switch phase {
        case .upgrading: readResponseHead(context: context)
        case .loggingIn: readLoginFrames(context: context)
        case .idle:
            var buffer = pending!
            pending = nil
            consumeIdle(context: context, &buffer)
        case .closing: pending = nil
        }
    }

    private func readResponseHead(context: ChannelHandlerContext) {
        guard let buffer = pending else { return }
        let view = buffer.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
            if view.count > 16384 { fail(context: context, "the upgrade response head is over 16 KiB") }
            return
        }
        let head = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
        guard head.hasPrefix("HTTP/1.1 101") else {
            return fail(context: context, "upgrade refused: \(head.split(separator: "\r\n").first ?? "")")
        }
        pending!.moveReaderIndex(forwardBy: end.upperBound - view.startIndex)
        if pending!.readableBytes == 0 { pending = nil }
        phase = .loggingIn
        let frame = IdleBot.clientFrame(opcode: 0x2, payload: login, allocator: context.channel.allocator)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        if pending != nil { readLoginFrames(context: context) }
    }

    /// Frames until the `Welcome`: decoded whole (an `Error` there means the login failed).
    private func readLoginFrames(context: ChannelHandlerContext) {
        while phase == .loggingIn, var buffer = pending, let header = Self.header(buffer) {
            guard buffer.readableBytes >= header.size + header.length else { return }
            buffer.moveReaderIndex(forwardBy: header.size)
            let payload = buffer.readSlice(length: header.length)!
            pending = buffer.readableBytes == 0 ? nil : buffer
            switch header.opcode {
            case 0x2:
                guard let messages = try? ServerMessage.decodeFrame(payload) else { return fail(context: context, "a frame that does not decode") }
                for message in messages {
                    switch message {
                    case .welcome:
                        welcomed = true
                        phase = .idle
                        tally.welcomed.add(1, ordering: .relaxed)
                        tally.counters.connected.add(1, ordering: .relaxed)
                    case .error(let error):
                        return fail(context: context, "server error \(error.code): \(error.message)")
                    default: break
                    }
                }
                tally.frames.add(1, ordering: .relaxed)
            default:
                control(context: context, opcode: header.opcode, payload: payload)
            }
        }
        if phase == .idle, var rest = pending {
            pending = nil
            consumeIdle(context: context, &rest)
        }
    }

    /// After the `Welcome`: frame headers are read and payloads skipped; only control frames
    /// (ping, close) are read in full.
    private func consumeIdle(context: ChannelHandlerContext, _ bytes: inout ByteBuffer) {
        while bytes.readableBytes > 0, phase == .idle {
            if skipping > 0 {
                let step = min(skipping, bytes.readableBytes)
                bytes.moveReaderIndex(forwardBy: step)
                skipping -= step
                continue
            }
            guard let header = Self.header(bytes) else { break }
            if header.opcode >= 0x8 {
                guard bytes.readableBytes >= header.size + header.length else { break }
                bytes.moveReaderIndex(forwardBy: header.size)
                control(context: context, opcode: header.opcode, payload: bytes.readSlice(length: header.length)!)
                continue
            }
            bytes.moveReaderIndex(forwardBy: header.size)
            skipping = header.length
            tally.frames.add(1, ordering: .relaxed)
        }
        // An incomplete header (or control frame) waits for the next read.
        if bytes.readableBytes > 0, phase == .idle { pending = bytes }
    }

    private func control(context: ChannelHandlerContext, opcode: UInt8, payload: ByteBuffer) {
        switch opcode {
        case 0x9:
            context.writeAndFlush(wrapOutboundOut(IdleBot.clientFrame(opcode: 0xA, payload: payload, allocator: context.channel.allocator)), promise: nil)
        case 0x8:
            var payload = payload
            let code = payload.readInteger(as: UInt16.self) ?? 1005
            let reason = payload.readString(length: payload.readableBytes) ?? ""
            if phase != .closing {
                tally.failed("closed by server: \(code) \(reason)")
                if welcomed { tally.lost.add(1, ordering: .relaxed) }
            }
            phase = .closing
            context.close(promise: nil)
        default:
            break
        }
    }

    /// Closes with 1000 (the swarm's end).
    func close(context: ChannelHandlerContext) {
        guard phase != .closing else { return }
        phase = .closing
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.writeInteger(UInt16(1000))
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(IdleBot.clientFrame(opcode: 0x8, payload: payload, allocator: context.channel.allocator)))
            .whenComplete { _ in bound.value.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleBotStop { close(context: context) } else { context.fireUserInboundEventTriggered(event) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if welcomed {
            tally.counters.connected.subtract(1, ordering: .relaxed)
            if phase != .closing {
                tally.lost.add(1, ordering: .relaxed)
                tally.failed("connection lost")
            }
        } else if phase != .closing {
            tally.failed("closed before the Welcome")
        }
        phase = .closing
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(context: context, "\(error)")
    }

    private func fail(context: ChannelHandlerContext, _ reason: String) {
        guard phase != .closing else { return }
        tally.failed(reason)
        if welcomed { tally.lost.add(1, ordering: .relaxed) }
        phase = .closing
        pending = nil
        context.close(promise: nil)
    }

    /// A server frame's header: its size, opcode and payload length; nil until it is whole.
    static func header(_ buffer: ByteBuffer) -> (size: Int, opcode: UInt8, length: Int)? {
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let second = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self)
        else { return nil }
        let opcode = first & 0x0F
        let short = Int(second & 0x7F)
        switch short {
        case 126:
            guard let length = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self) else { return nil }
            return (4, opcode, Int(length))
        case 127:
            guard let length = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt64.self) else { return nil }
            return (10, opcode, Int(clamping: length))
        default:
            return (2, opcode, short)
        }
    }
}

/// Sent down an idle bot's pipeline at the swarm's end: close with 1000.
struct IdleBotStop {}
