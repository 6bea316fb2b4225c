import Foundation
import Logging
import NIOCore
import Synchronization
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

/// Live region migrations under way on one node (docs/migration.md).
struct MigrationTable {
    /// Regions this node is moving away now.
    var outgoing: Set<RegionHandle> = []
    /// Regions other nodes are bringing here, by the connection their source dialed.
    var incoming: [ObjectIdentifier: IncomingMigration] = [:]

    var isEmpty: Bool { outgoing.isEmpty && incoming.isEmpty }
}

/// A region on its way to this node.
struct IncomingMigration {
    enum Phase {
        /// Objects arriving in parts.
        case receiving
        /// Checking and building the region.
        case preparing
        /// Built, not running: waits for `commit`.
        case prepared(RegionRunner, RegionSnapshot)
        /// Committed and started.
        case started
    }

    let migrationID: UInt64
    let region: RegionHandle
    var objects: [MigratingObject] = []
    var phase = Phase.receiving
}

/// The timeouts and sizes of a live migration.
public enum MigrationLimits {
    /// How long the source waits for the region to reach a frame with no hand-off, rez, take or
    /// capture under way before it gives up.
    public static let freezeSeconds = 3.0
    /// How long the source waits for each answer of the target.
    public static let answerTimeout: TimeAmount = .seconds(10)
    /// Connect timeout of the migration connection.
    public static let connectTimeout: TimeAmount = .seconds(2)
    /// About how many encoded bytes one `objects` part carries.
    public static let partBytes = 1 << 20
}

extension RegionNode {
    // MARK: Source

