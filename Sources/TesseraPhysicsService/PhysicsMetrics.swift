import Metrics
import TesseraWire

/// The physics service's metrics (docs/metrics.md), labelled with its node name; made once
/// with the service and updated beside its `Stats`.
struct PhysicsMetrics: Sendable {
    let step: Metrics.Timer
    let worlds: Gauge
    let bodies: Gauge
    let refusedFrames: Counter
    let refusedBodies: Counter

    init(node: String) {
        let node = MetricLabels("node", node)
        step = node.timer("tessera_physics_step_seconds")
        worlds = node.gauge("tessera_physics_worlds")
        bodies = node.gauge("tessera_physics_bodies")
        refusedFrames = node.counter("tessera_physics_refused_frames_total")
        refusedBodies = node.counter("tessera_physics_refused_bodies_total")
    }

    /// Sets the gauges to what the service holds now.
    func holding(_ stats: PhysicsService.Stats) {
        worlds.record(stats.regions)
        bodies.record(stats.bodies)
    }
}
