import Metrics
import TesseraWire

/// The script service's metrics (docs/metrics.md), labelled with its node name; made once with
/// the service and updated beside its `Stats`.
struct ScriptMetrics: Sendable {
    /// Time spent running one region's scripts for one frame.
    let frame: Metrics.Timer
    let regions: Gauge
    let scripts: Gauge
    let eventsQueued: Gauge
    let eventsDropped: Counter
    let chatDropped: Counter
    let refusedFrames: Counter

    init(node: String) {
        let node = MetricLabels("node", node)
        frame = node.timer("tessera_scripts_frame_seconds")
        regions = node.gauge("tessera_scripts_regions")
        scripts = node.gauge("tessera_scripts_scripts")
        eventsQueued = node.gauge("tessera_scripts_events_queued")
        eventsDropped = node.counter("tessera_scripts_events_dropped_total")
        chatDropped = node.counter("tessera_scripts_chat_dropped_total")
        refusedFrames = node.counter("tessera_scripts_refused_frames_total")
    }

    /// Sets the gauges to what the service holds now.
    func holding(_ stats: ScriptService.Stats) {
        regions.record(stats.regions)
        scripts.record(stats.scripts)
        eventsQueued.record(stats.eventsQueued)
    }
}
