import Dispatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import TesseraGridProtocol
import TesseraLSL
import TesseraRegion
import TesseraScriptService
import TesseraScripts
import TesseraWire
import TesseraWorld

/// A region full of scripts beside the same region without them, in one run (docs/benchmarks.md,
/// "Scripts"). Both phases run a real `RegionRunner` at 45 Hz on its own event loop with the same
/// objects restored into it and one avatar standing among them; the scripted phase gives the
/// objects their scripts and attaches the region to a real `ScriptService` on an event loop of
/// its own (one thread: one service core), over loopback TCP.
///
/// The idle scripts are greeters (`touch_start` → `llSay(0, "Hello, " + llDetectedName(0))`),
/// waiting for a touch; the active ones run a 10 Hz timer doing some list and string work. The
/// avatar touches a greeter near it every `touchInterval` seconds; the event latency is from the
/// touch pushed into the region's inbox to the region's output (the `RegionFrame` for the
/// avatar's manager, as the node hands it to its manager connections) carrying the greeting.
public struct ScriptsBenchmark: Sendable {
    public var idle: Int
    public var active: Int
    /// Measured seconds per phase (after the warm-up).
    public var seconds: Double
    /// Seconds before measuring: the scripts start, their first checkpoints go by.
    public var warmupSeconds: Double
    /// Seconds between touches in the scripted phase.
    public var touchInterval: Double

    public init(idle: Int = 10_000, active: Int = 1000, seconds: Double = 30, warmupSeconds: Double = 5, touchInterval: Double = 0.1) {
        self.idle = idle
        self.active = active
        self.seconds = seconds
        self.warmupSeconds = warmupSeconds
        self.touchInterval = touchInterval
    }

    /// The region's figures over one measured phase.
    public struct Phase: Sendable {
        public var frames: UInt64 = 0
        public var seconds: Double = 0
        /// Frames run per wall-clock second over the phase.
        public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
        /// Frames that ended after the next one was due (the runner's count over the phase).
        public var overruns = 0
        /// The mean time of the phase's frames (from the runner's running mean), and the worst
        /// frame since the runner started (which includes the attach snapshot of the scripts).
        public var meanFrameMicros: Double = 0
        public var maxFrameMicros: Double = 0
    }

    public struct Result: Sendable {
        public var idle: Int
        public var active: Int
        public var baseline: Phase
        public var scripted: Phase
        /// Scripts the service held and ran (its last answer's stats at the end of the phase).
        public var scriptsHeld: Int
        public var scriptsRunning: Int
        /// Script time per region frame: `ScriptResult.runMicros` summed by the region
        /// (`ScriptsStatus.runMicrosTotal`) over the phase, divided by the phase's frames.
        public var scriptMicrosPerFrame: Double
        /// The largest `runMicros` of one answer seen while sampling (every 100 ms).
        public var maxRunMicrosSampled: UInt32
        /// Answers the region applied over the phase, on time and late.
        public var answersOnTime: UInt64
        public var answersLate: UInt64
        /// Touch → greeting latencies, milliseconds.
        public var touches: Int
        public var greeted: Int
        public var latencyP50Millis: Double
        public var latencyP99Millis: Double
        public var latencyMaxMillis: Double
        /// Events waiting in the scripts' queues (largest sample), and dropped over the phase.
        public var eventsQueuedMax: UInt32
        public var eventsDropped: UInt64
        public var chatDropped: UInt64
        /// Events the region held for the service (largest sample).
        public var heldEventsMax: UInt32
        /// Checkpoints the region received over the phase.
        public var checkpoints: UInt64
    }

    /// Memory of idle scripts in an engine of their own (the service's side alone).
    public struct Memory: Sendable {
        public var scripts: Int
        /// Process RSS growth once the scripts are held and have run `state_entry`, per script.
        public var rssBytesPerScript: Double
        /// What the VM counts for one such script (`llGetUsedMemory`).
        public var vmUsedBytes: Int
        /// One script's capture (what a checkpoint sends the region).
        public var capturedBytes: Int
    }

    public static let greeterSource = """
        // A greeter: answers a touch with the toucher's name.
        integer greeted;
        default {
            touch_start(integer n) {
                greeted += n;
                llSay(0, "Hello, " + llDetectedName(0));
            }
        }
        """

