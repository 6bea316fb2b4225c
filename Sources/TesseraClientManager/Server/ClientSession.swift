import Foundation
import Synchronization
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
    }

    /// Inventory calls one client may have waiting on the grid at once.
    static let maxCallsInFlight = 8

    public let mailbox: ClientMailbox
    private let state = Mutex(State())

    init(mailbox: ClientMailbox) {
        self.mailbox = mailbox
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
            state.agentID = agentID
            state.name = name
            state.route = route
            return true
        }
    }

    func joined(route: RegionRoute, localID: LocalID) {
        state.withLock { state in
            guard state.phase == .joining else { return }
            state.phase = .inWorld
            state.route = route
            state.localID = localID
        }
    }

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
