import Metrics

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
        let node = [("node", node)]
        frame = Metrics.Timer(label: "tessera_scripts_frame_seconds", dimensions: node)
        regions = Gauge(label: "tessera_scripts_regions", dimensions: node)
        scripts = Gauge(label: "tessera_scripts_scripts", dimensions: node)
        eventsQueued = Gauge(label: "tessera_scripts_events_queued", dimensions: node)
        eventsDropped = Counter(label: "tessera_scripts_events_dropped_total", dimensions: node)
        chatDropped = Counter(label: "tessera_scripts_chat_dropped_total", dimensions: node)
        refusedFrames = Counter(label: "tessera_scripts_refused_frames_total", dimensions: node)
    }

    /// Sets the gauges to what the service holds now.
    func holding(_ stats: ScriptService.Stats) {
        regions.record(stats.regions)
        scripts.record(stats.scripts)
        eventsQueued.record(stats.eventsQueued)
    }
}
