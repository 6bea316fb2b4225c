import Foundation
import Logging
import NIOCore
import TesseraGridProtocol
import Synchronization
import TesseraWire

/// Where a frame's output goes: the node's manager connections, or a recorder in tests.
public protocol RegionOutputSink: Sendable {
    func deliver(_ output: RegionOutput)
}

/// Drives one `Region` at its fixed rate on one event loop. The region value is touched only
/// on that loop, so scene code needs no locks; everything else reaches it through the inbox.
public final class RegionRunner: @unchecked Sendable {
    public let settings: RegionSettings
    public let inbox: RegionInbox
    let loop: EventLoop
    let clock: FrameClock
    private let sink: RegionOutputSink
    var region: Region
    private var nextDeadline = NIODeadline.now()
    private var scheduled: Scheduled<Void>?
    private var running = false
    private var totalFrameMicros: Double = 0
    private var frames = 0
    let published = Mutex(RegionStats())
    var grid: (port: RegionGridPort, regionID: UUID)?
    /// Where messages for other regions go (set by the node before `start()`).
    var peers: PeerDelivery?
    /// The links to offloaded services, one per kind (docs/service-exchange.md).
    private var serviceLinks: [ServiceKind: ServiceLink] = [:]
    private var flushing = false
    private var lastFlush = NIODeadline.now()
    private var metrics: RegionMetrics
    private var scriptMetrics: RegionScriptMetrics

    public init(settings: RegionSettings, loop: EventLoop, clock: FrameClock, sink: RegionOutputSink, inbox: RegionInbox = RegionInbox()) {
        self.settings = settings
        self.loop = loop
        self.clock = clock
        self.sink = sink
        self.inbox = inbox
        self.region = Region(settings: settings)
        metrics = RegionMetrics(region: settings.name, dropped: inbox.droppedCount)
        scriptMetrics = RegionScriptMetrics(region: settings.name)
    }

    /// Connects the region to the grid services under its registered id and puts its stored
    /// objects back; call before `start()`.
    public func attach(grid port: RegionGridPort, regionID: UUID, restoring objects: [SceneObjectRecord]) async {
        try? await loop.submit {
            self.grid = (port, regionID)
            self.region.gridServicesAttached = true
            self.region.restore(objects)
            _ = self.region.takeSceneDelta()
        }.get()
    }

    /// Writes what changed since the last flush; waits for a flush already on its way first.
    /// Returns false when the flush failed (what it carried stays for the next one).
    @discardableResult
    public func flushNow() async -> Bool {
        while (try? await loop.submit({ self.flushing }).get()) == true {
            try? await Task.sleep(for: .milliseconds(10))
        }
        guard let (delta, port, regionID) = try? await loop.submit({ () -> (SceneDelta, RegionGridPort, UUID)? in
            guard let grid = self.grid else { return nil }
            self.flushing = true
            return (self.region.takeSceneDelta(), grid.port, grid.regionID)
        }).get() else { return true }
        // In parts of about `flushPartBytes`, so a big scripted scene never outgrows a frame; a
        // part that fails gives itself and every later part back for the next flush.
        var result: Result<Void, CallStatus> = .success(())
        var failed = SceneDelta()
        for part in delta.parts(ofAbout: Self.flushPartBytes) {
            if case .success = result { result = await port.flush(region: regionID, part) }
            if case .failure = result {
                failed.created += part.created
                failed.changed += part.changed
                failed.deleted += part.deleted
            }
        }
        let unwritten = failed
        try? await loop.submit {
            self.flushing = false
            if !unwritten.isEmpty { self.region.flushFailed(unwritten) }
        }.get()
        if case .failure = result {
            published.withLock { $0.failedFlushes += 1 }
            return false
        }
        return true
    }

    /// About how many bytes one flush call carries.
    static let flushPartBytes = 2 << 20

    /// Connects the region to its physics service (`settings.physics`); call before `start()`.
    public func attachPhysics(hello: Hello, tls: WireTLS.Dialing? = nil, group: EventLoopGroup, logger: Logger) {
        guard let endpoint = settings.physics else { return }
        attachService(.physics(endpoint), hello: hello, tls: tls, group: group, logger: logger)
    }