    public static let activeSource = """
        // A busy script: a 10 Hz timer doing some list and string work.
        integer ticks;
        list recent;
        string line;
        default {
            state_entry() {
                llSetTimerEvent(0.1);
            }
            timer() {
                ticks += 1;
                recent += [ticks, "t" + (string)ticks];
                if (llGetListLength(recent) > 20) recent = llDeleteSubList(recent, 0, 1);
                line = llDumpList2String(recent, ",");
                integer found = llSubStringIndex(line, (string)(ticks % 10));
                list parts = llParseString2List(line, [","], []);
                line = llToUpper(llList2String(parts, -1)) + ":" + (string)found + ":" + (string)llGetListLength(parts);
            }
        }
        """

    static let greeterHash = AssetID(Data(repeating: 0x6E, count: 32))!
    static let activeHash = AssetID(Data(repeating: 0xAC, count: 32))!
    static let owner = UUID(uuidString: "BE4C0000-0000-4000-8000-000000000001")!
    static let toucher = UUID(uuidString: "BE4C0000-0000-4000-8000-000000000002")!
    static let toucherName = "Bench Toucher"
    static let masks: [UInt32] = [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x7FFF_FFFF]

    /// The objects: a square grid over the region, idle and active mixed evenly.
    func records(scripted: Bool) -> [SceneObjectRecord] {
        let total = idle + active
        let side = max(1, Int(Double(total).squareRoot().rounded(.up)))
        let spacing = Float(250) / Float(side)
        return (0..<total).map { index in
            // Every `total / active`-th object is active, the rest greeters.
            let isActive = active > 0 && index % max(1, total / active) == 0 && index / max(1, total / active) < active
            let position = Vector3(3 + Float(index % side) * spacing, 3 + Float(index / side) * spacing, 21.5)
            var contents: [ContentItem] = []
            if scripted {
                contents = [ContentItem(
                    id: UUID(), name: isActive ? "busy" : "greeter", kind: .script, asset: isActive ? Self.activeHash : Self.greeterHash,
                    source: isActive ? Self.activeSource : Self.greeterSource)]
            }
            return SceneObjectRecord(
                id: UUID(), owner: Self.owner, creator: Self.owner, asset: nil, name: isActive ? "Busy \(index)" : "Greeter \(index)", shape: .box,
                position: position, rotation: .identity, scale: Vector3(0.5, 0.5, 0.5), masks: Self.masks, contents: contents)
        }
    }

    public func run(log: (String) -> Void = { _ in }) async throws -> Result {
        _ = try LSLBenchmark.compile(Self.greeterSource, name: "greeter")
        _ = try LSLBenchmark.compile(Self.activeSource, name: "busy")
        var logger = Logger(label: "tessera.bench.scripts")
        logger.logLevel = .error
        let regionLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let serviceLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        func shutdown() async {
            try? await regionLoop.shutdownGracefully()
            try? await serviceLoop.shutdownGracefully()
        }
        do {
            log("baseline: \(idle + active) objects without scripts")
            let baseline = try await measure(scripted: false, regionLoop: regionLoop, serviceLoop: serviceLoop, logger: logger, log: log)
            log("scripted: \(idle) idle and \(active) active scripts")
            var result = try await measure(scripted: true, regionLoop: regionLoop, serviceLoop: serviceLoop, logger: logger, log: log)
            result.baseline = baseline.baseline
            await shutdown()
            return result
        } catch {
            await shutdown()
            throw error
        }
    }

