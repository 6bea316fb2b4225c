import TesseraWorld

/// The destination region's side of one hand-off. The destination admits the offered avatar as
/// pending (not simulated, not root) and becomes its root only when the client manager, having
/// switched the route, activates it. When a pending avatar is neither activated nor cancelled
/// in time, the destination asks the client manager, the authority on the route: "not routed"
/// (after which it never will be) drops the pending avatar; otherwise the activation is already
/// on its way on the same ordered link.
public struct HandoffDestination: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case pending(LocalID)
        case active(LocalID)
        case cancelled
        case refused(HandoffRefusal)
    }

    public enum Input: Sendable, Hashable {
        /// A repeated offer of the same id.
        case offer
        case cancel
        /// From the client manager: the route now points here.
        case activate
        case timeout
        /// The client manager's answer to a query: it will never route this hand-off here.
        case notRouted
        case managerLost
    }

    public enum Action: Sendable, Hashable {
        case sendAccept(LocalID)
        case sendRefuse(HandoffRefusal)
        case armTimer
        /// Ask the client manager whether it switched the route here.
        case sendQuery
        /// Make the pending avatar root: simulate it and send its client its first update now.
        case activate(LocalID)
        case dropPending(LocalID)
        /// Tell the client manager this hand-off is unknown here (its client must be closed).
        case rejectActivation
        /// The avatar is root here and its client manager is gone: remove it.
        case remove(LocalID)
    }

    public let id: HandoffID
    public private(set) var state: State

    /// An offer arrived. `admit` is the pending avatar's local id, or the reason to refuse.
    public static func offered(_ id: HandoffID, admit: Result<LocalID, HandoffRefusalError>) -> (HandoffDestination, [Action]) {
        switch admit {
        case .success(let localID):
            (HandoffDestination(id: id, state: .pending(localID)), [.sendAccept(localID), .armTimer])
        case .failure(let refusal):
            (HandoffDestination(id: id, state: .refused(refusal.reason)), [.sendRefuse(refusal.reason)])
        }
    }

    public var isRoot: Bool {
        if case .active = state { return true }
        return false
    }

    public mutating func handle(_ input: Input) -> [Action] {
        switch (state, input) {
        case (.pending(let localID), .offer):
            return [.sendAccept(localID)]
        case (.refused(let reason), .offer):
            return [.sendRefuse(reason)]
        case (.pending(let localID), .activate):
            state = .active(localID)
            return [.activate(localID)]
        case (.active, .activate):
            return []
        case (.pending, .timeout):
            return [.sendQuery, .armTimer]
        case (.pending(let localID), .cancel), (.pending(let localID), .notRouted), (.pending(let localID), .managerLost):
            state = .cancelled
            return [.dropPending(localID)]
        case (.active(let localID), .managerLost):
            state = .cancelled
            return [.remove(localID)]
        case (.cancelled, .activate), (.refused, .activate):
            return [.rejectActivation]
        default:
            // A cancel after activation is stale (the client manager already switched); the
            // timer of an active or ended hand-off means nothing.
            return []
        }
    }
}

public struct HandoffRefusalError: Error, Sendable, Hashable {
    public var reason: HandoffRefusal

    public init(_ reason: HandoffRefusal) {
        self.reason = reason
    }
}
