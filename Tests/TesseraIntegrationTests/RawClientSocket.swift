import Foundation
import NIOCore
import TesseraClientProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A client of the client manager written on a bare TCP socket, for what a well-behaved
/// WebSocket client library will not do: stop half-way through an HTTP request, send text,
/// fragmented or oversized frames, or stop reading with a tiny receive buffer. Blocking calls
/// run on a thread of their own, never on the test's executor.
final class RawClientSocket: @unchecked Sendable {
    let fd: Int32

    /// Connects to 127.0.0.1:`port`; `receiveBuffer` sets SO_RCVBUF before connecting.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawSocketError.failed("socket") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw RawSocketError.failed("connect")
        }
    }

    deinit { Glibc.close(fd) }

    static func port(of url: String) -> Int {
        Int(url.split(separator: ":").last!.split(separator: "/").first!)!
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw RawSocketError.failed("send") }
            sent += count
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// The upgrade request, then the server's 101 answer.
    func upgrade() async throws {
        try send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        var head: [UInt8] = []
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard let byte = try await read(1).first else { throw RawSocketError.failed("upgrade: connection closed") }
            head.append(byte)
        }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            throw RawSocketError.failed("upgrade refused: \(String(decoding: head, as: UTF8.self))")
        }
    }

    /// One masked client frame.
    func sendFrame(opcode: UInt8, fin: Bool = true, _ payload: [UInt8]) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (8 * UInt64($0))) & 0xFF) }
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try send(frame)
    }

    func sendMessage(_ message: ClientMessage) throws {
        let buffer = message.encoded()
        try sendFrame(opcode: 2, Array(buffer.readableBytesView))
    }

    /// Up to `count` bytes, waiting at most `timeout`; empty at the end of the stream.
    func read(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [UInt8] {
        let fd = fd
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var deadline = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &deadline, socklen_t(MemoryLayout<timeval>.size))
                var buffer = [UInt8](repeating: 0, count: count)
                let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, count, 0) }
                if received < 0, errno == ECONNRESET {
                    // The server closed while bytes we sent were still unread there, so its
                    // kernel answered with a reset: the stream has ended all the same.
                    continuation.resume(returning: [])
                } else if received < 0 {
                    continuation.resume(throwing: RawSocketError.failed(errno == EAGAIN ? "read timed out" : "read failed (\(errno))"))
                } else {
                    continuation.resume(returning: Array(buffer.prefix(received)))
                }
            }
        }
    }

    private func readExactly(_ count: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            let more = try await read(count - bytes.count)
            guard !more.isEmpty else { throw RawSocketError.closed }
            bytes += more
        }
        return bytes
    }

    /// True when the server closed the TCP connection (reads reach the end of the stream),
    /// after reading and dropping whatever it had sent before.
    func readsToEnd(timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await read(65536, timeout: timeout).isEmpty { return true }
        }
        return false
    }

    struct Frame {
        var opcode: UInt8
        var payload: [UInt8]
    }

    /// The next server frame (server frames are not masked).
    func readFrame() async throws -> Frame {
        let head = try await readExactly(2)
        var length = Int(head[1] & 0x7F)
        if length == 126 {
            let bytes = try await readExactly(2)
            length = Int(bytes[0]) << 8 | Int(bytes[1])
        } else if length == 127 {
            length = try await readExactly(8).reduce(0) { $0 << 8 | Int($1) }
        }
        return Frame(opcode: head[0] & 0x0F, payload: length == 0 ? [] : try await readExactly(length))
    }

    /// Reads frames until the close frame: the server messages before it, the close code and
    /// the close reason.
    func readUntilClose() async throws -> (messages: [ServerMessage], code: Int?, reason: String) {
        var messages: [ServerMessage] = []
        while true {
            let frame = try await readFrame()
            switch frame.opcode {
            case 2:
                messages += try ServerMessage.decodeFrame(ByteBuffer(bytes: frame.payload))
            case 8:
                let code = frame.payload.count >= 2 ? Int(frame.payload[0]) << 8 | Int(frame.payload[1]) : nil
                return (messages, code, String(decoding: frame.payload.dropFirst(2), as: UTF8.self))
            default:
                continue
            }
        }
    }
}

enum RawSocketError: Error {
    case failed(String)
    case closed
}
