import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// Where a `ClientView` puts what one tick sends: the view decides *what* (which entities,
/// which messages, within which budget); a front end's sink decides *how* it is encoded for its
/// protocol (WebSocket frames, LLUDP packets). `bytesWritten` is what the budget counts.
public protocol ClientFrameSink {
    /// Bytes this sink has produced so far (the view's budget is counted in them).
    var bytesWritten: Int { get }
    /// Bytes the tick puts on the wire, for the statistics (`bytesWritten` unless the sink
    /// counts something else against the budget).
    var bytesSent: Int { get }
    /// A tick starts; the region's frame number, time and dilation.
    mutating func beginFrame(_ stamp: FrameStamp)
    /// A message passed through as is (Welcome, RegionChanged, chat, replies, alerts, pongs…).
    mutating func message(_ message: ServerMessage)
    /// An entity comes into view; `info` is the region's full description of it.
    mutating func entityEnter(_ enter: EntityEnter, info: EntityInfo)
    mutating func entityLeave(_ id: LocalID)
    /// An entity moved: `update` holds what changed since this client's last update of it,
    /// `motion` its whole newest motion (protocols without deltas send that).
    mutating func entityUpdate(_ update: EntityUpdate, motion: EntityMotion)
    /// Protocol 7: an entity moved; `delta` brings what the client holds to `motion` (its
    /// whole newest motion). Sinks without deltas get an `entityUpdate` of every field.
    mutating func entityDelta(_ delta: EntityDelta, motion: EntityMotion)
    mutating func appearance(_ update: AppearanceUpdate)
    /// The tick had something to say; the frame is complete.
    mutating func endFrame()
    /// The tick had nothing to say: drop whatever `beginFrame` started.
    mutating func discardFrame()
}

extension ClientFrameSink {
    public var bytesSent: Int { bytesWritten }

    public mutating func entityDelta(_ delta: EntityDelta, motion: EntityMotion) {
        entityUpdate(
            EntityUpdate(localID: delta.localID, position: motion.position, rotation: motion.rotation, velocity: motion.velocity),
            motion: motion
        )
    }
}