    /// Moves the running region `handle` to the region node named `nodeName` (empty: any other
    /// linked node), without stopping its clients (docs/migration.md). Answers `.moved` with
    /// what moved and the pause, `.notHere` when the region does not run here, or `.failed`
    /// with the region running on here as before.
    public func move(_ handle: RegionHandle, to nodeName: String) async -> AdminReply.Outcome {
        let requested = ContinuousClock.now
        guard let runner = local.runner(handle) else { return .notHere }
        let name = runner.settings.name
        guard !stopping.load(ordering: .relaxed) else {
            return .failed(code: ErrorCode.serviceUnavailable.rawValue, message: "node \(settings.nodeName) is shutting down")
        }
        guard let (client, ownAddress) = registration.withLock({ $0 }), let regionID = registered.withLock({ $0[handle] }) else {
            return .failed(code: ErrorCode.notAllowed.rawValue, message: "region \(name) runs without grid services; a region moves only with a registry")
        }
        guard nodeName != settings.nodeName else {
            return .failed(code: ErrorCode.notAllowed.rawValue, message: "region \(name) already runs on node \(nodeName)")
        }
        // Nodes by the name each gave when linked; whether one is up now, the migration's own
        // connection finds out (a link may be down for a moment, being dialed again).
        let known = peers.knownNodes().filter { $0.node != settings.nodeName }
        let target: (node: String, peer: PeerLinks.Peer)
        if nodeName.isEmpty {
            let byName = known.sorted { $0.node < $1.node }
            guard let any = byName.first(where: \.up) ?? byName.first else {
                return .failed(code: ErrorCode.regionUnavailable.rawValue, message: "no other region node is linked to node \(settings.nodeName)")
            }
            target = (any.node, any.peer)
        } else if let found = known.first(where: { $0.node == nodeName }) {
            target = (found.node, found.peer)
        } else if settings.gridNodes.contains(nodeName) {
            return .failed(code: ErrorCode.regionUnavailable.rawValue, message: "region node \(nodeName) is down: node \(settings.nodeName) has never linked to it")
        } else {
            return .failed(code: ErrorCode.unknownEntity.rawValue, message: "no region node is named \(nodeName)")
        }
        guard migrations.withLock({ $0.outgoing.insert(handle).inserted }) else {
            return .failed(code: ErrorCode.notAllowed.rawValue, message: "a move of region \(name) is already under way")
        }
        defer { _ = migrations.withLock { $0.outgoing.remove(handle) } }
        let log = logger.with(["region": "\(name)", "to": "\(target.node)"])

        // Before the freeze, so neither counts in the pause: a flush (the one while frozen then
        // writes only what changed since) and the connection to the target.
        _ = await runner.flushNow()
        let dial: MigrationDial
        do {
            dial = try await MigrationDial.open(
                host: target.peer.host, port: target.peer.port,
                hello: Hello(role: .region, nodeName: settings.nodeName, gridSecret: settings.gridSecret), group: group,
                tls: settings.tls?.dialing(.region))
        } catch {
            log.warning("region migration failed; the region runs on here", metadata: ["reason": "the target could not be reached: \(error)"])
            return .failed(
                code: ErrorCode.regionUnavailable.rawValue,
                message: "region node \(target.node) could not be reached (\(error)); region \(name) runs on node \(settings.nodeName) as before")
        }
        defer { dial.close() }

        // 1. Freeze at a frame boundary, 2. flush, 3. take the state.
        if let blocker = await runner.freeze(within: MigrationLimits.freezeSeconds) {
            return .failed(code: ErrorCode.notAllowed.rawValue, message: "region \(name) could not freeze: \(blocker)")
        }
        let frozenAt = ContinuousClock.now
        func resumed(_ code: ErrorCode, _ message: String) -> AdminReply.Outcome {
            runner.resume()
            log.warning("region migration failed; the region runs on here", metadata: ["reason": "\(message)"])
            return .failed(code: code.rawValue, message: message + "; region \(name) runs on node \(settings.nodeName) as before")
        }
        guard await runner.flushNow() else { return resumed(.serviceUnavailable, "the scene could not be flushed to storage") }
        guard let (snapshot, objects, scripts) = try? await runner.migrationState(regionID: regionID) else {
            return resumed(.serviceUnavailable, "the region's state could not be read")
        }

        // 4. Offer it to the target.
        let migrationID = UInt64.random(in: 1...(UInt64.max / 2))
        for part in Self.parts(objects) {
            dial.send(.regionMigrate(RegionMigrate(migrationID: migrationID, region: handle, step: .objects(part))))
        }
        dial.send(.regionMigrate(RegionMigrate(migrationID: migrationID, region: handle, step: .prepare(snapshot))))
        let address: String
        let node: String
        switch await dial.next(timeout: MigrationLimits.answerTimeout) {
        case .regionMigrate(let answer)? where answer.migrationID == migrationID:
            switch answer.step {
            case .accepted(let where_, let named):
                (address, node) = (where_, named)
            case .refused(let reason, let message):
                return resumed(reason == .stopping ? .serviceUnavailable : .notAllowed, "region node \(target.node) refused: \(message)")
            default:
                return resumed(.regionUnavailable, "region node \(target.node) answered out of turn")
            }
        default:
            return resumed(.regionUnavailable, "region node \(target.node) did not answer the offer")
        }

        // 5. The commit point: the registry names the target.
        let position = runner.settings.gridPosition
        do {
            _ = try await client.call(.deregisterRegion(regionID))
            let answer = try await client.call(.registerRegion(name: name, gridX: position.x, gridY: position.y, address: address, node: node))
            guard case .region = answer else { throw RegionNodeError.unexpectedAnswer("\(answer.code)") }
        } catch {
            // Put the registry back on this node; if that is refused, the target holds it (the
            // switch did commit and only its answer was lost): go on.
            let back = try? await client.call(.registerRegion(name: name, gridX: position.x, gridY: position.y, address: ownAddress, node: settings.nodeName))
            if case .region? = back {
                dial.send(.regionMigrate(RegionMigrate(migrationID: migrationID, region: handle, step: .abort)))
                return resumed(.serviceUnavailable, "the registry could not be switched to node \(target.node) (\(error))")
            }
            log.warning("the registry switch answered with an error, but the registry no longer takes the region back: it names the target", metadata: ["error": "\(error)"])
        }

        // 6. Committed: the region no longer runs here.
        _ = registered.withLock { $0.removeValue(forKey: handle) }
        local.remove(handle)
        runner.retire()
        peers.announce()
        dial.send(.regionMigrate(RegionMigrate(migrationID: migrationID, region: handle, step: .commit)))
        let confirmed: Bool
        if case .regionMigrate(let answer)? = await dial.next(timeout: MigrationLimits.answerTimeout), answer.step == .started {
            confirmed = true
        } else {
            confirmed = false
            log.warning("the target did not confirm that it runs the moved region; the registry names it, so it starts it when the link closes")
        }
        let pause = ContinuousClock.now - frozenAt
        refreshPeers()
        let report = RegionMoveReport(
            region: handle, regionName: name, fromNode: settings.nodeName, toNode: node, avatars: UInt32(snapshot.avatars.count),
            objects: UInt32(objects.count), scripts: UInt32(scripts), pauseMicros: confirmed ? Self.micros(pause) : 0,
            totalMicros: Self.micros(ContinuousClock.now - requested))
        log.info("region moved", metadata: [
            "avatars": "\(report.avatars)", "objects": "\(report.objects)", "pauseMillis": "\(Double(report.pauseMicros) / 1000)",
        ])
        return .moved(report)
    }

