import ArgumentParser
import Foundation
import TesseraBench

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the pure costs of the region frame and of per-client streaming.",
        discussion: """
            Each benchmark prints its figure beside a baseline measured in the same run: the \
            region frame at N avatars beside the same at 100 avatars, and distance-tiered \
            streaming beside streaming every entity every tick. Run a release build.
            """,
        subcommands: [RegionBench.self, StreamingBench.self, InventoryBench.self, PhysicsBench.self, LSLBench.self, ScriptsBench.self, WireBench.self]
    )
}

struct RegionBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "region", abstract: "Region frame time by avatar count.",
        discussion: """
            Each count beside 100 avatars in the same run; counts of --serial-from and more are run \
            twice, with the avatars' views computed on one thread and split over the region's \
            interest threads (the default).
            """)

    @Option(help: "Avatar counts to measure.")
    var avatars: [Int] = [200, 500, 1000, 2000]

    @Option(help: "Frames per measurement.")
    var frames = 450

    @Option(help: "From this many avatars, also measure interest on one thread.")
    var serialFrom = 1000

    func run() {
        let baseline = RegionBenchmark(avatars: 100, frames: frames).run()
        printLine(Self.line(baseline, baseline: baseline))
        for count in avatars {
            if count >= serialFrom {
                printLine(Self.line(RegionBenchmark(avatars: count, frames: frames, interestThreads: 1).run(), baseline: baseline))
            }
            printLine(Self.line(RegionBenchmark(avatars: count, frames: frames).run(), baseline: baseline))
        }
    }

    static func line(_ r: RegionBenchmark.Result, baseline: RegionBenchmark.Result) -> String {
        String(
            format: "region frame, %4d avatars, interest on %d thread%@: mean %7.1f µs  p99 %7.1f µs  max %7.1f µs  (%.1f%% of the 45 Hz budget; x%.1f of 100 avatars)  moved/frame %.0f, avatars held %d",
            r.avatars, r.interestThreads, r.interestThreads == 1 ? " " : "s", r.meanFrameMicros, r.p99FrameMicros, r.maxFrameMicros,
            r.budgetShare * 100, r.meanFrameMicros / baseline.meanFrameMicros, r.movedPerFrame, r.avatarsAtEnd
        )
    }
}

struct StreamingBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "streaming", abstract: "Client manager cost per client update tick.")

    @Option(help: "Clients.")
    var clients = 200

    @Option(help: "Entities, all in view of every client, all moving.")
    var entities = 1000

    func run() {
        let benchmark = StreamingBenchmark(clients: clients, entities: entities)
        let baseline = benchmark.run(policy: .everyTick, name: "every entity every tick, protocol 6")
        let results = [
            baseline,
            benchmark.run(policy: .standard, name: "distance tiers, protocol 6"),
            benchmark.run(policy: .everyTick, name: "every entity every tick, protocol 7", protocolVersion: 7),
            benchmark.run(policy: .standard, name: "distance tiers, protocol 7", protocolVersion: 7),
            benchmark.run(policy: .standard, name: "distance tiers, protocol 7, 2048-byte budget", protocolVersion: 7, maxBytes: 2048),
        ]
        for result in results {
            printLine(String(
                format: "streaming, %@: %.1f µs per client tick, %.0f bytes, %.0f updates, %.2f bytes per update (x%.2f of baseline time)",
                result.policy, result.microsPerClientTick, result.bytesPerClientTick, result.updatesPerClientTick,
                result.bytesPerUpdate, result.microsPerClientTick / baseline.microsPerClientTick
            ))
        }
    }
}

