import DequeModule
import Foundation
import Synchronization
import TesseraClientProtocol
import TesseraHandoff
import TesseraWire
import TesseraWorld

/// One client connection's identity and route, shared between its reader, its writer and
/// the routing side. The streaming state itself (`ClientView`) belongs to the writer alone.
public final class ClientSession: Sendable {
    public enum Phase: Sendable, Equatable {
        case awaitingLogin
        /// The grid services are checking the credential.
        case authenticating
        case joining
        case inWorld
        case closed
    }

    private struct State {
        var phase = Phase.awaitingLogin
        var agentID: AgentID?
        var name = ""
        var route: RegionRoute?
        var localID: LocalID?
        /// The session token the login used or got; revoked at logout.
        var token: String?
        var callsInFlight = 0
        /// The sequence number of the last command sent to a region.
        var sequence: UInt32 = 0
        /// The latest commands sent, kept to replay to a hand-off's destination, and their
        /// approximate size in bytes.
        var recent = Deque<(UInt32, AgentCommand)>()
        var recentBytes = 0
        /// The routers of this client's latest hand-offs (answers to late queries).
        var routers: [HandoffID: HandoffRouter] = [:]
        var routerOrder = Deque<HandoffID>()
        /// Set at a switch: the first view from the new region goes out at once.
        var awaitingFirstView = false
        /// When the region was asked to admit the avatar (the join timeout counts from it).
        var joinStarted: ContinuousClock.Instant?
        /// The client sent Logout: nothing more it sends is acted on.
        var loggingOut = false
    }

    /// Commands kept for replay: well above what a client may send (30/s, burst 60) during
    /// the hand-offs' switch window.
    static let replayDepth = 128
    /// Bytes of commands kept for replay (script sources are up to 64 KiB each): past it the
    /// oldest commands are let go, as past `replayDepth`.
    static let replayBytes = 256 * 1024
    static let routersKept = 8

    /// Inventory calls one client may have waiting on the grid at once.
    static let maxCallsInFlight = 8

    public let mailbox: ClientMailbox
    private let state = Mutex(State())
    private let version = Atomic<UInt16>(clientProtocolVersion)
    /// This connection's place among those not yet in the world; given back at `Welcome`.
    let pending: PendingTicket?

    /// The grid's map and terrains, sent to protocol 8 clients at each arrival in a region.
    let atlas: RegionAtlas?

    init(mailbox: ClientMailbox, pending: PendingTicket? = nil, atlas: RegionAtlas? = nil) {
        self.atlas = atlas
        self.mailbox = mailbox
        self.pending = pending
    }

    var joinStarted: ContinuousClock.Instant? { state.withLock { $0.joinStarted } }

    /// The protocol version the client logged in with (the newest until it has); the writer
    /// sends it only what that version has.
    public var protocolVersion: UInt16 {
        get { version.load(ordering: .relaxed) }
        set { version.store(newValue, ordering: .relaxed) }
    }
    var isLoggingOut: Bool { state.withLock { $0.loggingOut } }

    /// False when Logout was already received.
    func beginLogout() -> Bool {
        state.withLock { state in
            defer { state.loggingOut = true }
            return !state.loggingOut
        }
    }

    public var phase: Phase { state.withLock { $0.phase } }
    public var agentID: AgentID? { state.withLock { $0.agentID } }
    var route: RegionRoute? { state.withLock { $0.route } }

    /// False unless the session was waiting for its login.
    func beginAuthentication() -> Bool {
        state.withLock { state in
            guard state.phase == .awaitingLogin else { return false }
            state.phase = .authenticating
            return true
        }
    }

    var token: String? { state.withLock { $0.token } }
    var name: String { state.withLock { $0.name } }

    /// False when the session already has its share of calls in flight.
    func reserveCall() -> Bool {
        state.withLock { state in
            guard state.callsInFlight < Self.maxCallsInFlight else { return false }
            state.callsInFlight += 1
            return true
        }
    }

    func releaseCall() {
        state.withLock { $0.callsInFlight -= 1 }
    }

    /// False when the session closed while the login was being checked.
    @discardableResult
    func beginJoin(agentID: AgentID, name: String, route: RegionRoute, token: String? = nil) -> Bool {
        state.withLock { state in
            guard state.phase == .authenticating || state.phase == .awaitingLogin else { return false }
            state.token = token
            state.phase = .joining
            state.joinStarted = .now
            state.agentID = agentID
            state.name = name
            state.route = route
            return true
        }
    }

    func joined(route: RegionRoute, localID: LocalID) {
        let entered = state.withLock { state -> Bool in
            guard state.phase == .joining else { return false }
            state.phase = .inWorld
            state.route = route
            state.localID = localID
            return true
        }
        if entered { pending?.release() }
    }