    private func measure(
        scripted: Bool, regionLoop: EventLoopGroup, serviceLoop: EventLoopGroup, logger: Logger, log: (String) -> Void
    ) async throws -> Result {
        let secret = "scripts-bench-secret"
        var service: ScriptService?
        var endpoint: PhysicsEndpoint?
        if scripted {
            let started = ScriptService(
                settings: .init(name: "bench-scripts", host: "127.0.0.1", port: 0, gridSecret: secret), group: serviceLoop, logger: logger)
            let address = try await started.start()
            service = started
            endpoint = PhysicsEndpoint(host: "127.0.0.1", port: address.port ?? 0)
        }
        let settings = RegionSettings(
            name: "Bench", gridPosition: GridPosition(x: 1000, y: 1000)!, maxObjects: idle + active + 100, spawnRadius: 1, scripts: endpoint)
        let sink = GreetingSink(manager: 1)
        let runner = RegionRunner(settings: settings, loop: regionLoop.next(), clock: SystemFrameClock(), sink: sink)
        let records = self.records(scripted: scripted)
        await runner.attach(grid: BenchGridPort(), regionID: UUID(), restoring: records)
        runner.attachScripts(hello: Hello(role: .region, nodeName: "bench-region", gridSecret: secret), group: regionLoop, logger: logger)
        _ = runner.inbox.push(.managerConnected(1))
        _ = runner.inbox.push(.join(1, AgentJoin(region: settings.handle, agentID: Self.toucher, name: Self.toucherName)))
        runner.start()

        // Touch targets: greeters within 12 m of the region's centre (the avatar stands within
        // 1 m of it; a greeting is heard within 20 m).
        let centre = Vector3(128, 128, 21.5)
        let greeters = try await runner.inspect { region in
            region.scriptedObjects().filter { $0.scripts == ["greeter"] }.map { ($0.local, $0.object) }
        }
        let positions = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0.position) })
        let targets = greeters.filter { _, object in positions[object].map { $0.distanceSquared(to: centre) <= 144 } ?? false }.map(\.0)

        if let service {
            // Wait for every script to be held and running.
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                let stats = service.stats
                if stats.scripts == idle + active, stats.running == idle + active { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            log("scripts held \(service.stats.scripts), running \(service.stats.running)")
        }
        try await Task.sleep(for: .seconds(warmupSeconds))

        let first = runner.stats
        let startNanos = DispatchTime.now().uptimeNanoseconds
        let endNanos = startNanos + UInt64(seconds * 1e9)
        var touches = 0
        var random = SplitMix64(seed: 15)
        var maxRun: UInt32 = 0, maxQueued: UInt32 = 0, maxHeld: UInt32 = 0
        var nextTouch = startNanos
        while DispatchTime.now().uptimeNanoseconds < endNanos {
            let now = DispatchTime.now().uptimeNanoseconds
            if scripted, !targets.isEmpty, now >= nextTouch {
                nextTouch = now + UInt64(touchInterval * 1e9)
                let target = targets[Int(random.next() % UInt64(targets.count))]
                if sink.touch(target, at: now) {
                    touches += 1
                    _ = runner.inbox.push(.command(1, AgentInput(region: settings.handle, agentID: Self.toucher, command: .touch(target, phase: .start))))
                    _ = runner.inbox.push(.command(1, AgentInput(region: settings.handle, agentID: Self.toucher, command: .touch(target, phase: .end))))
                }
            }
            let status = runner.stats.scripts
            maxRun = max(maxRun, status.lastRunMicros)
            maxQueued = max(maxQueued, status.service.eventsQueued)
            maxHeld = max(maxHeld, status.heldEvents)
            try await Task.sleep(for: .milliseconds(scripted ? min(100, Int(touchInterval * 1000)) : 100))
        }
        let last = runner.stats
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - startNanos) / 1e9
        // Greetings on their way when the phase ended still count.
        try await Task.sleep(for: .milliseconds(500))
        await runner.stop()
        if let service { await service.shutdown() }

        var measured = Phase()
        measured.frames = last.frame - first.frame
        measured.seconds = elapsed
        measured.overruns = last.overruns - first.overruns
        if measured.frames > 0 {
            measured.meanFrameMicros = (last.meanFrameMicros * Double(last.frame) - first.meanFrameMicros * Double(first.frame)) / Double(measured.frames)
        }
        measured.maxFrameMicros = last.maxFrameMicros
        let latencies = sink.latencies().sorted()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
        let before = first.scripts, after = last.scripts
        return Result(
            idle: idle, active: active, baseline: measured, scripted: measured, scriptsHeld: Int(after.service.scripts),
            scriptsRunning: Int(after.service.running),
            scriptMicrosPerFrame: measured.frames > 0 ? Double(after.runMicrosTotal - before.runMicrosTotal) / Double(measured.frames) : 0,
            maxRunMicrosSampled: maxRun, answersOnTime: after.link.onTime - before.link.onTime, answersLate: after.link.late - before.link.late,
            touches: touches, greeted: latencies.count, latencyP50Millis: percentile(0.5), latencyP99Millis: percentile(0.99),
            latencyMaxMillis: latencies.last ?? 0, eventsQueuedMax: maxQueued,
            eventsDropped: after.service.eventsDropped - min(after.service.eventsDropped, before.service.eventsDropped),
            chatDropped: after.service.chatDropped - min(after.service.chatDropped, before.service.chatDropped), heldEventsMax: maxHeld,
            checkpoints: after.checkpoints - before.checkpoints)
    }

    /// `idle` greeters in a `ScriptEngine` of their own, as the service holds them: the RSS
    /// growth per script once all are held and have started, beside the VM's own figure.
    public func idleMemory() throws -> Memory {
        let program = try LSLBenchmark.compile(Self.greeterSource, name: "greeter")
        let script = LSLScript(program: program, host: LSLBenchmark.Host())
        _ = script.run(now: 0, budget: 10_000)
        let region = GridPosition(x: 1000, y: 1000)!.handle
        let engine = ScriptEngine(
            settings: ScriptEngineSettings(frameBudgetNanos: 1_000_000_000_000), cache: LSLProgramCache(), clock: ScriptEngine.monotonicNanos)
        // One script first, so what is made once per program or per process is not counted.
        let program0 = ScriptProgram(hash: Self.greeterHash, source: Self.greeterSource)
        func instance(_ index: Int) -> ScriptInstance {
            ScriptInstance(
                key: ScriptKey(object: UUID(), item: UUID()), objectLocal: LocalID(index + 1), name: "greeter", program: Self.greeterHash,
                owner: Self.owner, objectName: "Greeter \(index)")
        }
        _ = engine.apply(ScriptFrame(region: region, frame: 1, timeMillis: 0, snapshot: true, programs: [program0], added: [instance(0)]), now: 0)
        let added = (1...idle).map(instance)
        let frame = ScriptFrame(region: region, frame: 2, timeMillis: 0, added: added)
        let before = LSLBenchmark.residentBytes()
        var captured = 0
        _ = engine.apply(frame, now: 0.1)
        // Checkpoints for every script (each has its own phase within the 2 s).
        for step in 0..<60 {
            let result = engine.apply(ScriptFrame(region: region, frame: UInt64(3 + step), timeMillis: 0), now: 0.2 + Double(step) / 20)
            if captured == 0, let capture = result.captures.first { captured = capture.state.count }
        }
        let after = LSLBenchmark.residentBytes()
        let held = engine.scriptCount
        withExtendedLifetime((engine, frame, added)) {}
        return Memory(
            scripts: held - 1, rssBytesPerScript: Double(after - before) / Double(max(held - 1, 1)), vmUsedBytes: script.usedMemory,
            capturedBytes: captured)
    }
}

