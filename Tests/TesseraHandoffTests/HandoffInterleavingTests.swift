import Testing
import TesseraHandoff
import TesseraWorld

/// The three participants of one hand-off wired by six FIFO links (TCP keeps order on each),
/// explored exhaustively: at every reachable state any link may deliver its next message, any
/// armed timer may fire, and (once per run) any participant may crash. The invariant is
/// checked in every state, and the outcome in every state where nothing more can happen.
@Suite struct HandoffInterleavingTests {
    enum Message: Hashable {
        case offer, cancel, accept(LocalID), refuse(HandoffRefusal), route(LocalID), query, routed, notRouted, activate, rejectActivation
    }

    enum Participant: Hashable, CaseIterable { case source, destination, manager }

    struct World: Hashable {
        var source: HandoffSource?
        var destination: HandoffDestination?
        var router: HandoffRouter?
        var crashed: Set<Participant> = []
        var links: [Link: [Message]] = [:]
        var sourceTimer = false
        var destinationTimer = false
        var crashesLeft: Int
        /// Whether the destination admits the offer.
        let admits: Bool

        enum Link: Hashable, CaseIterable { case sd, ds, sc, cs, cd, dc }
    }

    static let id = HandoffID(rawValue: 42)
    static let pendingLocalID: LocalID = 7

    // MARK: Stepping

    static func start(admits: Bool, crashes: Int) -> World {
        let (source, actions) = HandoffSource.start(id)
        var world = World(source: source, router: HandoffRouter(id), crashesLeft: crashes, admits: admits)
        world.apply(source: actions)
        return world
    }

    /// Every world one event away.
    static func successors(_ world: World) -> [World] {
        var next: [World] = []
        for link in World.Link.allCases where !(world.links[link] ?? []).isEmpty {
            var copy = world
            copy.deliver(on: link)
            next.append(copy)
        }
        // The source's timer period is far longer than a delivery: it never fires while its
        // last query is still on its way (which also keeps the explored space finite).
        if world.sourceTimer, world.source != nil, !world.awaitsAnswer(on: .sc, back: .cs) {
            var copy = world
            copy.sourceTimer = false
            copy.apply(source: copy.source!.handle(.timeout))
            next.append(copy)
        }
        // Likewise the destination's timer never fires while its query or the answer is on its way.
        if world.destinationTimer, world.destination != nil, !world.awaitsAnswer(on: .dc, back: .cd) {
            var copy = world
            copy.destinationTimer = false
            copy.apply(destination: copy.destination!.handle(.timeout))
            next.append(copy)
        }
        if world.crashesLeft > 0 {
            for participant in Participant.allCases where !world.crashed.contains(participant) {
                var copy = world
                copy.crash(participant)
                next.append(copy)
            }
        }
        return next
    }

    // MARK: The checks

    /// Which regions treat the avatar as root: the one the client manager routes to, if it
    /// holds the avatar. A client whose connection was closed has none, and that is allowed.
    static func roots(_ world: World) -> Int {
        guard let router = world.router, router.state != .closed else { return 0 }
        if router.routesToDestination {
            // The switch sends the activation on the destination's link ahead of every later
            // client message, so from the switch on the destination is root: active, or about
            // to be when it reads the activation that is on its way.
            let activationOnItsWay = world.links[.cd]?.contains(.activate) == true
            if case .pending? = world.destination?.state, activationOnItsWay { return 1 }
            return world.destination?.isRoot == true ? 1 : 0
        }
        switch world.source?.state {
        case .offering?, .routing?, .querying?, .resumed?: return 1
        default: return 0
        }
    }

    static func checkInvariant(_ world: World) {
        let clientOpen = world.router.map { $0.state != .closed } ?? false
        #expect(roots(world) <= 1, "two roots: \(world)")
        if clientOpen {
            #expect(roots(world) == 1, "an open client without a root: \(world)")
        }
        // The source never takes the avatar back after the route moved.
        if world.router?.routesToDestination == true {
            #expect(world.source?.state != .resumed, "source resumed after the switch: \(world)")
        }
        // The destination is never root unless the route points to it.
        if world.destination?.isRoot == true, world.router != nil, world.router?.state != .closed {
            #expect(world.router?.routesToDestination == true, "destination root without the route: \(world)")
        }
    }

    enum Outcome: Hashable { case committed, resumed, closed }

