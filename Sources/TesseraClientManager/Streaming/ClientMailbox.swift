import DequeModule
import NIOCore
import Synchronization
import TesseraWorld

/// The bounded hand-over from routing (region frames, on network threads) to one client's
/// session task. Entity state is not queued here (sessions read it from the entity table at
/// send time); only events are, and past `capacity` the client is too slow to keep a correct
/// view: the mailbox closes and the session disconnects it with `tooSlow`.
public final class ClientMailbox: Sendable {
    private struct State {
        var events = Deque<ClientEvent>()
        var closure: CloseRequest?
        /// The writer waiting for its next tick, and whether it was woken before it waited.
        var sleeper: CheckedContinuation<Void, Never>?
        var woken = false
        var generation: UInt64 = 0
        /// The writer is resting (its view has been still for a while): anything that may
        /// change what it would send wakes it at once (`wakeIfResting`).
        var resting = false
    }

    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
    }

    public func push(_ event: ClientEvent) {
        state.withLock { state in
            guard state.closure == nil else { return }
            guard state.events.count < capacity else {
                state.closure = CloseRequest(code: .tooSlow, reason: "client fell more than \(capacity) events behind")
                state.events.removeAll()
                return
            }
            state.events.append(event)
        }
        wakeIfResting()
    }

    /// Asks the session to close the connection; the first request wins. A nil code is a
    /// normal closure (logout, or the client went away). `webSocketCode` replaces the close
    /// code 4000 + code (1009 for a message over the size limit).
    public func close(_ code: ErrorCode?, reason: String, webSocketCode: UInt16? = nil) {
        state.withLock { state in
            if state.closure == nil { state.closure = CloseRequest(code: code, reason: reason, webSocketCode: webSocketCode) }
        }
        wakeIfResting()
    }

    /// The client went away; nothing more is sent.
    public func peerClosed() {
        state.withLock { state in
            if state.closure == nil { state.closure = CloseRequest(code: nil, reason: "client closed the connection", peerGone: true) }
        }
        wakeIfResting()
    }

    /// The server is shutting down.
    public func serverStopping() {
        state.withLock { state in
            if state.closure == nil { state.closure = CloseRequest(code: nil, reason: "server shutting down", goingAway: true) }
        }
        wakeIfResting()
    }

    public func drain() -> (events: [ClientEvent], closure: CloseRequest?) {
        state.withLock { state in
            let events = Array(state.events)
            state.events.removeAll(keepingCapacity: true)
            return (events, state.closure)
        }
    }

    public var isClosed: Bool { state.withLock { $0.closure != nil } }

    /// Ends the writer's wait now: something must reach the client before its next tick (the
    /// first view after a region change).
    public func wake() {
        resumeSleeper(generation: nil)
    }

    /// Ends the writer's wait now if it is resting (a normal tick's wait is left alone: the
    /// tick comes soon enough). Cheap when it is not.
    public func wakeIfResting() {
        let sleeper = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.resting, let sleeper = state.sleeper else { return nil }
            state.sleeper = nil
            state.resting = false
            return sleeper
        }
        sleeper?.resume()
    }

    /// Resumes the waiting writer; a timer passes the generation of the wait it was armed
    /// for, so a timer left over from a wait that ended early wakes nothing.
    private func resumeSleeper(generation: UInt64?) {
        let sleeper = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let generation, generation != state.generation { return nil }
            guard let sleeper = state.sleeper else {
                if generation == nil { state.woken = true }
                return nil
            }
            state.sleeper = nil
            state.resting = false
            return sleeper
        }
        sleeper?.resume()
    }

    /// Waits until `deadline` (a timer on `loop`), or until `wake()`, or until cancelled; a
    /// `resting` wait also ends at the first event pushed, close request or `wakeIfResting()`.
    public func sleep(until deadline: NIODeadline, on loop: EventLoop, resting: Bool = false) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let generation = state.withLock { state -> UInt64? in
                    if state.woken || Task.isCancelled {
                        state.woken = false
                        return nil
                    }
                    // Something arrived since the last drain: a resting writer has work now.
                    if resting, !state.events.isEmpty || state.closure != nil { return nil }
                    state.generation &+= 1
                    state.sleeper = continuation
                    state.resting = resting
                    return state.generation
                }
                guard let generation else { return continuation.resume() }
                loop.scheduleTask(deadline: deadline) { self.resumeSleeper(generation: generation) }
            }
        } onCancel: {
            self.wake()
        }
        state.withLock { state in
            state.woken = false
            state.resting = false
        }
    }
}

/// Why and how a session ends.
public struct CloseRequest: Sendable, Hashable {
    /// nil for a normal closure.
    public var code: ErrorCode?
    public var reason: String
    /// The WebSocket close code when it is not 4000 + `code` (1009, message too big).
    public var webSocketCode: UInt16? = nil
    /// The client already closed; no close frame is sent.
    public var peerGone = false
    /// The server is stopping: close with 1001 (going away).
    public var goingAway = false
}
