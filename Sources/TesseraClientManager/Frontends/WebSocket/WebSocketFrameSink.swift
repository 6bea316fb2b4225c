import NIOCore
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// The WebSocket protocol's sink: one binary frame per tick, a `FrameStamp` first, then the
/// messages in the order the view hands them over (docs/client-protocol.md).
public struct WebSocketFrameSink: ClientFrameSink {
    public var buffer: ByteBuffer
    private var frameStart = 0

    public init(buffer: ByteBuffer = ByteBuffer()) {
        self.buffer = buffer
    }

    public var bytesWritten: Int { buffer.writerIndex }

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

    public mutating func appearance(_ update: AppearanceUpdate) {
        ServerMessage.objectAppearance(update).encode(into: &buffer)
    }

    public mutating func endFrame() {}

    public mutating func discardFrame() {
        buffer.moveWriterIndex(to: frameStart)
    }
}
