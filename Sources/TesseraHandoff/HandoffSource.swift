import TesseraWorld

/// The source region's side of one hand-off (docs/handoff.md). The source holds the avatar,
/// frozen at the border, from the offer until the hand-off ends: committed (the client
/// manager routes to the destination: the source drops its copy), resumed (refused, timed
/// out, or the client manager never switched: the source is root again and pushes the avatar
/// back inside), or dropped (the avatar's client manager is gone).
public struct HandoffSource: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case offering
        /// The destination accepted; the client manager was asked to switch the route.
        case routing
        /// No answer from the client manager in time: asking whether it switched.
        case querying
        case committed
        case resumed
        case dropped
    }

    public enum Input: Sendable, Hashable {
        case accepted(LocalID)
        case refused(HandoffRefusal)
        /// The client manager switched the route to the destination.
        case routed
        /// The client manager did not switch, and now never will for this id.
        case notRouted
        case timeout
        case destinationLost
        case managerLost
    }

    public enum Action: Sendable, Hashable {
        case sendOffer
        case sendCancel
        /// Ask the client manager to route the avatar to the destination's `LocalID`.
        case sendRoute(LocalID)
        case sendQuery
        case armTimer
        /// The hand-off succeeded: forget the avatar.
        case commit
        /// The hand-off failed: the avatar is root here again; push it back inside the border.
        case resume
        /// The avatar's client is gone: forget the avatar.
        case drop
    }

    public let id: HandoffID
    public private(set) var state: State

    /// Starts a hand-off: the source sends the offer and arms its timer.
    public static func start(_ id: HandoffID) -> (HandoffSource, [Action]) {
        (HandoffSource(id: id, state: .offering), [.sendOffer, .armTimer])
    }

    public var isFinished: Bool {
        switch state {
        case .committed, .resumed, .dropped: true
        default: false
        }
    }

    public mutating func handle(_ input: Input) -> [Action] {
        switch (state, input) {
        case (.offering, .accepted(let localID)):
            state = .routing
            return [.sendRoute(localID), .armTimer]
        case (.offering, .refused):
            state = .resumed
            return [.resume]
        case (.offering, .timeout), (.offering, .destinationLost):
            // The destination may have accepted after all: cancel tells it to drop the pending avatar.
            state = .resumed
            return [.sendCancel, .resume]
        case (.routing, .routed), (.querying, .routed):
            state = .committed
            return [.commit]
        case (.routing, .notRouted), (.querying, .notRouted):
            state = .resumed
            return [.sendCancel, .resume]
        case (.routing, .timeout), (.querying, .timeout):
            // Never give up on a client manager whose link is up: it answers every query after
            // the route request (one ordered link), so giving up early could leave the avatar
            // with no root. A client manager that is gone arrives as `managerLost`.
            state = .querying
            return [.sendQuery, .armTimer]
        case (.routing, .destinationLost), (.querying, .destinationLost):
            // Only the client manager knows whether it switched; keep asking it.
            return []
        case (_, .managerLost) where !isFinished:
            state = .dropped
            return [.sendCancel, .drop]
        case (.resumed, .accepted), (.dropped, .accepted):
            // A late accept: the destination holds a pending avatar nobody will activate.
            return [.sendCancel]
        default:
            // Everything else is a repeat or arrives after the end: nothing to do.
            return []
        }
    }
}
