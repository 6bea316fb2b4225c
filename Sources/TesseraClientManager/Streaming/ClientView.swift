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
        /// The tick since which the client's state of the entity has been current (an update
        /// sent, or nothing to send): the age that the priority grows with.
        var freshTick: UInt32
        /// The entity's largest dimension in metres (from its description when it entered).
        var size: Float
    }

    /// An entity with something to send this tick, and how much it matters.
    struct Candidate {
        var slot: Int
        var priority: Float
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
    /// Updates that were due and waited longer than the refresh bound before they were sent
    /// (0 while the client drains its budget).
    public private(set) var lateRefreshes = 0
    /// Avatars that spoke to this client lately → the tick they last did.
    private var chatPartners: [LocalID: UInt32] = [:]
    /// Reused every tick, so that choosing what to send allocates nothing.
    private var candidates: [Candidate] = []
    /// Update ticks per second of this client (the refresh bound is counted in ticks).
    public var updateRate: Int = 10 {
        didSet { refreshTicks = policy.refreshTicks(updateRate: updateRate) }
    }
    private var refreshTicks: UInt32

    public init(policy: StreamingPolicy = .standard) {
        self.policy = policy
        refreshTicks = policy.refreshTicks(updateRate: 10)
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
                if case .chat(let chat) = message, chat.speaker != viewer {
                    notePartner(chat.speaker)
                }
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
                    chatPartners.removeAll()
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
        // Nearest first, once the client's own position is known (arrival order before that).
        if waiting.count > 1, sink.bytesWritten < budgetEnd, let origin = viewer.flatMap({ table.motion($0)?.position.position }) {
            // Distances looked up once, not in every comparison.
            let keyed = waiting.map { id -> (distance: Float, id: LocalID) in
                if id == viewer { return (-1, id) }
                return (table.motion(id).map { $0.position.position.distanceSquared(to: origin) } ?? .infinity, id)
            }
            waiting = keyed.sorted { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }.map(\.id)
        }
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
            // Entities that enter together (a client arriving in a crowd) would all reach the
            // refresh bound in the same tick; their ages start spread over half the bound.
            let spread = id % (refreshTicks / 2 + 1)
            entries.append(Entry(
                id: id, motion: motion, lastTick: tick, appearanceStamp: table.appearanceStamps[id] ?? 0, freshTick: tick &- spread,
                size: max(info.scale.x, info.scale.y, info.scale.z)
            ))
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

    /// Chooses the updates of this tick and sends them, most important first, within the byte
    /// and entity budgets. An entity is a candidate when it is due by its distance tier (the
    /// frequency cap) and its state differs from what the client holds. When every candidate
    /// fits they all go, in the order of the entries; otherwise by priority, highest first:
    /// the client's own avatar, then entities past the refresh bound (oldest first), then by
    /// weight × age (`StreamingPolicy.weight`). What does not fit stays a candidate, its age and
    /// so its priority growing, and its next update carries its newest state.
    private mutating func sendDeltas<Sink: ClientFrameSink>(table: EntityTable, budgetEnd: Int, into sink: inout Sink) -> Int {
        guard !entries.isEmpty else { return 0 }
        let origin = viewer.flatMap { table.motion($0)?.position.position }
        candidates.removeAll(keepingCapacity: true)
        cursor %= entries.count
        let estimate = protocolVersion >= 7 ? policy.estimatedDeltaBytes : policy.estimatedUpdateBytes
        var estimatedBytes = 0
        for step in 0..<entries.count {
            // From the cursor on, so that among equals the round-robin order decides.
            let slot = cursor + step < entries.count ? cursor + step : cursor + step - entries.count
            let entry = entries[slot]
            let own = entry.id == viewer
            let distanceSquared = origin.map { entry.motion.position.position.distanceSquared(to: $0) } ?? 0
            let period = own || origin == nil ? 1 : policy.period(distanceSquared: distanceSquared)
            guard tick &- entry.lastTick >= period else { continue }
            guard let motion = table.motion(entry.id), motion != entry.motion else {
                entries[slot].lastTick = tick
                entries[slot].freshTick = tick
                continue
            }
            let age = tick &- entry.freshTick
            let priority: Float
            if own {
                priority = .infinity
            } else if age >= refreshTicks {
                priority = StreamingPolicy.overdue + Float(age)
            } else {
                let partner = chatPartners[entry.id].map { tick &- $0 < policy.chatPartnerTicks(updateRate: updateRate) } ?? false
                priority = Float(age) * policy.weight(
                    distanceSquared: distanceSquared, size: entry.size,
                    velocityChanged: motion.velocity != entry.motion.velocity, chatPartner: partner
                )
            }
            candidates.append(Candidate(slot: slot, priority: priority))
            estimatedBytes += estimate
        }
        cursor = cursor + 1 == entries.count ? 0 : cursor + 1
        guard !candidates.isEmpty else { return 0 }
        if sink.bytesWritten + estimatedBytes > budgetEnd || candidates.count > policy.maxUpdatesPerTick {
            candidates.sort { $0.priority > $1.priority }
        }
        var sent = 0
        for (index, candidate) in candidates.enumerated() {
            guard sink.bytesWritten < budgetEnd, sent < policy.maxUpdatesPerTick else {
                deferredUpdates += candidates.count - index
                break
            }
            let slot = candidate.slot
            let entry = entries[slot]
            guard let motion = table.motion(entry.id) else { continue }
            if tick &- entry.freshTick > refreshTicks { lateRefreshes += 1 }
            // Due again one period from now; a deferred candidate stays due until it is sent.
            entries[slot].lastTick = tick
            if protocolVersion >= 7 {
                // A delta against what the client holds; the entry then records that. None
                // when the change is below the compact encoding's resolution.
                if let delta = EntityDelta(localID: entry.id, held: entry.motion, target: motion) {
                    sink.entityDelta(delta, motion: motion)
                    entries[slot].motion = delta.recorded
                    sent += 1
                }
            } else if let update = EntityUpdate(localID: entry.id, from: entry.motion, to: motion) {
                sink.entityUpdate(update, motion: motion)
                entries[slot].motion = motion
                sent += 1
            }
            entries[slot].freshTick = tick
        }
        return sent
    }

    private mutating func notePartner(_ speaker: LocalID) {
        if chatPartners.count >= 64 {
            let horizon = policy.chatPartnerTicks(updateRate: updateRate)
            chatPartners = chatPartners.filter { tick &- $0.value < horizon }
            if chatPartners.count >= 64 { chatPartners.removeAll() }
        }
        chatPartners[speaker] = tick
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