    /// Connects the region to its script service (`settings.scripts`); call before `start()`.
    public func attachScripts(hello: Hello, tls: WireTLS.Dialing? = nil, group: EventLoopGroup, logger: Logger) {
        guard let endpoint = settings.scripts else { return }
        attachService(.scripts(endpoint), hello: hello, tls: tls, group: group, logger: logger)
    }

    /// Connects the region to one offloaded service; call before `start()`. A second link to
    /// the same kind of service is not made.
    func attachService(_ spec: ServiceLinkSpec, hello: Hello, tls: WireTLS.Dialing? = nil, group: EventLoopGroup, logger: Logger) {
        guard serviceLinks[spec.kind] == nil else { return }
        serviceLinks[spec.kind] = ServiceLink(spec: spec, hello: hello, tls: tls, group: group, inbox: inbox, logger: logger)
    }

    public var stats: RegionStats { published.withLock { $0 } }

    /// Reads the region on its loop (tests and the admin surface).
    public func inspect<T: Sendable>(_ read: @escaping @Sendable (Region) -> T) async throws -> T {
        try await loop.submit { read(self.region) }.get()
    }

    private var period: TimeAmount { .nanoseconds(Int64(1e9 / Double(settings.frameRate))) }

    private var reactScheduled = false

    /// Applies urgent inputs between frames (see `Region.react`); coalesced per loop turn.
    func scheduleReaction() {
        loop.execute {
            guard self.running, !self.reactScheduled else { return }
            self.reactScheduled = true
            self.loop.execute {
                self.reactScheduled = false
                guard self.running else { return }
                let output = self.region.react(now: self.clock.now(), inputs: self.inbox.drain())
                self.sink.deliver(output)
                if !output.peerMessages.isEmpty { self.peers?.send(output.peerMessages) }
                if !output.gridEffects.isEmpty { self.perform(output.gridEffects) }
            }
        }
    }

    public func start() {
        inbox.onUrgent { [weak self] in self?.scheduleReaction() }
        for link in serviceLinks.values { link.start() }
        loop.execute {
            guard !self.running else { return }
            self.running = true
            self.nextDeadline = .now()
            self.scheduleNext()
        }
    }

    /// Stops the loop after the current frame; completes on the region's loop.
    public func stop() async {
        for link in serviceLinks.values { link.stop() }
        try? await loop.submit {
            self.running = false
            self.scheduled?.cancel()
            self.scheduled = nil
        }.get()
    }

    private func scheduleNext() {
        guard running else { return }
        scheduled = loop.scheduleTask(deadline: nextDeadline) {
            self.runFrame()
            self.nextDeadline = self.nextDeadline + self.period
            let now = NIODeadline.now()
            if self.nextDeadline < now {
                // Overran: start the next frame now rather than racing to catch up.
                self.nextDeadline = now
                self.published.withLock { $0.overruns += 1 }
            }
            self.scheduleNext()
        }
    }

