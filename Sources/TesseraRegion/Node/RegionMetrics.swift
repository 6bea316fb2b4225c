import Metrics
import TesseraWire

/// One region's metrics (docs/metrics.md), made once with the runner and updated at the end
/// of every frame on the region's loop: setting a gauge or recording a time allocates nothing.
/// The region and its inbox count drops and hand-offs cumulatively; the counters get the
/// difference since the previous frame.
struct RegionMetrics {
    private let frameTime: Metrics.Timer
    private let timeDilation: Gauge
    private let rootAvatars: Gauge
    private let ghosts: Gauge
    private let objects: Gauge
    private let handoffsInProgress: Gauge
    private let droppedCommands: Counter
    private let handoffsCommitted: Counter
    private let handoffsFailed: Counter
    private let handoffsDropped: Counter
    private var lastDropped: Int
    private var lastHandoffs: HandoffCounters

    /// `dropped` and `handoffs`: the counts already reached, which the counters do not repeat.
    init(region name: String, dropped: Int = 0, handoffs: HandoffCounters = HandoffCounters()) {
        let region = MetricLabels("region", name)
        frameTime = region.timer("tessera_region_frame_seconds")
        timeDilation = region.gauge("tessera_region_time_dilation_ratio")
        rootAvatars = region.gauge("tessera_region_root_avatars")
        ghosts = region.gauge("tessera_region_ghosts")
        objects = region.gauge("tessera_region_objects")
        handoffsInProgress = region.gauge("tessera_region_handoffs_in_progress")
        droppedCommands = region.counter("tessera_region_dropped_commands_total")
        handoffsCommitted = region.counter("tessera_handoffs_total", [("outcome", "committed")])
        handoffsFailed = region.counter("tessera_handoffs_total", [("outcome", "failed")])
        handoffsDropped = region.counter("tessera_handoffs_total", [("outcome", "dropped")])
        lastDropped = dropped
        lastHandoffs = handoffs
    }

    /// What one frame of the region reached.
    struct Frame {
        var nanoseconds: Int64
        var timeDilation: Float
        var rootAvatars: Int
        var ghosts: Int
        var objects: Int
        var handoffsInProgress: Int
        var droppedCommands: Int
        var handoffs: HandoffCounters
    }

    mutating func record(_ frame: Frame) {
        frameTime.recordNanoseconds(frame.nanoseconds)
        timeDilation.record(Double(frame.timeDilation))
        rootAvatars.record(frame.rootAvatars)
        ghosts.record(frame.ghosts)
        objects.record(frame.objects)
        handoffsInProgress.record(frame.handoffsInProgress)
        if frame.droppedCommands > lastDropped {
            droppedCommands.increment(by: frame.droppedCommands - lastDropped)
        }
        lastDropped = frame.droppedCommands
        let handoffs = frame.handoffs
        if handoffs != lastHandoffs {
            Self.add(handoffs.committed, since: lastHandoffs.committed, to: handoffsCommitted)
            Self.add(handoffs.failed, since: lastHandoffs.failed, to: handoffsFailed)
            Self.add(handoffs.dropped, since: lastHandoffs.dropped, to: handoffsDropped)
            lastHandoffs = handoffs
        }
    }

    private static func add(_ count: UInt64, since last: UInt64, to counter: Counter) {
        if count > last { counter.increment(by: count - last) }
    }
}
