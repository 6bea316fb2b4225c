import Synchronization
import TesseraClientProtocol
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

/// A region as the client manager sees it: the link that reaches it, its entity table, and
/// the sessions whose avatars it is root for.
public final class RegionRoute: Sendable {
    public let descriptor: RegionDescriptor
    let link: RegionLink
    private let table = Mutex(EntityTable())
    private let routes = Mutex(Routes())
    /// Writers resting because their view was still (`SessionTicker`): woken by the first
    /// frame that changes any entity of the region.
    private let resting = Mutex<[ObjectIdentifier: ClientMailbox]>([:])

    private struct Routes {
        var byLocalID: [LocalID: ClientSession] = [:]
        var joining: [AgentID: ClientSession] = [:]
    }

    init(descriptor: RegionDescriptor, link: RegionLink) {
        self.descriptor = descriptor
        self.link = link
    }

    public var handle: RegionHandle { descriptor.handle }

    /// The newest entity table, for a session building its update.
    public func snapshot() -> EntityTable { table.withLock { $0 } }

    public var sessionCount: Int { routes.withLock { $0.byLocalID.count + $0.joining.count } }

    func join(_ session: ClientSession, agentID: AgentID, name: String) -> Bool {
        routes.withLock { $0.joining[agentID] = session }
        return link.send(.agentJoin(AgentJoin(region: handle, agentID: agentID, name: name)))
    }

    /// A session whose avatar's root this region became through a hand-off.
    func attach(_ session: ClientSession, localID: LocalID) {
        routes.withLock { $0.byLocalID[localID] = session }
    }

    func detach(localID: LocalID?) {
        guard let localID else { return }
        routes.withLock { _ = $0.byLocalID.removeValue(forKey: localID) }
    }

    func leave(agentID: AgentID, localID: LocalID?, reason: AgentLeave.Reason) {
        routes.withLock { routes in
            routes.joining[agentID] = nil
            if let localID { routes.byLocalID[localID] = nil }
        }
        _ = link.send(.agentLeave(AgentLeave(region: handle, agentID: agentID, reason: reason)))
    }

    // MARK: From the region

    func joined(_ message: AgentJoined, updateRate: Int) {
        let session = routes.withLock { routes -> ClientSession? in
            guard let session = routes.joining.removeValue(forKey: message.agentID) else { return nil }
            routes.byLocalID[message.localID] = session
            return session
        }
        guard let session else {
            // The client left while joining: undo the arrival.
            _ = link.send(.agentLeave(AgentLeave(region: handle, agentID: message.agentID, reason: .connectionLost)))
            return
        }
        session.joined(route: self, localID: message.localID)
        session.mailbox.push(.message(.welcome(Welcome(
            agentID: message.agentID, localID: message.localID, regionName: message.regionName,
            regionHandle: handle, frameRate: message.frameRate, updateRate: UInt16(updateRate),
            viewDistance: message.viewDistance, sessionToken: session.token ?? ""
        ))))
        session.pushAtlas(for: handle)
    }

    func removed(_ message: AgentLeave) {
        let session = routes.withLock { routes -> ClientSession? in
            // A replaced avatar is the one in the world, never a newer login still joining.
            if message.reason != .replaced, let session = routes.joining.removeValue(forKey: message.agentID) { return session }
            guard let entry = routes.byLocalID.first(where: { $0.value.agentID == message.agentID }) else { return nil }
            routes.byLocalID[entry.key] = nil
            return entry.value
        }
        let code: ErrorCode =
            switch message.reason {
            case .refused: .regionFull
            case .replaced: .loggedInElsewhere
            case .kicked: .kicked
            case .restarting: .regionRestarting
            default: .regionUnavailable
            }
        session?.mailbox.close(code, reason: message.message.isEmpty ? "removed from the region" : message.message)
    }

    /// An admin's alert for some of the avatars routed here.
    func notify(_ notice: AgentNotice) {
        let wanted = Set(notice.agents)
        let sessions = routes.withLock { $0.byLocalID.values.filter { $0.agentID.map(wanted.contains) ?? false } }
        let scope: Alert.Scope =
            switch notice.scope {
            case .grid: .grid
            case .region: .region
            case .personal: .personal
            }
        let message = ServerMessage.alert(Alert(scope: scope, text: notice.text))
        for session in sessions {
            session.mailbox.push(.message(message))
            session.mailbox.wake()
        }
    }

    /// The writer of `mailbox` rests until this region's entities change (or its own mailbox
    /// wakes it); `endRest` when the rest is over, however it ended.
    func rest(_ mailbox: ClientMailbox) {
        resting.withLock { $0[ObjectIdentifier(mailbox)] = mailbox }
    }

