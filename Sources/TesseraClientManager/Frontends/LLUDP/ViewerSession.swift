import Foundation
import Logging
import NIOCore
import Synchronization
import TesseraClientProtocol
import TesseraLLUDP
import TesseraWire
import TesseraWorld

/// Who a logged-in viewer is: fixed at its XML-RPC login.
struct ViewerIdentity: Sendable {
    let agentID: AgentID
    let sessionID: UUID
    let secureSessionID: UUID
    let circuitCode: UInt32
    /// The Tessera avatar name, and its Second Life form (last name "Resident" for one-part names).
    let name: String
    let firstName: String
    let lastName: String
    let token: String?
}

/// One Second Life viewer: its transport-neutral `ClientSession`, its circuits (one per region
/// endpoint it talks to), its event queues (one per region, long-polled over HTTP) and what it
/// has been told. Input from any circuit becomes `ClientMessage` commands; the session's
/// ticker hands each tick's view to `transmit`, which turns it into LLUDP messages.
final class ViewerSession: Sendable {
    let identity: ViewerIdentity
    let session: ClientSession
    let commands: SessionCommands
    let frontend: LLUDPFrontend
    /// Where the avatar enters the world (until the region admits it).
    let startRoute: RegionRoute
    /// The point of the start region the login asked for (`uri:Region&x&y&z`); the avatar is
    /// moved there once the region has admitted it.
    let startPosition: Vector3?
    let state: Mutex<State>

    struct State {
        var limits: SessionInputLimits
        var circuits: [RegionHandle: ViewerCircuit] = [:]
        var queues: [RegionHandle: EventQueueWaiter] = [:]
        /// Capability ids handed out, to revoke at the end.
        var caps: [String] = []
        /// The region the avatar is root in, once Welcome or RegionChanged said so.
        var root: RegionHandle?
        var rootName = ""
        var ownLocalID: LocalID?
        /// The join was asked of the start region (at the first CompleteAgentMovement).
        var joinRequested = false
        /// Regions whose circuit sent CompleteAgentMovement / RegionHandshakeReply.
        var movementCompleted: Set<RegionHandle> = []
        var handshakeSent: Set<RegionHandle> = []
        var handshakeReplied: Set<RegionHandle> = []
        var terrainSent: Set<RegionHandle> = []
        /// A region left by a crossing or teleport, to disable once the new one is entered.
        var leaving: RegionHandle?
        var lastIntent = MovementIntent.stop
        var lastControlFlags: UInt32 = 0
        var alwaysRun = false
        /// The teleport asked for and not yet answered, by request id.
        var teleport: (requestID: UInt32, handle: RegionHandle)?
        var nextRequestID: UInt32 = 1
        /// Avatar names by full id, for UUIDNameRequest.
        var names: [UUID: String] = [:]
        /// The task throttle in bytes per second (AgentThrottle), nil until the viewer sets one.
        var throttleBytesPerSecond: Double?
        var lastCoarse = 0.0
        var lastStats = 0.0
        var loggedOut = false
        /// The circuit the viewer's LogoutRequest came on: its LogoutReply goes back there (in
        /// the middle of a region change the viewer may not be on the new root's circuit yet).
        var logoutCircuit: ViewerCircuit?
    }

    init(
        identity: ViewerIdentity, session: ClientSession, frontend: LLUDPFrontend, startRoute: RegionRoute, startPosition: Vector3?,
        address: String, logger: Logger
    ) {
        self.identity = identity
        self.startPosition = startPosition
        self.session = session
        self.frontend = frontend
        self.startRoute = startRoute
        commands = SessionCommands(session: session, manager: frontend.manager, address: address, logger: logger)
        state = Mutex(State(limits: SessionInputLimits(settings: frontend.manager.settings)))
    }

    var agentID: AgentID { identity.agentID }

    /// The event queue of `region`, made on first use.
    func eventQueue(_ region: RegionHandle) -> EventQueueWaiter {
        state.withLock { state in
            if let queue = state.queues[region] { return queue }
            let queue = EventQueueWaiter()
            state.queues[region] = queue
            return queue
        }
    }

    /// The viewer ended its poll of `region`'s queue (`done`): a later visit gets a fresh one.
    func endQueue(_ region: RegionHandle) {
        let queue = state.withLock { $0.queues.removeValue(forKey: region) }
        queue?.close()
    }

    func remember(cap: String) {
        state.withLock { $0.caps.append(cap) }
    }

    /// An event for the viewer's current root region's queue (or `region`'s).
    func pushEvent(_ event: LLSD, region: RegionHandle? = nil) {
        let target = region ?? state.withLock { $0.root } ?? startRoute.handle
        if !eventQueue(target).push(event) {
            session.mailbox.close(.tooSlow, reason: "the viewer did not poll its event queue")
        }
    }

    var rootCircuit: ViewerCircuit? {
        state.withLock { state in state.root.flatMap { state.circuits[$0] } }
    }

    func circuit(_ region: RegionHandle) -> ViewerCircuit? {
        state.withLock { $0.circuits[region] }
    }

    /// Ends every circuit and queue (the session is over).
    func finish() {
        let (circuits, queues, caps) = state.withLock { state in
            defer {
                state.circuits = [:]
                state.queues = [:]
            }
            return (Array(state.circuits.values), Array(state.queues.values), state.caps)
        }
        for circuit in circuits { circuit.close() }
        for queue in queues { queue.close() }
        frontend.revoke(caps: caps)
    }
}

extension ViewerSession {
    /// A deterministic full id for an object (region and local id), and the agent's own id
    /// for avatars, so viewers name an avatar by its account.
    static func fullID(region: RegionHandle, localID: LocalID, agentID: AgentID?) -> UUID {
        if let agentID { return agentID }
        let r = region.rawValue
        return UUID(uuid: (
            UInt8(truncatingIfNeeded: r >> 56), UInt8(truncatingIfNeeded: r >> 48), UInt8(truncatingIfNeeded: r >> 40), UInt8(truncatingIfNeeded: r >> 32),
            UInt8(truncatingIfNeeded: r >> 24), UInt8(truncatingIfNeeded: r >> 16), 0x4E, UInt8(truncatingIfNeeded: r >> 8),
            0x80, 0x53, UInt8(truncatingIfNeeded: localID >> 24), UInt8(truncatingIfNeeded: localID >> 16),
            UInt8(truncatingIfNeeded: localID >> 8), UInt8(truncatingIfNeeded: localID), 0x51, 0x7E
        ))
    }

    /// A Tessera avatar name as Second Life's first and last name.
    static func slName(_ name: String) -> (first: String, last: String) {
        let parts = name.split(separator: " ", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : (name, "Resident")
    }
}