struct PhysicsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "physics",
        abstract: "Bullet step time for the resting and colliding scenes, directly and through the physics service; and a walking crowd of avatars.",
        discussion: """
            Each scene is built twice in one run: a Bullet world stepped directly (the baseline), and the \
            same bodies in a physics service on its own event loop, reached over loopback TCP, timed from \
            the frame sent to the answer applied, as a region sees it. The two alternate for --rounds \
            rounds (so a noisy neighbour on the machine hits both alike) and each figure is the median \
            over the rounds. Prints both, where the service's time goes, and their ratio.

            Then the crowd: --crowd avatars walking in a 48 m crowd in a region's world as the service \
            holds it (45 Hz frames, the step time the service reports), beside 100 avatars and beside \
            --rigid avatars as free rigid capsules (the model before character controllers) in the same run.
            """
    )

    @Option(help: "Avatar counts of the walking crowd (character controllers).")
    var crowd: [Int] = [1000, 2000]

    @Option(help: "Avatars of the rigid-capsule baseline crowd (0: none).")
    var rigid = 1000

    @Option(help: "45 Hz frames per crowd measurement (after 45 frames of warm-up); the rigid baseline runs a quarter of them.")
    var crowdFrames = 450

    @Option(help: "Static blocks and physical crates among the largest crowd, for a further row (0: none).")
    var props = 200

    @Flag(help: "Only the crowd rows.")
    var crowdOnly = false

    @Option(help: "Rounds of direct then service per scene; figures are medians over them.")
    var rounds = 3

    @Option(help: "Boxes in the resting scene.")
    var resting = 8000

    @Option(help: "Boxes in the colliding scene.")
    var colliding = 1800

    @Option(help: "60 Hz steps per scene.")
    var steps = 300

    func run() async throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        guard crowdFrames >= 1, rigid >= 0, props >= 0, crowd.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--crowd counts and --crowd-frames must be at least 1; --rigid and --props not negative")
        }
        if !crowdOnly { try await boxes() }
        try crowdRows()
    }

    private func crowdRows() throws {
        func line(_ r: PhysicsCrowdBenchmark.Result, baseline: PhysicsCrowdBenchmark.Result) -> String {
            String(
                format: "physics crowd %@ %5d avatars%@: step mean %8.1f µs  p50 %8.1f µs  p99 %8.1f µs  max %8.1f µs (%.1f%% of the 45 Hz frame; x%.1f of 100 avatars), over the frame %d of %d; bodies/answer %.0f, moved/step %.0f, near prims %.1f%%, separated/step %.1f",
                r.model.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0), r.avatars, r.props > 0 ? " + \(r.props) props" : "",
                r.meanStepMicros, r.p50StepMicros, r.p99StepMicros, r.maxStepMicros, r.meanStepMicros / (1e6 / 45) * 100,
                r.meanStepMicros / baseline.meanStepMicros, r.overFrame, r.frames, r.bodiesPerAnswer, r.movedPerStep, r.sweptShare * 100,
                r.separatedPerStep)
        }
        let baseline = try PhysicsCrowdBenchmark(avatars: 100, frames: crowdFrames).run()
        printLine(line(baseline, baseline: baseline))
        for count in crowd {
            printLine(line(try PhysicsCrowdBenchmark(avatars: count, frames: crowdFrames).run(), baseline: baseline))
        }
        if props > 0, let largest = crowd.max() {
            printLine(line(try PhysicsCrowdBenchmark(avatars: largest, frames: crowdFrames, props: props).run(), baseline: baseline))
        }
        if rigid > 0 {
            printLine(line(try PhysicsCrowdBenchmark(avatars: rigid, model: .rigidBody, frames: max(crowdFrames / 4, 1)).run(), baseline: baseline))
        }
    }

    private func boxes() async throws {
        for (scene, bodies) in [(PhysicsBenchmark.Scene.resting, resting), (.colliding, colliding)] {
            var directs: [PhysicsBenchmark.Result] = [], services: [PhysicsBenchmark.Result] = []
            for _ in 0..<rounds {
                directs.append(try PhysicsBenchmark(scene: scene, bodies: bodies, steps: steps).run())
                services.append(try await PhysicsServiceBenchmark(scene: scene, bodies: bodies, steps: steps).run())
            }
            let direct = PhysicsBenchmark.Result.median(directs)
            let service = PhysicsBenchmark.Result.median(services)
            for (name, r) in [("direct ", direct), ("service", service)] {
                printLine(String(
                    format: "physics %@ %@ %5d bodies: step p50 %7.1f µs  p99 %7.1f µs  mean %7.1f µs (%.0f%% of the 60 Hz budget), awake at the end %d",
                    name, r.scene.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0), r.bodies, r.p50StepMicros, r.p99StepMicros,
                    r.meanStepMicros, r.budgetShare * 100, r.activeAtEnd))
            }
            if let inside = service.serviceMeanMicros {
                printLine(String(
                    format: "physics split   %@ mean %.1f µs inside the service (apply + step + read), %.1f µs encoding, transport and applying",
                    scene.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0), inside, service.meanStepMicros - inside))
            }
            printLine(String(
                format: "physics ratio   %@ service/direct: p50 %.3f  p99 %.3f  mean %.3f (overhead %+.1f%% of the mean)",
                scene.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0), service.p50StepMicros / direct.p50StepMicros,
                service.p99StepMicros / direct.p99StepMicros, service.meanStepMicros / direct.meanStepMicros,
                (service.meanStepMicros / direct.meanStepMicros - 1) * 100))
        }
    }
}