    func endRest(_ mailbox: ClientMailbox) {
        resting.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(mailbox)) }
    }

    func apply(_ frame: RegionFrame) {
        table.withLock { $0.apply(frame) }
        if !frame.moved.isEmpty || !frame.appeared.isEmpty || !frame.removed.isEmpty || !frame.appearance.isEmpty {
            let sleepers = resting.withLock { resting -> [ClientMailbox] in
                guard !resting.isEmpty else { return [] }
                defer { resting.removeAll(keepingCapacity: true) }
                return Array(resting.values)
            }
            for mailbox in sleepers { mailbox.wakeIfResting() }
        }
        guard !frame.interest.isEmpty || !frame.chat.isEmpty || !frame.replies.isEmpty || !frame.scriptNotices.isEmpty else { return }
        let sessions = routes.withLock { $0.byLocalID }
        for change in frame.interest {
            guard let session = sessions[change.agent] else { continue }
            // Tagged with this region: a view that has moved on to another region ignores them.
            if !change.left.isEmpty { session.mailbox.push(.leave(change.left, region: handle)) }
            if !change.entered.isEmpty { session.mailbox.push(.enter(change.entered, region: handle)) }
            if session.takeFirstView() { session.mailbox.wake() }
        }
        for line in frame.chat {
            let message = ServerMessage.chat(ChatReceived(
                speaker: line.speaker, speakerName: line.speakerName, type: line.type,
                channel: line.channel, position: line.position, text: line.text, speakerKind: line.speakerKind
            ))
            for recipient in line.recipients { sessions[recipient]?.mailbox.push(.message(message)) }
        }
        for reply in frame.replies {
            sessions[reply.agent]?.mailbox.push(.message(reply.serverMessage))
        }
        for notice in frame.scriptNotices {
            sessions[notice.agent]?.mailbox.push(.message(.scriptDiagnostics(ScriptDiagnostics(
                localID: notice.object, objectName: notice.objectName, item: notice.item, compile: notice.compile, lines: notice.lines))))
        }
    }

    /// This route replaces `old` after a live migration (docs/migration.md): it takes its entity
    /// table (the region keeps its local IDs, so every client's view stays valid), its sessions
    /// under the same local IDs, each with its commands after `appliedSequence` replayed here, and
    /// its joins (asked again here). An avatar the region brought that no session of this client
    /// manager routes is told to leave; a session whose avatar the region did not bring is closed.
    func takeOver(from old: RegionRoute?, _ moved: RegionMoved) {
        var sessions: [LocalID: ClientSession] = [:]
        var joining: [AgentID: ClientSession] = [:]
        var sleepers: [ClientMailbox] = []
        if let old {
            (sessions, joining) = old.routes.withLock { routes in
                defer { routes = Routes() }
                return (routes.byLocalID, routes.joining)
            }
            sleepers = old.resting.withLock { resting in
                defer { resting.removeAll() }
                return Array(resting.values)
            }
            let entities = old.snapshot()
            table.withLock { $0 = entities }
        }
        let brought = Dictionary(moved.avatars.map { ($0.agentID, $0) }, uniquingKeysWith: { first, _ in first })
        var routed = Set<AgentID>()
        for (localID, session) in sessions {
            guard let agentID = session.agentID, let avatar = brought[agentID], avatar.localID == localID else {
                session.mailbox.close(.regionUnavailable, reason: "region \(descriptor.name) moved to another node without your avatar")
                continue
            }
            routes.withLock { $0.byLocalID[localID] = session }
            if session.migrated(from: old, to: self, appliedSequence: avatar.appliedSequence) { routed.insert(agentID) }
        }
        for avatar in moved.avatars where !routed.contains(avatar.agentID) {
            _ = link.send(.agentLeave(AgentLeave(region: handle, agentID: avatar.agentID, reason: .connectionLost)))
        }
        for (agentID, session) in joining where session.phase == .joining {
            _ = join(session, agentID: agentID, name: session.name)
        }
        for mailbox in sleepers { mailbox.wakeIfResting() }
    }

    /// The link dropped: every avatar routed here loses its region.
    func lost() {
        let sessions = routes.withLock { routes in
            defer { routes = Routes() }
            return Array(routes.byLocalID.values) + Array(routes.joining.values)
        }
        for session in sessions {
            session.mailbox.close(.regionUnavailable, reason: "region \(descriptor.name) is unavailable")
        }
    }
}

extension CommandReply {
    var serverMessage: ServerMessage {
        switch outcome {
        case .created(let id): .objectResult(ObjectResult(requestID: requestID, outcome: .created, localID: id))
        case .deleted(let id): .objectResult(ObjectResult(requestID: requestID, outcome: .deleted, localID: id))
        case .moved(let id): .objectResult(ObjectResult(requestID: requestID, outcome: .moved, localID: id))
        case .crossed(let id): .objectResult(ObjectResult(requestID: requestID, outcome: .crossed, localID: id))
        case .updated(let id): .objectResult(ObjectResult(requestID: requestID, outcome: .updated, localID: id))
        case .contents(let id, let items):
            .objectContents(ObjectContents(requestID: requestID, localID: id, items: items))
        case .failed(let code, let message): .error(ServerError(code: code, requestID: requestID, message: ClientText.plain(message)))
        case .rezzed(let localID, let object):
            .inventory(InventoryReply(requestID: requestID, outcome: .success(.rezzed(object: object, localID: localID))))
        case .taken(let item):
            .inventory(InventoryReply(requestID: requestID, outcome: .success(.id(item))))
        case .callFailed(let code, let message):
            .inventory(InventoryReply(requestID: requestID, outcome: .failure(
                CallStatus(rawCode: code, message: ClientText.plain(message)))))
        }
    }
}
