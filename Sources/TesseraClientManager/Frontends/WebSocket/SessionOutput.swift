import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Synchronization
import TesseraClientProtocol
import TesseraWorld

/// The writing side of one client connection, with every write bounded in time. A write waits
/// while the connection cannot take more (the client does not read, its TCP window is shut);
/// one that has not finished within `stallLimit` gives the client up as too slow: the `Error`
/// and the 4014 close frame are queued behind what it has not taken, and the TCP connection
/// is closed `closeGrace` later whether or not it read them. Without this bound a client that
/// stops reading would hold its writer, and its avatar, for ever.
final class SessionOutput: Sendable {
    let outbound: WebSocketOutboundWriter
    let channel: any Channel
    let stallLimit: TimeAmount
    static let closeGrace = TimeAmount.seconds(1)
    private let stalled = Atomic<Bool>(false)

    init(outbound: WebSocketOutboundWriter, channel: any Channel, stallLimit: TimeAmount) {
        self.outbound = outbound
        self.channel = channel
        self.stallLimit = stallLimit
    }

    /// True once the client was given up as too slow.
    var hasStalled: Bool { stalled.load(ordering: .relaxed) }

    /// Writes one frame; false when the connection is gone or the client did not take the
    /// frame in time (`onStall` has then run, once).
    func send(_ buffer: ByteBuffer, onStall: @escaping @Sendable () -> Void) async -> Bool {
        await bounded(onStall: onStall) { try await self.outbound.write(.binary(buffer)) }
    }

    /// Closes the connection: an error closure is announced first with an `Error` message, so
    /// clients that cannot read close reasons still learn why. `webSocketCode` overrides the
    /// close code (1009 for a message over the limit).
    func close(_ request: CloseRequest, onStall: @escaping @Sendable () -> Void) async {
        let code = request.code
        if let code {
            var buffer = ByteBuffer()
            ServerMessage.error(ServerError(code, message: request.reason)).encode(into: &buffer)
            guard await send(buffer, onStall: onStall) else { return }
        }
        let wsCode: WebSocketErrorCode = request.webSocketCode.map { .init(codeNumber: Int($0)) }
            ?? code.map { .init(codeNumber: Int(CloseCode.forError($0.rawValue))) }
            ?? (request.goingAway ? .goingAway : .normalClosure)
        let reason = Self.closeReason(request.reason)
        _ = await bounded(onStall: onStall) { try await self.outbound.close(wsCode, reason: reason) }
    }

    /// A close reason must fit a control frame (125 bytes with the code): 30 characters of up
    /// to 4 bytes each stay well inside it.
    static func closeReason(_ reason: String) -> String {
        reason.utf8.count <= 120 ? reason : String(reason.prefix(30))
    }

    private func bounded(onStall: @escaping @Sendable () -> Void, _ write: @escaping @Sendable () async throws -> Void) async -> Bool {
        guard !hasStalled else { return false }
        let timer = channel.eventLoop.scheduleTask(in: stallLimit) { [self] in
            guard !stalled.exchange(true, ordering: .relaxed) else { return }
            onStall()
            abandon()
        }
        defer { timer.cancel() }
        do {
            try await write()
        } catch {
            return false
        }
        return !hasStalled
    }

    /// Queues the `Error` and the close frame of a too-slow client directly on the channel
    /// (behind the frame it did not take), then closes the TCP connection after the grace.
    private func abandon() {
        let reason = "the client did not read its updates for \(stallLimit.nanoseconds / 1_000_000) ms"
        var error = ByteBuffer()
        ServerMessage.error(ServerError(.tooSlow, message: reason)).encode(into: &error)
        var close = ByteBuffer()
        close.write(webSocketErrorCode: .init(codeNumber: Int(CloseCode.forError(ErrorCode.tooSlow.rawValue))))
        close.writeString(Self.closeReason(reason))
        let channel = channel
        channel.write(WebSocketFrame(fin: true, opcode: .binary, data: error), promise: nil)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: close), promise: nil)
        channel.eventLoop.scheduleTask(in: Self.closeGrace) { channel.close(promise: nil) }
    }
}

extension WebSocketTransport {
    /// A WebSocket session has nothing to do between updates (TCP resends, the server's pings
    /// run without it): it may rest while its view is still.
    var mayRest: Bool { true }
}
