import DequeModule
import Synchronization

/// The hand-over point between network threads and a region's frame loop: network handlers
/// push, the frame drains once per frame. Avatar commands between two frames are bounded by
/// `capacity`, shared by all avatars of the region; past it a command is dropped and counted,
/// so a burst costs commands, never the frame rate. Per-client fairness is the client
/// manager's job (each client is rate-limited there). Connection and join/leave inputs are
/// always admitted: they are bounded by the number of connections and avatars, and losing one
/// would strand an avatar.
public final class RegionInbox: Sendable {
    private struct State {
        var queue = Deque<RegionInput>()
        var commands = 0
        var dropped = 0
    }

    private let state = Mutex(State())
    public let capacity: Int
    /// Called (outside the lock) when an input arrives that should not wait for the next frame.
    private let urgent = Mutex<(@Sendable () -> Void)?>(nil)

    public func onUrgent(_ handler: @escaping @Sendable () -> Void) {
        urgent.withLock { $0 = handler }
    }

    public init(capacity: Int = 65_536) {
        self.capacity = capacity
    }

    /// False when the input was dropped.
    @discardableResult
    public func push(_ input: RegionInput) -> Bool {
        let admitted = enqueue(input)
        if admitted, input.isUrgent, let handler = urgent.withLock({ $0 }) { handler() }
        return admitted
    }

    private func enqueue(_ input: RegionInput) -> Bool {
        state.withLock { state in
            if case .command = input {
                guard state.commands < capacity else {
                    state.dropped += 1
                    return false
                }
                state.commands += 1
            }
            state.queue.append(input)
            return true
        }
    }

    public func drain() -> [RegionInput] {
        state.withLock { state in
            let inputs = Array(state.queue)
            state.queue.removeAll(keepingCapacity: true)
            state.commands = 0
            return inputs
        }
    }

    public var droppedCount: Int { state.withLock { $0.dropped } }
}

extension RegionInput {
    /// Hand-off steps: each waiting frame would add up to a frame period to a crossing, so the
    /// runner applies them between frames (`Region.react`).
    public var isUrgent: Bool {
        switch self {
        case .managerSignal: true
        case .peer(.handoffOffer), .peer(.handoffSignal): true
        default: false
        }
    }
}