    /// Sends a command to the avatar's root region, numbered; false before the avatar is in
    /// the world. Numbering, keeping and writing happen under the session's lock, so a route
    /// switch (which replays under the same lock) never reorders commands.
    func send(_ command: AgentCommand) -> Bool {
        state.withLock { state in
            guard state.phase == .inWorld, let route = state.route, let agentID = state.agentID else { return false }
            state.sequence &+= 1
            state.recent.append((state.sequence, command))
            state.recentBytes += command.replaySize
            while state.recent.count > Self.replayDepth || (state.recentBytes > Self.replayBytes && state.recent.count > 1) {
                state.recentBytes -= state.recent.removeFirst().1.replaySize
            }
            _ = route.link.send(.agentInput(AgentInput(region: route.handle, agentID: agentID, sequence: state.sequence, command: command)))
            // The writer may be resting: what this command changes must reach the client now.
            mailbox.wakeIfResting()
            return true
        }
    }

    /// Feeds a hand-off step to this client's router for `id` and returns what to do.
    func routerInput(_ id: HandoffID, _ input: HandoffRouter.Input) -> [HandoffRouter.Action] {
        state.withLock { state in
            if state.routers[id] == nil {
                state.routers[id] = HandoffRouter(id)
                state.routerOrder.append(id)
                if state.routerOrder.count > Self.routersKept { state.routers[state.routerOrder.removeFirst()] = nil }
            }
            return state.routers[id]!.handle(input)
        }
    }

    /// The route switch of a hand-off, in one step: the route pointer, the activation on the
    /// destination's link, then the commands the source did not fold into its offer, in order.
    /// Returns how many commands could not be replayed (they had left the replay window).
    func switchRoute(_ signal: HandoffSignal, to destination: RegionRoute, localID: LocalID, appliedSequence: UInt32, change: RegionChanged) -> Int {
        let (old, missing) = state.withLock { state -> (RegionRoute?, Int) in
            guard state.phase == .inWorld, let agentID = state.agentID else { return (nil, 0) }
            let old = state.route
            let oldLocalID = state.localID
            state.route = destination
            state.localID = localID
            state.awaitingFirstView = true
            old?.detach(localID: oldLocalID)
            destination.attach(self, localID: localID)
            // The client's view changes region before anything of the destination can reach the
            // mailbox (its first view comes back as soon as it reads the activation).
            mailbox.push(.message(.regionChanged(change)))
            pushAtlas(for: change.regionHandle)
            var activation = signal
            activation.to = destination.handle
            activation.step = .activate(localID: localID)
            _ = destination.link.send(.handoffSignal(activation))
            let replay = state.recent.filter { $0.0 > appliedSequence }
            for (sequence, command) in replay {
                _ = destination.link.send(.agentInput(AgentInput(region: destination.handle, agentID: agentID, sequence: sequence, command: command)))
            }
            let expected = Int(state.sequence &- appliedSequence)
            return (old, max(0, expected - replay.count))
        }
        _ = old
        return missing
    }

    /// A live migration moved the avatar's region to another node (docs/migration.md): the
    /// route now reaches it there, with the same local ID, and the commands the region had not
    /// applied when it froze are written there again, in order. False when the session was no
    /// longer routed to the old route (it closed, or a hand-off took it elsewhere).
    func migrated(from old: RegionRoute?, to route: RegionRoute, appliedSequence: UInt32) -> Bool {
        state.withLock { state in
            guard state.phase == .inWorld, let agentID = state.agentID, let current = state.route,
                current === old || current.handle == route.handle
            else { return false }
            state.route = route
            for (sequence, command) in state.recent where sequence > appliedSequence {
                _ = route.link.send(.agentInput(AgentInput(region: route.handle, agentID: agentID, sequence: sequence, command: command)))
            }
            mailbox.wakeIfResting()
            return true
        }
    }

    /// True once after a switch: the caller wakes the writer for the first view.
    func takeFirstView() -> Bool {
        state.withLock { state in
            defer { state.awaitingFirstView = false }
            return state.awaitingFirstView
        }
    }

    var localID: LocalID? { state.withLock { $0.localID } }

    /// The route and ids to address commands with, once the avatar is in the world.
    func commandTarget() -> (RegionRoute, AgentID)? {
        state.withLock { state in
            guard state.phase == .inWorld, let route = state.route, let agentID = state.agentID else { return nil }
            return (route, agentID)
        }
    }

    /// Marks the session closed and says which region must be told; nil if none.
    func close() -> (RegionRoute, AgentID, LocalID?)? {
        state.withLock { state in
            defer { state.phase = .closed }
            guard state.phase == .joining || state.phase == .inWorld,
                let route = state.route, let agentID = state.agentID
            else { return nil }
            return (route, agentID, state.localID)
        }
    }
}

extension AgentCommand {
    /// About how many bytes the command holds, for the replay window's byte bound.
    var replaySize: Int {
        switch self {
        case .chat(_, _, let text): 64 + text.utf8.count
        case .addScript(_, _, let name, .text(let text)): 64 + name.utf8.count + text.utf8.count
        default: 64
        }
    }
}

extension ClientSession {
    /// After a `Welcome` or a `RegionChanged`: protocol 8's map and terrains of the region.
    func pushAtlas(for region: RegionHandle) {
        guard let atlas, protocolVersion >= 8 else { return }
        for message in atlas.messages(for: region) { mailbox.push(.message(message)) }
    }
}
