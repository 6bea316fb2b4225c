import NIOCore
import TesseraClientProtocol
import TesseraWorld

/// What one client has been sent, and how to bring it up to date: the pure core of adaptive
/// streaming. Each tick it turns queued events and the newest entity table into at most one
/// update frame: leaves and messages first, then entries, then deltas, within a byte budget.
/// Entity state is never queued, only read from the table when the frame is built, so a
/// client that falls behind skips stale positions instead of receiving them late.
public struct ClientView {
    struct Entry {
        let id: LocalID
        /// The motion this client last received for the entity.
        var motion: EntityMotion
        /// The tick at which the entity was last considered for an update.
        var lastTick: UInt32
        /// The table's appearance stamp of the appearance this client last received.
        var appearanceStamp: UInt64
    }

    public let policy: StreamingPolicy
    /// The protocol version the client logged in with: it is sent only what that version has
    /// (`ServerMessage.forVersion`), and object appearances from version 6 on.
    public var protocolVersion: UInt16 = clientProtocolVersion
    /// The table's appearance generation up to which every entry has its appearance.
    private var appearanceSeen: UInt64 = 0
    /// The client's own avatar, once Welcome has passed through; distances are measured from it.
    public private(set) var viewer: LocalID?
    /// The region the view shows (Welcome's, then each RegionChanged's); interest changes of
    /// another region (sent before the switch, delivered after it) are ignored.
    public private(set) var region: RegionHandle?
    private var entries: [Entry] = []
    private var index: [LocalID: Int] = [:]
    /// Entities in view that the client has not been sent yet, in arrival order.
    private var waiting: [LocalID] = []
    private var waitingSet: Set<LocalID> = []
    private var cursor = 0
    private var tick: UInt32 = 0
    public private(set) var deferredUpdates = 0

    public init(policy: StreamingPolicy = .standard) {
        self.policy = policy
    }

    public var waitingCount: Int { waiting.count }

