import Foundation
import TesseraGridProtocol
import TesseraLSL
import TesseraWire
import TesseraWorld

/// How the engine runs a region's scripts (docs/scripts.md, "Scheduling").
public struct ScriptEngineSettings: Sendable, Hashable {
    /// Time all scripts of one region may run per region frame, in nanoseconds of the engine's clock.
    public var frameBudgetNanos: UInt64
    /// Instructions one script runs before the next script gets its turn.
    public var sliceInstructions: Int
    /// A script that ran is captured (a checkpoint) at most this many seconds later.
    public var checkpointSeconds: Double
    /// Chat token bucket per script: burst, and tokens per second of script time.
    public var chatBurst: Double
    public var chatPerSecond: Double

    public init(
        frameBudgetNanos: UInt64 = 4_000_000, sliceInstructions: Int = 2_000, checkpointSeconds: Double = 2,
        chatBurst: Double = 20, chatPerSecond: Double = 5
    ) {
        self.frameBudgetNanos = frameBudgetNanos
        self.sliceInstructions = max(1, sliceInstructions)
        self.checkpointSeconds = checkpointSeconds > 0 ? checkpointSeconds : 2
        self.chatBurst = max(1, chatBurst)
        self.chatPerSecond = max(0, chatPerSecond)
    }
}

/// Runs the scripts of any number of regions (docs/scripts.md): each `ScriptFrame` a region
/// sends is applied (scripts added, removed, frozen, controlled; poses, events and chat
/// delivered), then the region's scripts run round-robin in slices until the frame's budget is
/// spent, and the answer is the `ScriptResult` of that frame.
///
/// Pure: no I/O and no clock of its own. `now` (monotonic seconds) comes with each frame and
/// the budget is measured with the injected `clock` (nanoseconds), so tests are deterministic.
/// Not thread-safe: one engine per connection, driven from one thread.
public final class ScriptEngine {
    public let settings: ScriptEngineSettings
    let clock: () -> UInt64
    let cache: LSLProgramCache
    /// Sources by hash, as the regions sent them, and what compiling them gave.
    private var sources: [AssetID: String] = [:]
    private var compiled: [AssetID: ProgramEntry] = [:]
    private var regions: [RegionHandle: RegionScripts] = [:]

    enum ProgramEntry {
        case program(LSLProgram)
        case failed([Diagnostic])
    }

    /// The most sources kept; beyond it, those no hosted script uses are forgotten.
    static let maxSources = 4096

    public init(settings: ScriptEngineSettings = .init(), cache: LSLProgramCache = LSLProgramCache(), clock: @escaping () -> UInt64) {
        self.settings = settings
        self.cache = cache
        self.clock = clock
    }

    /// The process's monotonic clock in nanoseconds (the service's default clock).
    public static func monotonicNanos() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }

    /// Regions with scripts held.
    public var regionCount: Int { regions.count }
    /// Scripts held in every region.
    public var scriptCount: Int { regions.values.reduce(0) { $0 + $1.scripts.count } }

    /// Scripts held for one region.
    public func scriptCount(in region: RegionHandle) -> Int { regions[region]?.scripts.count ?? 0 }

    /// Forgets a region and its scripts (its link closed) without capturing them.
    public func removeRegion(_ region: RegionHandle) {
        regions[region] = nil
    }

    /// Applies one region frame and runs the region's scripts for it; `now` is monotonic seconds.
    public func apply(_ frame: ScriptFrame, now: Double) -> ScriptResult {
        let region: RegionScripts
        if let existing = regions[frame.region], !frame.snapshot {
            region = existing
        } else {
            let old = regions[frame.region]
            region = RegionScripts(handle: frame.region, engine: self)
            if let old {
                // A snapshot keeps what the region was called and its cumulative counters.
                region.name = old.name
                region.eventsDropped = old.eventsDropped
                region.chatDropped = old.chatDropped
            }
            regions[frame.region] = region
        }
        for program in frame.programs where sources[program.hash] == nil {
            sources[program.hash] = program.source
        }
        let result = region.apply(frame, now: now)
        if sources.count > Self.maxSources { forgetUnusedSources() }
        return result
    }

    /// The compiled program of a hash, or its compile errors; nil when no frame carried the source.
    func program(for hash: AssetID) -> ProgramEntry? {
        if let entry = compiled[hash] { return entry }
        guard let source = sources[hash] else { return nil }
        let entry: ProgramEntry
        switch cache.program(for: source, file: "script") {
        case .success(let program): entry = .program(program)
        case .failure(let failure): entry = .failed(failure.diagnostics)
        }
        compiled[hash] = entry
        return entry
    }

    private func forgetUnusedSources() {
        var used = Set<AssetID>()
        for region in regions.values {
            for script in region.scripts.values { used.insert(script.instance.program) }
        }
        sources = sources.filter { used.contains($0.key) }
        compiled = compiled.filter { used.contains($0.key) }
    }
}