    static func micros(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000)
    }

    /// The objects cut into parts of about `MigrationLimits.partBytes` encoded bytes.
    static func parts(_ objects: [MigratingObject]) -> [[MigratingObject]] {
        var parts: [[MigratingObject]] = []
        var current: [MigratingObject] = []
        var size = 0
        for object in objects {
            var buffer = ByteBuffer()
            object.object.record.encode(into: &buffer)
            if size + buffer.readableBytes > MigrationLimits.partBytes, !current.isEmpty {
                parts.append(current)
                current = []
                size = 0
            }
            size += buffer.readableBytes
            current.append(object)
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// Closes this node's links to and from other region nodes (except `keeping`), so every
    /// node dials again and learns which regions each node runs now.
    func refreshPeers(keeping: Channel? = nil) {
        peers.refresh()
        let accepted = peerChannels.withLock { channels in channels.values.filter { $0 !== keeping } }
        for channel in accepted { channel.close(promise: nil) }
    }

    /// Waits (up to 15 s) for the migrations under way to finish before the node stops.
    func waitForMigrations() async {
        for _ in 0..<300 where !migrations.withLock({ $0.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: Target

    /// A migration message on a connection a source node dialed.
    func migrationReceived(_ message: RegionMigrate, on channel: Channel) {
        let key = ObjectIdentifier(channel)
        @Sendable func refuse(_ reason: RegionMigrate.Refusal, _ text: String) {
            _ = migrations.withLock { $0.incoming.removeValue(forKey: key) }
            logger.warning("refused a region migration", metadata: ["reason": "\(text)"])
            channel.writeAndFlush(WireMessage.regionMigrate(RegionMigrate(migrationID: message.migrationID, region: message.region, step: .refused(reason, message: text))), promise: nil)
        }
        switch message.step {
        case .objects(let part):
            guard let limit = settings.gridRegions.first(where: { $0.handle == message.region })?.maxObjects else {
                return refuse(.unknownRegion, "no region at that grid position is in the grid config of node \(settings.nodeName)")
            }
            let fits = migrations.withLock { table -> Bool in
                var incoming = table.incoming[key] ?? IncomingMigration(migrationID: message.migrationID, region: message.region)
                guard incoming.migrationID == message.migrationID, incoming.region == message.region, case .receiving = incoming.phase,
                    incoming.objects.count + part.count <= limit
                else { return false }
                incoming.objects += part
                table.incoming[key] = incoming
                return true
            }
            if !fits { refuse(.invalidState, "objects out of turn, or more than the region's object limit \(limit)") }
        case .prepare(let snapshot):
            let objects = migrations.withLock { table -> [MigratingObject]? in
                var incoming = table.incoming[key] ?? IncomingMigration(migrationID: message.migrationID, region: message.region)
                guard incoming.migrationID == message.migrationID, incoming.region == message.region, case .receiving = incoming.phase else { return nil }
                let objects = incoming.objects
                incoming.objects = []
                incoming.phase = .preparing
                table.incoming[key] = incoming
                return objects
            }
            guard let objects else { return refuse(.invalidState, "a second offer on one migration connection") }
            Task { self.prepare(message, snapshot, objects, on: channel, refuse: refuse) }
        case .commit:
            let prepared = migrations.withLock { table -> (RegionRunner, RegionSnapshot)? in
                guard var incoming = table.incoming[key], incoming.migrationID == message.migrationID,
                    case .prepared(let runner, let snapshot) = incoming.phase
                else { return nil }
                incoming.phase = .started
                table.incoming[key] = incoming
                return (runner, snapshot)
            }
            guard let (runner, snapshot) = prepared else { return channel.close(promise: nil) }
            startMigrated(runner, snapshot, migrationID: message.migrationID)
            channel.writeAndFlush(WireMessage.regionMigrate(RegionMigrate(migrationID: message.migrationID, region: message.region, step: .started)), promise: nil)
            refreshPeers(keeping: channel)
        case .abort:
            _ = migrations.withLock { $0.incoming.removeValue(forKey: key) }
            channel.close(promise: nil)
        case .accepted, .refused, .started:
            logger.warning("a region node sent a migration answer where an offer belongs; closing")
            channel.close(promise: nil)
        }
    }

    private func prepare(
        _ message: RegionMigrate, _ snapshot: RegionSnapshot, _ objects: [MigratingObject], on channel: Channel,
        refuse: (RegionMigrate.Refusal, String) -> Void
    ) {
        guard !stopping.load(ordering: .relaxed) else { return refuse(.stopping, "node \(settings.nodeName) is shutting down") }
        guard local.runner(message.region) == nil else {
            return refuse(.alreadyHosted, "node \(settings.nodeName) already runs a region at that grid position")
        }
        guard let regionSettings = settings.gridRegions.first(where: { $0.name == snapshot.name && $0.handle == message.region }) else {
            return refuse(.unknownRegion, "region \(snapshot.name) at that grid position is not in the grid config of node \(settings.nodeName)")
        }
        guard let (client, address) = registration.withLock({ $0 }) else {
            return refuse(.noGrid, "node \(settings.nodeName) runs without grid services")
        }
        let region: Region
        do {
            region = try Region(migrating: snapshot, objects: objects, settings: regionSettings, managers: connections.names())
        } catch let refusal as MigrationRefusal {
            return refuse(refusal.reason, refusal.message)
        } catch {
            return refuse(.invalidState, "\(error)")
        }
        let runner = RegionRunner.migrated(
            region, regionID: snapshot.regionID, grid: GridClientPort(client: client), loop: group.next(), clock: clock, sink: connections)
        runner.peers = peers
        let key = ObjectIdentifier(channel)
        let kept = migrations.withLock { table -> Bool in
            guard var incoming = table.incoming[key], incoming.migrationID == message.migrationID, case .preparing = incoming.phase else { return false }
            incoming.phase = .prepared(runner, snapshot)
            table.incoming[key] = incoming
            return true
        }
        guard kept else { return }  // the source went away meanwhile
        channel.writeAndFlush(
            WireMessage.regionMigrate(RegionMigrate(
                migrationID: message.migrationID, region: message.region, step: .accepted(address: address, node: settings.nodeName))),
            promise: nil)
    }

    /// Runs a committed migrated region: the client managers learn it first (on the same
    /// connections its frames will use, so before any of them), then its loop starts.
    private func startMigrated(_ runner: RegionRunner, _ snapshot: RegionSnapshot, migrationID: UInt64) {
        guard local.add(runner) else {
            logger.error("a migrated region arrived where one of its grid position runs; dropped", metadata: ["region": "\(snapshot.name)"])
            return
        }
        registered.withLock { $0[runner.settings.handle] = snapshot.regionID }
        let hello = Hello(role: .region, nodeName: "\(settings.nodeName)/\(runner.settings.name)", gridSecret: settings.gridSecret)
        runner.attachPhysics(hello: hello, tls: settings.tls?.dialing(.physics), group: group, logger: logger)
        runner.attachScripts(hello: hello, tls: settings.tls?.dialing(.scripts), group: group, logger: logger)
        let descriptor = RegionDescriptor(handle: runner.settings.handle, name: runner.settings.name)
        var messages: [ManagerID: WireMessage] = [:]
        for (id, name) in connections.names() {
            let avatars = snapshot.avatars.filter { $0.state.manager == name }.map {
                RegionMoved.Avatar(agentID: $0.state.agentID, localID: $0.localID, appliedSequence: $0.state.appliedSequence)
            }
            messages[id] = .regionMoved(RegionMoved(migrationID: migrationID, region: descriptor, avatars: avatars))
        }
        connections.send(messages)
        runner.start()
        peers.announce()
        logger.info("migrated region runs here", metadata: ["region": "\(snapshot.name)", "avatars": "\(snapshot.avatars.count)"])
    }

    /// A source's migration connection closed. A region prepared and not committed is dropped,
    /// unless the registry names this node for it (the commit was lost with the connection).
    func migrationLinkClosed(_ channel: Channel) {
        guard let incoming = migrations.withLock({ $0.incoming.removeValue(forKey: ObjectIdentifier(channel)) }) else { return }
        guard case .prepared(let runner, let snapshot) = incoming.phase else { return }
        guard let (client, address) = registration.withLock({ $0 }) else { return }
        Task {
            // Asked a few times: the source may still be switching the registry.
            for attempt in 0..<5 {
                if attempt > 0 { try? await Task.sleep(for: .seconds(1)) }
                guard case .location(let location)? = try? await client.call(.locateRegion(name: snapshot.name)) else { continue }
                if location.address == address {
                    self.logger.warning("a region migration's commit was lost with its connection; the registry names this node, so it runs here")
                    self.startMigrated(runner, snapshot, migrationID: incoming.migrationID)
                    self.refreshPeers()
                }
                return
            }
            self.logger.error("a prepared region migration lost its source and the registry did not answer; dropped", metadata: ["region": "\(snapshot.name)"])
        }
    }
}

/// The source's connection to the target for one migration: sends, and hands over answers.
final class MigrationDial: Sendable {
    let channel: Channel
    private let inbox: AnswerInbox

    private init(channel: Channel, inbox: AnswerInbox) {
        self.channel = channel
        self.inbox = inbox
    }

    static func open(host: String, port: Int, hello: Hello, group: EventLoopGroup, tls: WireTLS.Dialing?) async throws -> MigrationDial {
        let inbox = AnswerInbox()
        let (channel, _) = try await WireDialer.dial(
            host: host, port: port, hello: hello, group: group, connectTimeout: MigrationLimits.connectTimeout, tls: tls
        ) { AnswerHandler(inbox: inbox) }
        return MigrationDial(channel: channel, inbox: inbox)
    }

    func send(_ message: WireMessage) {
        channel.writeAndFlush(message, promise: nil)
    }

    /// The next answer, or nil when the connection closed or nothing came within `timeout`.
    func next(timeout: TimeAmount) async -> WireMessage? {
        let promise = channel.eventLoop.makePromise(of: WireMessage?.self)
        let inbox = inbox
        inbox.wait(promise)
        let timer = channel.eventLoop.scheduleTask(in: timeout) { inbox.giveUp(promise) }
        defer { timer.cancel() }
        return (try? await promise.futureResult.get()) ?? nil
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// Answers that arrived and the one waiter for the next.
private final class AnswerInbox: Sendable {
    private struct State {
        var queue: [WireMessage] = []
        var waiter: EventLoopPromise<WireMessage?>?
        var closed = false
    }

    private let state = Mutex(State())

    func wait(_ promise: EventLoopPromise<WireMessage?>) {
        let ready = state.withLock { state -> WireMessage?? in
            if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
            if state.closed { return .some(nil) }
            state.waiter = promise
            return nil
        }
        if let ready { promise.succeed(ready) }
    }

    /// The wait for `promise` is over without an answer (if it is still waiting).
    func giveUp(_ promise: EventLoopPromise<WireMessage?>) {
        let waiting = state.withLock { state -> Bool in
            guard let waiter = state.waiter, waiter.futureResult === promise.futureResult else { return false }
            state.waiter = nil
            return true
        }
        if waiting { promise.succeed(nil) }
    }

    func arrived(_ message: WireMessage) {
        let waiter = state.withLock { state -> EventLoopPromise<WireMessage?>? in
            guard let waiter = state.waiter else {
                state.queue.append(message)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.succeed(message)
    }

    func closed() {
        let waiter = state.withLock { state -> EventLoopPromise<WireMessage?>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.succeed(nil)
    }
}

private final class AnswerHandler: ChannelInboundHandler {
    typealias InboundIn = WireMessage
    let inbox: AnswerInbox

    init(inbox: AnswerInbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.arrived(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.closed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

extension Logger {
    fileprivate func with(_ metadata: Logger.Metadata) -> Logger {
        var copy = self
        for (key, value) in metadata { copy[metadataKey: key] = value }
        return copy
    }
}
