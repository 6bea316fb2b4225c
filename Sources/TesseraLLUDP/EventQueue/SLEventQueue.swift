/// One agent's event queue on one simulator endpoint: the state behind its `EventQueueGet` long
/// poll (docs/sl-protocol.md, "Capabilities and the event queue"). Pure: the front end holds the
/// HTTP request, asks `poll` for an answer and, when there is none, waits for `push` or for its
/// long-poll timeout.
///
/// - Events wait in order. A poll takes all waiting events as one batch with the next id
///   (1, 2, …, wrapping from Int32.max to 1); the batch stays **in flight** until a poll acks
///   its id.
/// - A poll whose `ack` is not the in-flight id (an older id, no ack, any other number) means
///   the answer was lost: it gets the in-flight batch again, same id, same events.
/// - At most `capacity` events are held (waiting + in flight). A push beyond that **overflows**:
///   the event is dropped (`push` answers false) and the queue is closed — a viewer that does not poll for that long
///   is gone, and the front end ends its session.
/// - A poll with `done` closes the queue (the viewer is leaving the simulator); a closed queue
///   answers no poll and takes no event.
public struct SLEventQueue: Sendable {
    public static let defaultCapacity = 256

    /// One answer: the body `{"events": [...], "id": n}`.
    public struct Batch: Sendable, Equatable {
        public var id: Int32
        public var events: [LLSD]

        public init(id: Int32, events: [LLSD]) {
            self.id = id
            self.events = events
        }

        /// The answer's LLSD body.
        public var llsd: LLSD { .map(["events": .array(events), "id": .integer(id)]) }
    }

    public let capacity: Int
    public private(set) var waiting: [LLSD] = []
    public private(set) var inFlight: Batch?
    public private(set) var lastID: Int32 = 0
    public private(set) var isClosed = false
    /// True once a push overflowed (the queue is then closed too).
    public private(set) var overflowed = false

    public init(capacity: Int = defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// A queue whose last batch id was `id` (for tests of the wrap-around).
    static func atID(_ id: Int32) -> SLEventQueue {
        var queue = SLEventQueue()
        queue.lastID = id
        return queue
    }

    /// Events held: waiting plus in flight.
    public var count: Int { waiting.count + (inFlight?.events.count ?? 0) }

    /// True when a poll would be answered at once (events waiting or in flight).
    public var hasEvents: Bool { !waiting.isEmpty || inFlight != nil }

    /// Queues an event. False when it was dropped: the queue was closed, or this push overflowed
    /// it (then `overflowed` is true and the queue is closed from now on).
    @discardableResult
    public mutating func push(_ event: LLSD) -> Bool {
        guard !isClosed else { return false }
        guard count < capacity else {
            overflowed = true
            isClosed = true
            return false
        }
        waiting.append(event)
        return true
    }

    /// `{"message": name, "body": body}`, pushed.
    @discardableResult
    public mutating func push(message: String, body: LLSD) -> Bool {
        push(EventQueueMessages.event(message, body: body))
    }

    /// Closes the queue (the session ended): no poll is answered and no event taken any more.
    public mutating func close() {
        isClosed = true
    }

    /// The answer to a poll, or nil when there is nothing to send yet (the front end then holds
    /// the request) or the queue is closed.
    public mutating func poll(ack: Int32?, done: Bool = false) -> Batch? {
        if let batch = inFlight, ack == batch.id { inFlight = nil }
        if done { isClosed = true }
        guard !isClosed else { return nil }
        if let batch = inFlight { return batch }
        guard !waiting.isEmpty else { return nil }
        lastID = lastID == Int32.max ? 1 : lastID + 1
        let batch = Batch(id: lastID, events: waiting)
        waiting.removeAll(keepingCapacity: true)
        inFlight = batch
        return batch
    }
}
