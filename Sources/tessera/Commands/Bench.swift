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
        subcommands: [RegionBench.self, StreamingBench.self, InventoryBench.self, PhysicsBench.self, LSLBench.self]
    )
}

struct RegionBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "region", abstract: "Region frame time by avatar count.")

    @Option(help: "Avatar counts to measure.")
    var avatars: [Int] = [200, 500, 1000]

    @Option(help: "Frames per measurement.")
    var frames = 450

    func run() {
        let baseline = RegionBenchmark(avatars: 100, frames: frames).run()
        printLine(Self.line(baseline, baseline: baseline))
        for count in avatars {
            printLine(Self.line(RegionBenchmark(avatars: count, frames: frames).run(), baseline: baseline))
        }
    }

    static func line(_ r: RegionBenchmark.Result, baseline: RegionBenchmark.Result) -> String {
        String(
            format: "region frame, %4d avatars: mean %7.1f µs  p99 %7.1f µs  max %7.1f µs  (%.1f%% of the 45 Hz budget; x%.1f of 100 avatars)  moved/frame %.0f",
            r.avatars, r.meanFrameMicros, r.p99FrameMicros, r.maxFrameMicros, r.budgetShare * 100,
            r.meanFrameMicros / baseline.meanFrameMicros, r.movedPerFrame
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
        let baseline = benchmark.run(policy: .everyTick, name: "every entity every tick")
        let tiered = benchmark.run(policy: .standard, name: "distance tiers (standard)")
        for result in [baseline, tiered] {
            printLine(String(
                format: "streaming, %@: %.1f µs per client tick, %.0f bytes, %.0f updates (x%.2f of baseline time)",
                result.policy, result.microsPerClientTick, result.bytesPerClientTick, result.updatesPerClientTick,
                result.microsPerClientTick / baseline.microsPerClientTick
            ))
        }
    }
}

struct PhysicsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "physics",
        abstract: "Bullet step time for the resting and colliding scenes: directly in-process, and through the physics service.",
        discussion: """
            Each scene is built twice in one run: a Bullet world stepped directly (the baseline), and the \
            same bodies in a physics service on its own event loop, reached over loopback TCP, timed from \
            the frame sent to the answer applied, as a region sees it. The two alternate for --rounds \
            rounds (so a noisy neighbour on the machine hits both alike) and each figure is the median \
            over the rounds. Prints both, where the service's time goes, and their ratio.
            """
    )

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