    /// One frame: drain, step, deliver. Public so a harness can step the loop by hand.
    public func runFrame() {
        let started = NIODeadline.now()
        let output = region.step(now: clock.now(), inputs: inbox.drain())
        sink.deliver(output)
        if let frame = output.physicsFrame { serviceLinks[.physics]?.send(.physicsFrame(frame), frame: frame.frame) }
        if let frame = output.scriptFrame { serviceLinks[.scripts]?.send(.scriptFrame(frame), frame: frame.frame) }
        if !output.peerMessages.isEmpty { peers?.send(output.peerMessages) }
        if !output.gridEffects.isEmpty { perform(output.gridEffects) }
        if grid != nil, !flushing, started - lastFlush >= .milliseconds(Int64(settings.flushIntervalSeconds * 1000)) {
            lastFlush = started
            Task { await self.flushNow() }
        }
        let nanoseconds = (NIODeadline.now() - started).nanoseconds
        let micros = Double(nanoseconds) / 1000
        frames += 1
        totalFrameMicros += micros
        let snapshot = (region.frame, region.avatarCount, region.objectCount, region.timeDilation, region.achievedFrameRate)
        let mean = totalFrameMicros / Double(frames)
        let dropped = inbox.droppedCount
        let travel = (region.ghostCount, region.handoffsInProgress, region.handoffCounters)
        let agents = region.rootAgents
        let physics = region.physicsStatus
        let scripts = region.scriptsStatus
        published.withLock { stats in
            stats.physics = physics
            stats.scripts = scripts
            stats.ghosts = travel.0
            stats.handoffsInProgress = travel.1
            stats.handoffs = travel.2
            stats.rootAgents = agents
            stats.name = settings.name
            stats.frame = snapshot.0
            stats.avatars = snapshot.1
            stats.objects = snapshot.2
            stats.timeDilation = snapshot.3
            stats.achievedFrameRate = snapshot.4
            stats.meanFrameMicros = mean
            stats.maxFrameMicros = max(stats.maxFrameMicros, micros)
            stats.droppedCommands = dropped
        }
        metrics.record(.init(
            nanoseconds: nanoseconds, timeDilation: snapshot.3, rootAvatars: agents.count, ghosts: travel.0, objects: snapshot.2,
            handoffsInProgress: travel.1, droppedCommands: dropped, handoffs: travel.2))
        scriptMetrics.record(scripts)
    }

    /// Makes the frame's grid calls; each answer comes back through the inbox.
    private func perform(_ effects: [GridEffect]) {
        guard let (port, regionID) = grid else { return }
        let inbox = inbox
        for effect in effects {
            switch effect {
            case .rez(let agent, let manager, let requestID, let account, let item, let position):
                Task {
                    // Asked again after a timeout with the same object id: the grid answers
                    // with the object of an attempt that committed, so nothing is rezzed twice.
                    let object = UUID()
                    var result = await port.rez(account: account, item: item, region: regionID, object: object, position: position)
                    for _ in 0..<3 {
                        guard case .failure(let status) = result, status.code == .serviceUnavailable else { break }
                        try? await Task.sleep(for: .seconds(1))
                        result = await port.rez(account: account, item: item, region: regionID, object: object, position: position)
                    }
                    inbox.push(.rezResult(agent: agent, manager: manager, requestID: requestID, result))
                }
            case .take(let agent, let manager, let requestID, let account, let object, let objectID, let look, let contents):
                Task {
                    // A take that timed out may still have committed; asking again is safe (a
                    // second take of a taken object answers unknownEntity, and the region then
                    // drops the object), so the outcome always matches storage. The object's
                    // latest look and contents (its scripts' captured states) go in the same take.
                    var result = await port.take(account: account, object: objectID, look: look, contents: contents)
                    for _ in 0..<3 {
                        guard case .failure(let status) = result, status.code == .serviceUnavailable else { break }
                        try? await Task.sleep(for: .seconds(1))
                        result = await port.take(account: account, object: objectID, look: look, contents: contents)
                    }
                    inbox.push(.takeResult(agent: agent, manager: manager, requestID: requestID, object: object, result))
                }
            case .storeScript(let agent, let manager, let requestID, let account, let object, let name, let source):
                Task {
                    let result = await port.storeScript(account: account, name: name, source: source).map { asset in
                        ContentItem(id: UUID(), name: name, kind: .script, asset: asset, source: source)
                    }
                    inbox.push(.scriptReady(agent: agent, manager: manager, requestID: requestID, object: object, result))
                }
            case .scriptItem(let agent, let manager, let requestID, let account, let object, let name, let item):
                Task {
                    let result = await port.scriptItem(account: account, item: item).map { script in
                        ContentItem(id: UUID(), name: name.isEmpty ? script.name : name, kind: .script, asset: script.asset, source: script.source)
                    }
                    inbox.push(.scriptReady(agent: agent, manager: manager, requestID: requestID, object: object, result))
                }
            case .moveObject(let handoff, let record, let destination):
                Task {
                    let result = await port.moveObject(record, from: regionID, to: destination)
                    inbox.push(.objectMoved(handoff, result))
                }
            }
        }
    }
}