    /// Entity → the motion this client last received for it.
    public var known: [LocalID: EntityMotion] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0.motion) })
    }

    /// Appends one update frame to `buffer` in the WebSocket protocol's encoding and returns
    /// the number of messages in it (0 when there was nothing to say, in which case the buffer
    /// holds no complete frame).
    public mutating func buildFrame(events: [ClientEvent], table: EntityTable, maxBytes: Int, into buffer: inout ByteBuffer) -> Int {
        var sink = WebSocketFrameSink(buffer: buffer)
        buffer = ByteBuffer()
        let count = buildFrame(events: events, table: table, maxBytes: maxBytes, into: &sink)
        buffer = sink.buffer
        return count
    }

    /// Decides what one tick sends and hands it, message by message, to `sink`, which encodes
    /// it for its protocol; returns the number of messages handed over. The budget is counted
    /// in the sink's bytes.
    public mutating func buildFrame<Sink: ClientFrameSink>(events: [ClientEvent], table: EntityTable, maxBytes: Int, into sink: inout Sink) -> Int {
        tick &+= 1
        let start = sink.bytesWritten
        sink.beginFrame(table.stamp)
        var count = 0
        for event in events {
            switch event {
            case .enter(_, let from?) where region != nil && from != region, .leave(_, let from?) where region != nil && from != region:
                continue
            case .enter(let ids, _):
                for id in ids where index[id] == nil && waitingSet.insert(id).inserted { waiting.append(id) }
            case .leave(let ids, _):
                for id in ids { count += forget(id, into: &sink) }
            case .message(let original):
                guard let message = original.forVersion(protocolVersion) else { continue }
                if case .welcome(let welcome) = message {
                    viewer = welcome.localID
                    region = welcome.regionHandle
                }
                if case .regionChanged(let change) = message {
                    // A new region: the client forgets every entity, and so does its view.
                    viewer = change.localID
                    region = change.regionHandle
                    entries.removeAll()
                    index.removeAll()
                    waiting.removeAll()
                    waitingSet.removeAll()
                    cursor = 0
                    appearanceSeen = 0
                }
                sink.message(message)
                count += 1
            }
        }
        count += sendEntries(table: table, budgetEnd: start + maxBytes, into: &sink)
        count += sendAppearances(table: table, budgetEnd: start + maxBytes, into: &sink)
        count += sendDeltas(table: table, budgetEnd: start + maxBytes, into: &sink)
        if count == 0 { sink.discardFrame() } else { sink.endFrame() }
        return count
    }

    private mutating func forget<Sink: ClientFrameSink>(_ id: LocalID, into sink: inout Sink) -> Int {
        if waitingSet.remove(id) != nil {
            waiting.removeAll { $0 == id }
            return 0
        }
        guard let slot = index.removeValue(forKey: id) else { return 0 }
        let last = entries.count - 1
        if slot != last {
            entries[slot] = entries[last]
            index[entries[slot].id] = slot
        }
        entries.removeLast()
        sink.entityLeave(id)
        return 1
    }

    private mutating func sendEntries<Sink: ClientFrameSink>(table: EntityTable, budgetEnd: Int, into sink: inout Sink) -> Int {
        var sent = 0
        var taken = 0
        while taken < waiting.count, sink.bytesWritten < budgetEnd {
            let id = waiting[taken]
            taken += 1
            waitingSet.remove(id)
            // Removed before we could show it: the region's leave for it was already absorbed.
            guard let info = table.infos[id], let motion = table.motion(id) else { continue }
            sink.entityEnter(EntityEnter(
                localID: id, kind: info.kind, shape: info.shape, name: info.name, scale: info.scale, motion: motion,
                appearance: protocolVersion >= 6 ? info.appearance : nil
            ), info: info)
            index[id] = entries.count
            entries.append(Entry(id: id, motion: motion, lastTick: tick, appearanceStamp: table.appearanceStamps[id] ?? 0))
            sent += 1
        }
        waiting.removeFirst(taken)
        return sent
    }

    /// Sends an ObjectAppearance for every entity in view whose appearance changed since the
    /// client last received it (protocol 6 on). Like motion, only the newest appearance is
    /// sent; what the budget leaves out goes next tick.
    private mutating func sendAppearances<Sink: ClientFrameSink>(table: EntityTable, budgetEnd: Int, into sink: inout Sink) -> Int {
        guard protocolVersion >= 6, table.appearanceGeneration != appearanceSeen else { return 0 }
        var sent = 0
        for slot in entries.indices {
            let id = entries[slot].id
            guard let stamp = table.appearanceStamps[id], stamp > entries[slot].appearanceStamp,
                let appearance = table.infos[id]?.appearance
            else { continue }
            guard sink.bytesWritten < budgetEnd else { return sent }
            sink.appearance(AppearanceUpdate(localID: id, appearance: appearance))
            entries[slot].appearanceStamp = stamp
            sent += 1
        }
        appearanceSeen = table.appearanceGeneration
        return sent
    }

    /// Walks the entries round-robin from where the last tick stopped, sending each entity
    /// that is due by its distance tier and has changed.
    private mutating func sendDeltas<Sink: ClientFrameSink>(table: EntityTable, budgetEnd: Int, into sink: inout Sink) -> Int {
        guard !entries.isEmpty else { return 0 }
        let origin = viewer.flatMap { table.motion($0)?.position.position }
        var sent = 0
        cursor %= entries.count
        for _ in 0..<entries.count {
            let slot = cursor
            let entry = entries[slot]
            let period = origin.map { policy.period(distanceSquared: entry.motion.position.position.distanceSquared(to: $0)) } ?? 1
            if tick &- entry.lastTick >= period, let motion = table.motion(entry.id) {
                // Protocol 7: a delta against what the client holds; the entry then records that.
                let delta = protocolVersion >= 7 ? EntityDelta(localID: entry.id, held: entry.motion, target: motion) : nil
                let update = protocolVersion >= 7 ? nil : EntityUpdate(localID: entry.id, from: entry.motion, to: motion)
                if delta != nil || update != nil {
                    guard sink.bytesWritten < budgetEnd else {
                        deferredUpdates += 1
                        return sent
                    }
                    if let delta {
                        sink.entityDelta(delta, motion: motion)
                        entries[slot].motion = delta.recorded
                    } else if let update {
                        sink.entityUpdate(update, motion: motion)
                        entries[slot].motion = motion
                    }
                    sent += 1
                }
                entries[slot].lastTick = tick
            }
            cursor = cursor + 1 == entries.count ? 0 : cursor + 1
        }
        return sent
    }
}

extension EntityUpdate {
    /// The hot path of every update tick: the same bytes as
    /// `ServerMessage.entityUpdate(self).encode(into:)` (a test holds them equal), written with
    /// few buffer calls because a crowded client gets hundreds of these per frame.
    func encodeMessage(into buffer: inout ByteBuffer) {
        let fields = fields
        var length: UInt16 = 5
        if position != nil { length += 8 }
        if rotation != nil { length += 4 }
        if velocity != nil { length += 6 }
        buffer.writeMultipleIntegers(
            ServerMessage.TypeCode.entityUpdate.rawValue, length, localID, fields.rawValue, endianness: .little
        )
        if let position { buffer.writeInteger(position.rawValue, endianness: .little) }
        if let rotation { buffer.writeInteger(rotation.rawValue, endianness: .little) }
        if let velocity { buffer.writeMultipleIntegers(velocity.x, velocity.y, velocity.z, endianness: .little) }
    }
}