/// Watches the region's output for the greetings: for each greeter touched, when the touch was
/// pushed; a greeting in the avatar's `RegionFrame` closes it.
private final class GreetingSink: RegionOutputSink {
    let manager: ManagerID
    private let state = Mutex<(pending: [LocalID: UInt64], latencies: [Double])>(([:], []))

    init(manager: ManagerID) {
        self.manager = manager
    }

    /// Notes a touch of `target`; false when that greeter has not answered its previous touch.
    func touch(_ target: LocalID, at nanos: UInt64) -> Bool {
        state.withLock { state in
            guard state.pending[target] == nil else { return false }
            state.pending[target] = nanos
            return true
        }
    }

    func latencies() -> [Double] { state.withLock { $0.latencies } }

    func deliver(_ output: RegionOutput) {
        for (manager, message) in output.messages where manager == self.manager {
            guard case .regionFrame(let frame) = message, !frame.chat.isEmpty else { continue }
            let now = DispatchTime.now().uptimeNanoseconds
            state.withLock { state in
                for chat in frame.chat where chat.text == "Hello, " + ScriptsBenchmark.toucherName {
                    guard let sent = state.pending.removeValue(forKey: chat.speaker) else { continue }
                    state.latencies.append(Double(now - sent) / 1e6)
                }
            }
        }
    }
}

/// The grid as the benchmark's region sees it: flushes succeed, nothing else is asked.
private struct BenchGridPort: RegionGridPort {
    static let refused = CallStatus(.serviceUnavailable, "the benchmark has no grid")
    func rez(account: UUID, item: UUID, region: UUID, object: UUID, position: Vector3) async -> Result<SceneObjectRecord, CallStatus> {
        .failure(Self.refused)
    }
    func take(account: UUID, object: UUID, look: ObjectLook?, contents: [ContentItem]?) async -> Result<UUID, CallStatus> { .failure(Self.refused) }
    func flush(region: UUID, _ delta: SceneDelta) async -> Result<Void, CallStatus> { .success(()) }
    func moveObject(_ record: SceneObjectRecord, from region: UUID, to: GridPosition) async -> Result<Void, CallStatus> { .failure(Self.refused) }
    func loadScene(region: UUID) async -> Result<[SceneObjectRecord], CallStatus> { .success([]) }
    func storeScript(account: UUID, name: String, source: String) async -> Result<AssetID, CallStatus> { .failure(Self.refused) }
    func scriptItem(account: UUID, item: UUID) async -> Result<ScriptItem, CallStatus> { .failure(Self.refused) }
}