    /// Once nothing more can happen: the hand-off ended one way, and nothing is left half-done.
    static func outcome(_ world: World) -> Outcome? {
        let clientOpen = world.router.map { $0.state != .closed } ?? false
        if let source = world.source {
            #expect(source.isFinished, "source left mid hand-off: \(world)")
        }
        if case .pending? = world.destination?.state {
            Issue.record("destination left holding a pending avatar: \(world)")
        }
        guard clientOpen else {
            #expect(world.destination?.isRoot != true || world.crashed.contains(.destination) || world.router == nil,
                    "an avatar left root after its client closed: \(world)")
            return .closed
        }
        if world.router?.routesToDestination == true {
            #expect(world.destination?.isRoot == true, "\(world)")
            #expect(world.source == nil || world.source?.state == .committed, "\(world)")
            return .committed
        }
        #expect(world.source?.state == .resumed, "\(world)")
        #expect(world.destination?.isRoot != true, "\(world)")
        return .resumed
    }

    static func explore(admits: Bool, crashes: Int) -> (states: Int, outcomes: Set<Outcome>) {
        var seen: Set<World> = []
        var frontier = [start(admits: admits, crashes: crashes)]
        var outcomes: Set<Outcome> = []
        while let world = frontier.popLast() {
            guard seen.insert(world).inserted else { continue }
            checkInvariant(world)
            let next = successors(world)
            let quiescent = next.allSatisfy { $0.crashesLeft < world.crashesLeft } // only crashes remain
            if quiescent, let outcome = outcome(world) { outcomes.insert(outcome) }
            frontier.append(contentsOf: next)
        }
        return (seen.count, outcomes)
    }

    // MARK: Tests

    @Test func withoutFaultsAnAcceptedOfferCommitsAndARefusedOneResumes() {
        let accepted = Self.explore(admits: true, crashes: 0)
        #expect(accepted.outcomes == [.committed, .resumed], "timeouts may still make it resume")
        let refused = Self.explore(admits: false, crashes: 0)
        #expect(refused.outcomes == [.resumed])
        #expect(accepted.states > 20)
    }

    @Test func everyInterleavingWithOneCrashKeepsAtMostOneRoot() {
        let run = Self.explore(admits: true, crashes: 1)
        #expect(run.outcomes == [.committed, .resumed, .closed])
        // Every fault-free state is reachable here too, and crashes add more.
        #expect(run.states > Self.explore(admits: true, crashes: 0).states)
        let refused = Self.explore(admits: false, crashes: 1)
        #expect(refused.outcomes.isSubset(of: [.resumed, .closed]))
    }

    @Test func everyInterleavingWithTwoCrashesKeepsAtMostOneRoot() {
        let run = Self.explore(admits: true, crashes: 2)
        #expect(run.outcomes.contains(.closed))
        #expect(run.states > Self.explore(admits: true, crashes: 1).states)
    }

    @Test func sourceRestartsAreResolvedByTheClientManager() {
        // A source that crashed after asking for the switch: the avatar ends in the destination
        // or its client is closed, never in both or neither with an open client.
        var world = Self.start(admits: true, crashes: 1)
        world.deliver(on: .sd)  // offer reaches the destination
        world.deliver(on: .ds)  // accept reaches the source, which asks for the route
        world.crash(.source)
        #expect(world.links[.sc] == nil, "the route request died with the source")
        #expect(world.router?.state == .closed, "the client manager lost the source before switching: client closed")
        #expect(Self.roots(world) == 0)
    }
}

// MARK: - The world's wiring

extension HandoffInterleavingTests.World {
    typealias Message = HandoffInterleavingTests.Message

    /// True while a query is on its way out or its answer on its way back.
    func awaitsAnswer(on out: Link, back: Link) -> Bool {
        if links[out]?.contains(.query) == true { return true }
        return links[back]?.contains(where: { $0 == .routed || $0 == .notRouted }) == true
    }

    mutating func send(_ message: Message, on link: Link) {
        let ends: (HandoffInterleavingTests.Participant, HandoffInterleavingTests.Participant) =
            switch link {
            case .sd: (.source, .destination)
            case .ds: (.destination, .source)
            case .sc: (.source, .manager)
            case .cs: (.manager, .source)
            case .cd: (.manager, .destination)
            case .dc: (.destination, .manager)
            }
        guard !crashed.contains(ends.0), !crashed.contains(ends.1) else { return }
        links[link, default: []].append(message)
    }

