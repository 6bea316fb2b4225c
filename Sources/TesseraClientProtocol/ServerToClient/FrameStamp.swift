import NIOCore
import TesseraCodec

/// 0x82 — first in every update frame: the newest region frame whose state the update carries.
public struct FrameStamp: Hashable, Sendable {
    public var frame: UInt64
    /// Wall-clock time of that region frame, milliseconds since 1970.
    public var timeMillis: UInt64
    /// Time dilation scaled to 0...65535 (65535 = running at full rate).
    public var timeDilation: UInt16

    public init(frame: UInt64, timeMillis: UInt64, timeDilation: UInt16) {
        self.frame = frame
        self.timeMillis = timeMillis
        self.timeDilation = timeDilation
    }

    public init(frame: UInt64, timeMillis: UInt64, dilation: Float) {
        let clamped = min(max(dilation.isFinite ? dilation : 0, 0), 1)
        self.init(frame: frame, timeMillis: timeMillis, timeDilation: UInt16((clamped * 65535).rounded()))
    }

    init(from buffer: inout ByteBuffer) throws {
        frame = try buffer.readLE(UInt64.self, "frameStamp.frame")
        timeMillis = try buffer.readLE(UInt64.self, "frameStamp.timeMillis")
        timeDilation = try buffer.readLE(UInt16.self, "frameStamp.timeDilation")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(frame)
        buffer.writeLE(timeMillis)
        buffer.writeLE(timeDilation)
    }
}
