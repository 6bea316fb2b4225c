import NIOCore
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// The WebSocket protocol's sink: one binary frame per tick, a `FrameStamp` first, then the
/// messages in the order the view hands them over (docs/client-protocol.md). Protocol 7's
/// deltas are collected and written at `endFrame` as `EntityDeltas` message(s), last.
public struct WebSocketFrameSink: ClientFrameSink {
    public var buffer: ByteBuffer
    private var frameStart = 0
    /// The tick's deltas, written at `endFrame`.
    private var deltas: [EntityDelta] = []
    /// What the bodies of `deltas` will take: each entry's flags and fields, and 2 bytes for
    /// its idGap (an estimate: 1 byte for IDs close together).
    private var deltaBodyBytes = 0

    public init(buffer: ByteBuffer = ByteBuffer()) {
        self.buffer = buffer
    }

    /// Counts the deltas of the tick as they will be written: their bodies and 3 bytes of
    /// header per 0x90 message.
    public var bytesWritten: Int {
        let messages = deltaBodyBytes == 0 ? 0 : 1 + (deltaBodyBytes - 1) / EntityDeltas.maxBodyBytes
        return buffer.writerIndex + deltaBodyBytes + 3 * messages
    }

    public mutating func beginFrame(_ stamp: FrameStamp) {
        frameStart = buffer.writerIndex
        ServerMessage.frameStamp(stamp).encode(into: &buffer)
    }

    public mutating func message(_ message: ServerMessage) {
        message.encode(into: &buffer)
    }

    public mutating func entityEnter(_ enter: EntityEnter, info: EntityInfo) {
        ServerMessage.entityEnter(enter).encode(into: &buffer)
    }

    public mutating func entityLeave(_ id: LocalID) {
        ServerMessage.entityLeave(EntityLeave(localID: id)).encode(into: &buffer)
    }

    public mutating func entityUpdate(_ update: EntityUpdate, motion: EntityMotion) {
        update.encodeMessage(into: &buffer)
    }

    public mutating func entityDelta(_ delta: EntityDelta, motion: EntityMotion) {
        deltaBodyBytes += delta.bodySize + 2
        deltas.append(delta)
    }

    public mutating func appearance(_ update: AppearanceUpdate) {
        ServerMessage.objectAppearance(update).encode(into: &buffer)
    }

    public mutating func endFrame() {
        guard !deltas.isEmpty else { return }
        EntityDeltas.writeMessages(deltas, into: &buffer)
        deltas.removeAll(keepingCapacity: true)
        deltaBodyBytes = 0
    }

    public mutating func discardFrame() {
        buffer.moveWriterIndex(to: frameStart)
        deltas.removeAll(keepingCapacity: true)
        deltaBodyBytes = 0
    }
}