    mutating func deliver(on link: Link) {
        let message = links[link]!.removeFirst()
        if links[link]!.isEmpty { links[link] = nil }
        switch (link, message) {
        case (.sd, .offer):
            if destination == nil {
                let admit: Result<LocalID, HandoffRefusalError> =
                    admits ? .success(HandoffInterleavingTests.pendingLocalID) : .failure(HandoffRefusalError(.regionFull))
                let (machine, actions) = HandoffDestination.offered(HandoffInterleavingTests.id, admit: admit)
                destination = machine
                apply(destination: actions)
            } else {
                apply(destination: destination!.handle(.offer))
            }
        case (.sd, .cancel):
            if destination != nil { apply(destination: destination!.handle(.cancel)) }
        case (.ds, .accept(let localID)):
            apply(source: source!.handle(.accepted(localID)))
        case (.ds, .refuse(let reason)):
            apply(source: source!.handle(.refused(reason)))
        case (.sc, .route):
            apply(router: router!.handle(.route(destinationReachable: !crashed.contains(.destination))))
        case (.sc, .query):
            apply(router: router!.handle(.query(.source)))
        case (.dc, .query):
            apply(router: router!.handle(.query(.destination)))
        case (.cd, .routed):
            break
        case (.cd, .notRouted):
            if destination != nil { apply(destination: destination!.handle(.notRouted)) }
        case (.cs, .routed):
            apply(source: source!.handle(.routed))
        case (.cs, .notRouted):
            apply(source: source!.handle(.notRouted))
        case (.cd, .activate):
            if destination != nil { apply(destination: destination!.handle(.activate)) } else { send(.rejectActivation, on: .dc) }
        case (.dc, .rejectActivation):
            apply(router: router!.handle(.activationRejected))
        default:
            Issue.record("unexpected \(message) on \(link)")
        }
    }

    mutating func crash(_ participant: HandoffInterleavingTests.Participant) {
        crashesLeft -= 1
        crashed.insert(participant)
        for link in Link.allCases {
            let touches: Bool =
                switch (participant, link) {
                case (.source, .sd), (.source, .ds), (.source, .sc), (.source, .cs): true
                case (.destination, .sd), (.destination, .ds), (.destination, .cd), (.destination, .dc): true
                case (.manager, .sc), (.manager, .cs), (.manager, .cd), (.manager, .dc): true
                default: false
                }
            if touches { links[link] = nil }
        }
        switch participant {
        case .source:
            source = nil
            sourceTimer = false
            if router != nil { apply(router: router!.handle(.sourceLost)) }
        case .destination:
            destination = nil
            destinationTimer = false
            if source != nil { apply(source: source!.handle(.destinationLost)) }
            if router != nil { apply(router: router!.handle(.destinationLost)) }
        case .manager:
            router = nil
            if source != nil { apply(source: source!.handle(.managerLost)) }
            if destination != nil { apply(destination: destination!.handle(.managerLost)) }
        }
    }

    mutating func apply(source actions: [HandoffSource.Action]) {
        for action in actions {
            switch action {
            case .sendOffer: send(.offer, on: .sd)
            case .sendCancel: send(.cancel, on: .sd)
            case .sendRoute(let localID): send(.route(localID), on: .sc)
            case .sendQuery: send(.query, on: .sc)
            case .armTimer: sourceTimer = true
            case .commit, .resume, .drop: sourceTimer = false
            }
        }
    }

    mutating func apply(destination actions: [HandoffDestination.Action]) {
        for action in actions {
            switch action {
            case .sendAccept(let localID): send(.accept(localID), on: .ds)
            case .sendRefuse(let reason): send(.refuse(reason), on: .ds)
            case .armTimer: destinationTimer = true
            case .sendQuery: send(.query, on: .dc)
            case .activate, .dropPending, .remove: destinationTimer = false
            case .rejectActivation: send(.rejectActivation, on: .dc)
            }
        }
    }

    mutating func apply(router actions: [HandoffRouter.Action]) {
        for action in actions {
            switch action {
            case .switchRoute: send(.activate, on: .cd)
            case .sendRouted(let asker): send(.routed, on: asker == .source ? .cs : .cd)
            case .sendNotRouted(let asker): send(.notRouted, on: asker == .source ? .cs : .cd)
            case .closeClient: break
            }
        }
    }
}