struct LSLBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsl",
        abstract: "LSL on Tessera's VM beside the same programs in Lua 5.4, and the memory of an idle script copy.",
        discussion: """
            Runs each program (integer loop, float math, string building, list operations, function \
            calls, a state-changing event loop) in LSL on the VM and in Debian's lua5.4 in the same \
            run, --rounds times each, and prints the medians and the ratio Lua time / LSL time (our \
            speed as a fraction of Lua's; the aim is 0.5 or more). Lua times itself with os.clock(), \
            so its process start is not counted. Then makes --copies copies of a small idle script \
            and prints what each costs beyond the shared bytecode (aim: 4 KiB or less). Run a \
            release build.
            """
    )

    @Option(help: "Runs of each program on each side; figures are medians.")
    var rounds = 3

    @Option(help: "Idle script copies to measure.")
    var copies = 1000

    @Option(help: "The Lua 5.4 interpreter.")
    var lua = "lua5.4"

    func run() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        let benchmark = LSLBenchmark(luaPath: lua)
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        var ratios: [Double] = []
        for program in LSLBenchmark.programs {
            var runs: [LSLBenchmark.Result] = []
            do {
                for _ in 0..<rounds { runs.append(try benchmark.run(program)) }
            } catch {
                // One program the VM or the library cannot run yet does not stop the others.
                printLine("lsl \(program.name.padding(toLength: 17, withPad: " ", startingAt: 0)) not measured: \(error)")
                continue
            }
            let lsl = median(runs.map(\.lslMillis)), luaTime = median(runs.map(\.luaMillis))
            ratios.append(luaTime / lsl)
            let agree = runs[0].lslOutput == runs[0].luaOutput ? "same result" : "results: LSL \(runs[0].lslOutput), Lua \(runs[0].luaOutput)"
            printLine(String(
                format: "lsl %@ LSL %9.1f ms   Lua %8.1f ms   ratio %.2f of Lua's speed%@  (%@)",
                program.name.padding(toLength: 17, withPad: " ", startingAt: 0), lsl, luaTime, luaTime / lsl,
                luaTime / lsl >= 0.5 ? "" : " (below 0.5)", agree))
        }
        let worst = ratios.min() ?? 0
        printLine(String(format: "lsl lowest ratio %.2f (aim: every program 0.5 or more)", worst))
        let idle = try LSLBenchmark.idleCopies(copies)
        printLine(String(
            format: "lsl idle script copy: %.0f bytes of RSS each over %d copies (aim: 4096 or less); VM accounting %d bytes; captured state %d bytes",
            idle.rssBytesPerCopy, idle.copies, idle.vmUsedBytesPerCopy, idle.capturedBytesPerCopy))
    }
}

