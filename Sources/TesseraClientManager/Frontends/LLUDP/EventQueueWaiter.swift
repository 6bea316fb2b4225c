import NIOCore
import Synchronization
import TesseraLLUDP

/// One region's event queue of one viewer, with the long poll's wait: a poll that finds
/// nothing waits until an event is pushed or `hold` has passed, whichever comes first. At most
/// one poll waits per queue; a newer poll ends the older one's wait (it answers empty).
final class EventQueueWaiter: Sendable {
    private struct State {
        var queue = SLEventQueue()
        var waiter: CheckedContinuation<Void, Never>?
        var generation: UInt64 = 0
        var closed = false
    }

    private let state = Mutex(State())

    /// Queues `event`; false only when the queue overflowed (the viewer stopped polling).
    /// An event for a queue the viewer closed (`done`) is dropped.
    func push(_ event: LLSD) -> Bool {
        let (overflowed, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.closed else { return (false, nil) }
            _ = state.queue.push(event)
            defer { state.waiter = nil }
            return (state.queue.overflowed, state.waiter)
        }
        waiter?.resume()
        return !overflowed
    }

    /// The queue ends: a waiting poll answers at once, later ones find it closed.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// The answer to one poll acknowledging `ack`: the events, or nil when nothing came within
    /// `hold` (the viewer polls again).
    func poll(ack: Int32?, hold: TimeAmount, on loop: EventLoop) async -> SLEventQueue.Batch? {
        if let batch = state.withLock({ $0.closed ? nil : $0.queue.poll(ack: ack) }) { return batch }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (generation, previous) = state.withLock { state -> (UInt64?, CheckedContinuation<Void, Never>?) in
                if state.closed || state.queue.hasEvents { return (nil, nil) }
                let previous = state.waiter
                state.generation &+= 1
                state.waiter = continuation
                return (state.generation, previous)
            }
            previous?.resume()
            guard let generation else { return continuation.resume() }
            loop.scheduleTask(in: hold) {
                let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                    guard state.generation == generation else { return nil }
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
        }
        return state.withLock { $0.closed ? nil : $0.queue.poll(ack: ack) }
    }
}
