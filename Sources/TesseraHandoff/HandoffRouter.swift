/// The client manager's side of one hand-off: the authority on where the avatar's client is
/// routed. It switches at most once per id, and once it has told the source it did not switch,
/// it never will. The switch itself is one atomic step (route pointer, activation sent on the
/// destination's link, then every client message after it), so client messages stay in order.
public struct HandoffRouter: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case routedToSource
        case switched
        /// Told the source "not routed": a later route request for this id is refused.
        case abandoned
        /// The client's connection was closed.
        case closed
    }

    /// Who asks: the source or the destination region.
    public enum Asker: Sendable, Hashable {
        case source
        case destination
    }

    public enum Input: Sendable, Hashable {
        /// The source asks for the switch; `destinationReachable` is whether the client
        /// manager's link to the destination is up (a switch to a dead link would strand the client).
        case route(destinationReachable: Bool)
        case query(Asker)
        case activationRejected
        case sourceLost
        case destinationLost
    }

    public enum Action: Sendable, Hashable {
        /// Point the route at the destination and send it the activation.
        case switchRoute
        case sendRouted(to: Asker)
        case sendNotRouted(to: Asker)
        /// Close the client, telling it why (its region is gone).
        case closeClient
    }

    public let id: HandoffID
    public private(set) var state: State = .routedToSource

    public init(_ id: HandoffID) {
        self.id = id
    }

    public var routesToDestination: Bool { state == .switched }

    public mutating func handle(_ input: Input) -> [Action] {
        switch (state, input) {
        case (.routedToSource, .route(destinationReachable: true)):
            state = .switched
            return [.switchRoute, .sendRouted(to: .source)]
        case (.routedToSource, .route(destinationReachable: false)):
            state = .abandoned
            return [.sendNotRouted(to: .source)]
        case (.switched, .route):
            return [.sendRouted(to: .source)]
        case (.switched, .query(let asker)):
            return [.sendRouted(to: asker)]
        case (.routedToSource, .query(let asker)):
            state = .abandoned
            return [.sendNotRouted(to: asker)]
        case (.abandoned, .route):
            return [.sendNotRouted(to: .source)]
        case (.abandoned, .query(let asker)):
            return [.sendNotRouted(to: asker)]
        case (.switched, .activationRejected), (.switched, .destinationLost), (.routedToSource, .sourceLost):
            state = .closed
            return [.closeClient]
        case (.abandoned, .sourceLost):
            state = .closed
            return [.closeClient]
        default:
            return []
        }
    }
}