struct ScriptsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scripts",
        abstract: "A region full of scripts beside the same region without them: frame rate, script time, touch latency, memory.",
        discussion: """
            Runs one region at 45 Hz (a real region runner on its own event loop) twice in one run: \
            first its objects without scripts (the baseline), then the same objects with --idle \
            greeter scripts (waiting for a touch) and --active busy ones (a 10 Hz timer doing list \
            and string work), attached over loopback TCP to a real script service on one event loop \
            of its own (one service core). One avatar stands among the objects and, in the scripted \
            phase, touches a greeter near it every --touch-interval seconds. Prints the frame rate \
            of both phases, the script time per frame (ScriptResult.runMicros as the region sums \
            it), the touch latency (from the touch pushed into the region's inbox to the region \
            frame for the avatar's manager carrying the greeting), events queued and dropped, and \
            the memory of an idle script in an engine of its own (process RSS growth per script, \
            and the VM's own count). Run a release build.
            """
    )

    @Option(help: "Idle scripts (greeters waiting for a touch).")
    var idle = 10_000

    @Option(help: "Active scripts (10 Hz timer with list and string work).")
    var active = 1000

    @Option(help: "Measured seconds per phase.")
    var seconds: Double = 30

    @Option(help: "Seconds of warm-up before measuring each phase.")
    var warmup: Double = 5

    @Option(help: "Seconds between touches in the scripted phase.")
    var touchInterval: Double = 0.1

    func run() async throws {
        guard idle >= 1, active >= 0, seconds > 0, warmup >= 0, touchInterval > 0 else {
            throw ValidationError("--idle must be at least 1, --active at least 0, --seconds and --touch-interval above 0")
        }
        let benchmark = ScriptsBenchmark(idle: idle, active: active, seconds: seconds, warmupSeconds: warmup, touchInterval: touchInterval)
        let memory = try benchmark.idleMemory()
        let r = try await benchmark.run(log: { printLine("scripts: \($0)") })
        for (name, phase) in [("without scripts", r.baseline), ("with scripts   ", r.scripted)] {
            printLine(String(
                format: "scripts region %@ %.2f fps (%llu frames in %.1f s; aim 44 of 45), overruns %d, frame mean %.0f µs, max %.0f µs",
                name, phase.framesPerSecond, phase.frames, phase.seconds, phase.overruns, phase.meanFrameMicros, phase.maxFrameMicros))
        }
        printLine(String(
            format: "scripts held %d, running %d (%d idle + %d active); script time %.0f µs per region frame (largest sampled %u µs), answers on time %llu, late %llu",
            r.scriptsHeld, r.scriptsRunning, r.idle, r.active, r.scriptMicrosPerFrame, r.maxRunMicrosSampled, r.answersOnTime, r.answersLate))
        printLine(String(
            format: "scripts touch -> greeting in the region frame: p50 %.1f ms  p99 %.1f ms  max %.1f ms (%d greeted of %d touches; aim p99 < 100 ms)",
            r.latencyP50Millis, r.latencyP99Millis, r.latencyMaxMillis, r.greeted, r.touches))
        printLine(String(
            format: "scripts events queued at most %u (service), held by the region at most %u; dropped %llu events, %llu chat; %llu checkpoints",
            r.eventsQueuedMax, r.heldEventsMax, r.eventsDropped, r.chatDropped, r.checkpoints))
        printLine(String(
            format: "scripts idle script memory: %.0f bytes of RSS each over %d greeters in an engine; VM accounting %d bytes; capture %d bytes",
            memory.rssBytesPerScript, memory.scripts, memory.vmUsedBytes, memory.capturedBytes))
    }
}
