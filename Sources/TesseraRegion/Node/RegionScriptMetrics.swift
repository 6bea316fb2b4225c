import Metrics

/// One region's script metrics (docs/metrics.md, "Region scripts"), from its `ScriptsStatus`
/// at the end of every frame on the region's loop. The script time is recorded once per answer
/// of the script service; the service's drop counts restart from zero when the region attaches
/// again, and the counters then go on from there.
struct RegionScriptMetrics {
    private let runTime: Metrics.Timer
    private let link: Gauge
    private let scriptedObjects: Gauge
    private let scripts: Gauge
    private let running: Gauge
    private let eventsQueued: Gauge
    private let eventsHeld: Gauge
    private let eventsDroppedByService: Counter
    private let eventsDroppedByRegion: Counter
    private let chatDropped: Counter
    private let losses: Counter
    private var last = ScriptsStatus()

    init(region name: String) {
        let region = [("region", name)]
        runTime = Metrics.Timer(label: "tessera_region_script_frame_seconds", dimensions: region)
        link = Gauge(label: "tessera_region_script_link", dimensions: region)
        scriptedObjects = Gauge(label: "tessera_region_scripted_objects", dimensions: region)
        scripts = Gauge(label: "tessera_region_scripts", dimensions: region)
        running = Gauge(label: "tessera_region_scripts_running", dimensions: region)
        eventsQueued = Gauge(label: "tessera_region_script_events_queued", dimensions: region)
        eventsHeld = Gauge(label: "tessera_region_script_events_held", dimensions: region)
        eventsDroppedByService = Counter(label: "tessera_region_script_events_dropped_total", dimensions: region + [("where", "queue")])
        eventsDroppedByRegion = Counter(label: "tessera_region_script_events_dropped_total", dimensions: region + [("where", "held")])
        chatDropped = Counter(label: "tessera_region_script_chat_dropped_total", dimensions: region)
        losses = Counter(label: "tessera_region_script_link_losses_total", dimensions: region)
    }

    mutating func record(_ status: ScriptsStatus) {
        if status.onTime + status.late > last.onTime + last.late {
            runTime.recordNanoseconds(Int64(status.lastRunMicros) * 1000)
        }
        link.record(Int(status.state.rawValue))
        scriptedObjects.record(Int(status.scriptedObjects))
        scripts.record(Int(status.service.scripts))
        running.record(Int(status.service.running))
        eventsQueued.record(Int(status.service.eventsQueued))
        eventsHeld.record(Int(status.heldEvents))
        Self.add(status.service.eventsDropped, since: last.service.eventsDropped, to: eventsDroppedByService)
        Self.add(status.eventsDropped, since: last.eventsDropped, to: eventsDroppedByRegion)
        Self.add(status.service.chatDropped, since: last.service.chatDropped, to: chatDropped)
        Self.add(status.losses, since: last.losses, to: losses)
        last = status
        // Top scripts are not kept: the comparison needs only the counts.
        last.service.topScripts = []
    }

    /// Adds what a cumulative count gained; a count that went back (the service's, after an
    /// attach) counts from zero.
    private static func add(_ count: UInt64, since last: UInt64, to counter: Counter) {
        if count > last {
            counter.increment(by: count - last)
        } else if count < last, count > 0 {
            counter.increment(by: count)
        }
    }
}
