import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// The Second Life front end's sink: it keeps what the view decided to send, in order, for the
/// viewer's session to turn into LLUDP messages (several objects to a packet) and event-queue
/// events. Its byte count is an estimate of the LLUDP bytes (headers included) each item
/// costs, so the view's budget means the same as for WebSocket clients.
struct LLUDPFrameSink: ClientFrameSink {
    enum Item {
        case message(ServerMessage)
        case enter(EntityEnter, EntityInfo)
        case leave(LocalID)
        case update(LocalID, EntityMotion)
        case appearance(AppearanceUpdate)
    }

    private(set) var items: [Item] = []
    private(set) var stamp = FrameStamp(frame: 0, timeMillis: 0, timeDilation: 65535)
    /// The estimated LLUDP bytes of what the tick holds.
    private(set) var bytesSent = 0
    /// Set by a region change: the rest of the tick's budget is used up.
    private var shut = false

    var bytesWritten: Int { shut ? Int.max / 4 : bytesSent }

    /// An ImprovedTerseObjectUpdate block: the 44-byte data, its length byte and an empty
    /// texture entry's two.
    static let terseBytes = 47
    /// An ObjectUpdate block of a prim / an avatar (its name values included), about.
    static let primBytes = 220
    static let avatarBytes = 300

    mutating func beginFrame(_ stamp: FrameStamp) {
        self.stamp = stamp
    }

    mutating func message(_ message: ServerMessage) {
        items.append(.message(message))
        bytesSent += 64
        // After a region change the viewer must first connect to the new region's endpoint
        // and answer its handshake: nothing of the world goes in this tick (the budget is
        // used up), and the next ticks' budget stays shut until it has (`ViewerSession.budget`).
        if case .regionChanged = message { shut = true }
    }

    mutating func entityEnter(_ enter: EntityEnter, info: EntityInfo) {
        items.append(.enter(enter, info))
        bytesSent += info.kind == .avatar ? Self.avatarBytes : Self.primBytes
    }

    mutating func entityLeave(_ id: LocalID) {
        items.append(.leave(id))
        bytesSent += 4
    }

    mutating func entityUpdate(_ update: EntityUpdate, motion: EntityMotion) {
        items.append(.update(update.localID, motion))
        bytesSent += Self.terseBytes
    }

    mutating func appearance(_ update: AppearanceUpdate) {
        items.append(.appearance(update))
        bytesSent += 96
    }

    mutating func endFrame() {}

    mutating func discardFrame() {
        items.removeAll()
        bytesSent = 0
    }
}
