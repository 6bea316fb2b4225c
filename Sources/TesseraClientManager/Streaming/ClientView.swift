import NIOCore
import TesseraClientProtocol
import TesseraWorld

/// What one client has been sent, and how to bring it up to date: the pure core of adaptive
/// streaming. Each tick it turns queued events and the newest entity table into at most one
/// update frame: leaves and messages first, then entries, then deltas, within a byte budget.
/// Entity state is never queued, only read from the table when the frame is built, so a
/// client that falls behind skips stale positions instead of receiving them late.
public struct ClientView {
    /// Entity → the motion this client last received for it.
    public private(set) var known: [LocalID: EntityMotion] = [:]
    /// Entities in view that the client has not been sent yet, in arrival order.
    private var waiting: [LocalID] = []
    private var waitingSet: Set<LocalID> = []
    /// `known` keys in a stable order, so a capped client is served round-robin.
    private var order: [LocalID] = []
    private var orderIsStale = false
    private var cursor = 0
    public private(set) var deferredUpdates = 0

    public init() {}

    public var waitingCount: Int { waiting.count }

    /// Appends one update frame to `buffer` and returns the number of messages in it
    /// (0 when there was nothing to say, in which case the buffer holds no complete frame).
    public mutating func buildFrame(events: [ClientEvent], table: EntityTable, maxBytes: Int, into buffer: inout ByteBuffer) -> Int {
        let start = buffer.writerIndex
        ServerMessage.frameStamp(table.stamp).encode(into: &buffer)
        var count = 0
        for event in events {
            switch event {
            case .enter(let ids):
                for id in ids where known[id] == nil && waitingSet.insert(id).inserted { waiting.append(id) }
            case .leave(let ids):
                for id in ids { count += forget(id, into: &buffer) }
            case .message(let message):
                message.encode(into: &buffer)
                count += 1
            }
        }
        count += sendEntries(table: table, budgetEnd: start + maxBytes, into: &buffer)
        count += sendDeltas(table: table, budgetEnd: start + maxBytes, into: &buffer)
        if count == 0 { buffer.moveWriterIndex(to: start) }
        return count
    }

    private mutating func forget(_ id: LocalID, into buffer: inout ByteBuffer) -> Int {
        if waitingSet.remove(id) != nil {
            waiting.removeAll { $0 == id }
            return 0
        }
        guard known.removeValue(forKey: id) != nil else { return 0 }
        orderIsStale = true
        ServerMessage.entityLeave(EntityLeave(localID: id)).encode(into: &buffer)
        return 1
    }

    private mutating func sendEntries(table: EntityTable, budgetEnd: Int, into buffer: inout ByteBuffer) -> Int {
        var sent = 0
        var index = 0
        while index < waiting.count, buffer.writerIndex < budgetEnd {
            let id = waiting[index]
            index += 1
            waitingSet.remove(id)
            // Removed before we could show it: the region's leave for it was already absorbed.
            guard let record = table[id] else { continue }
            let info = record.info
            ServerMessage.entityEnter(EntityEnter(
                localID: id, kind: info.kind, shape: info.shape, name: info.name,
                scale: info.scale, motion: record.motion
            )).encode(into: &buffer)
            known[id] = record.motion
            orderIsStale = true
            sent += 1
        }
        waiting.removeFirst(index)
        return sent
    }

    private mutating func sendDeltas(table: EntityTable, budgetEnd: Int, into buffer: inout ByteBuffer) -> Int {
        if orderIsStale {
            // Resume at the entity the cursor was on (or the next one still known): restarting
            // at 0 whenever an entity enters or leaves would starve the end of the order.
            let resume: LocalID? = order.isEmpty ? nil : order[cursor % order.count]
            order = known.keys.sorted()
            orderIsStale = false
            cursor = 0
            if let resume, let index = order.firstIndex(where: { (id: LocalID) in id >= resume }) { cursor = index }
        }
        guard !order.isEmpty else { return 0 }
        var sent = 0
        var visited = 0
        cursor %= order.count
        while visited < order.count {
            let id = order[cursor]
            if let record = table[id], let old = known[id],
                let update = EntityUpdate(localID: id, from: old, to: record.motion) {
                guard buffer.writerIndex < budgetEnd else {
                    deferredUpdates += 1
                    break
                }
                ServerMessage.entityUpdate(update).encode(into: &buffer)
                known[id] = record.motion
                sent += 1
            }
            visited += 1
            cursor = (cursor + 1) % order.count
        }
        return sent
    }
}
