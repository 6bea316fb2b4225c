import Logging
import Synchronization
import TesseraClientProtocol
import TesseraHandoff
import TesseraWire
import TesseraWorld

/// The client manager's part in hand-offs (docs/handoff.md): it owns where each client is
/// routed, so it answers the regions' route requests and queries through each client's
/// `HandoffRouter` and carries out the router's actions.
final class HandoffSwitchboard: Sendable {
    private let routes: RouteTable
    private let sessions: @Sendable (AgentID) -> ClientSession?
    private let stats: ClientManagerStats
    private let logger: Logger

    init(routes: RouteTable, stats: ClientManagerStats, logger: Logger, sessions: @escaping @Sendable (AgentID) -> ClientSession?) {
        self.routes = routes
        self.stats = stats
        self.logger = logger
        self.sessions = sessions
    }

    /// A hand-off signal from a region, on the link it came by.
    func received(_ signal: HandoffSignal, on link: RegionLink) {
        let session = sessions(signal.subject)
        switch signal.step {
        case .route(let localID, let applied, let kind, let started, let requestID):
            guard let session else { return reply(signal, .notRouted, to: signal.source, on: link) }
            // A client not routed to the asker is never switched; its router answers a repeat
            // of a switch it made ("routed") and refuses anything else.
            let destination = routes.route(signal.destination)
            let reachable = destination?.link.isConnected == true && session.route?.handle == signal.source && session.phase == .inWorld
            for action in session.routerInput(signal.handoffID, .route(destinationReachable: reachable)) {
                switch action {
                case .switchRoute:
                    guard let destination else { continue }
                    let change = RegionChanged(
                        kind: kind == .teleport ? .teleport : .crossing, localID: localID, regionName: destination.descriptor.name,
                        regionHandle: destination.handle, startedMillis: started, requestID: requestID)
                    let missing = session.switchRoute(signal, to: destination, localID: localID, appliedSequence: applied, change: change)
                    stats.handoffsSwitched.add(1, ordering: .relaxed)
                    if missing > 0 {
                        stats.handoffCommandsLost.add(missing, ordering: .relaxed)
                        logger.warning("hand-off could not replay every command", metadata: ["missing": "\(missing)"])
                    }
                default:
                    perform(action, signal, session: session, link: link)
                }
            }
        case .query:
            let asker: HandoffRouter.Asker = signal.to == signal.source ? .source : .destination
            guard let session else { return reply(signal, .notRouted, to: signal.to, on: link) }
            for action in session.routerInput(signal.handoffID, .query(asker)) {
                perform(action, signal, session: session, link: link)
            }
        case .rejectActivation:
            guard let session else { return }
            for action in session.routerInput(signal.handoffID, .activationRejected) {
                perform(action, signal, session: session, link: link)
            }
        case .failed(let reason):
            guard let session else { return }
            stats.handoffsFailed.add(1, ordering: .relaxed)
            let name = routes.route(signal.destination)?.descriptor.name
            session.mailbox.push(.message(.error(ServerError(.handoffFailed, message: "could not cross: " + HandoffRefusal.explanation(reason, region: name)))))
        default:
            logger.warning("region sent a hand-off step meant for a region", metadata: ["step": "\(signal.step)"])
        }
    }

    private func perform(_ action: HandoffRouter.Action, _ signal: HandoffSignal, session: ClientSession, link: RegionLink) {
        switch action {
        case .switchRoute:
            break // only on a route request, handled there
        case .sendRouted(let asker):
            answer(signal, .routed, asker: asker, link: link)
        case .sendNotRouted(let asker):
            answer(signal, .notRouted, asker: asker, link: link)
        case .closeClient:
            session.mailbox.close(.regionUnavailable, reason: "your region hand-off could not complete; please log in again")
        }
    }

    private func answer(_ signal: HandoffSignal, _ step: HandoffSignal.Step, asker: HandoffRouter.Asker, link: RegionLink) {
        let region = asker == .source ? signal.source : signal.destination
        let target = routes.route(region)?.link ?? link
        reply(signal, step, to: region, on: target)
    }

    private func reply(_ signal: HandoffSignal, _ step: HandoffSignal.Step, to region: RegionHandle, on link: RegionLink) {
        var answer = signal
        answer.to = region
        answer.step = step
        _ = link.send(.handoffSignal(answer))
    }
}
