import Metrics

/// The physics service's metrics (docs/metrics.md), labelled with its node name; made once
/// with the service and updated beside its `Stats`.
struct PhysicsMetrics: Sendable {
    let step: Metrics.Timer
    let worlds: Gauge
    let bodies: Gauge
    let refusedFrames: Counter
    let refusedBodies: Counter

    init(node: String) {
        let node = [("node", node)]
        step = Metrics.Timer(label: "tessera_physics_step_seconds", dimensions: node)
        worlds = Gauge(label: "tessera_physics_worlds", dimensions: node)
        bodies = Gauge(label: "tessera_physics_bodies", dimensions: node)
        refusedFrames = Counter(label: "tessera_physics_refused_frames_total", dimensions: node)
        refusedBodies = Counter(label: "tessera_physics_refused_bodies_total", dimensions: node)
    }

    /// Sets the gauges to what the service holds now.
    func holding(_ stats: PhysicsService.Stats) {
        worlds.record(stats.regions)
        bodies.record(stats.bodies)
    }
}
