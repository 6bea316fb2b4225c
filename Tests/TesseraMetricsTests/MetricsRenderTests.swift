import Metrics
import Testing
import TesseraMetrics

/// The registry's text after recording through swift-metrics. Every test uses label values of
/// its own: the registry is process-wide, shared by all tests of the process.
@Suite struct MetricsRenderTests {
    init() {
        TesseraMetrics.bootstrap()
    }

    @Test func bootstrapIsIdempotent() {
        TesseraMetrics.bootstrap()
        TesseraMetrics.bootstrap()
        let counter = Counter(label: "tessera_login_attempts_total", dimensions: [("node", "idempotent"), ("outcome", "accepted")])
        counter.increment()
        #expect(TesseraMetrics.render().contains(#"tessera_login_attempts_total{node="idempotent",outcome="accepted"} 1"#))
    }

    @Test func counterReadsWhatWasAdded() {
        let counter = Counter(label: "tessera_client_slow_closes_total", dimensions: [("node", "render-counter")])
        for _ in 0..<3 { counter.increment() }
        let text = TesseraMetrics.render()
        #expect(text.contains("# HELP tessera_client_slow_closes_total Clients closed for falling too far behind (mailbox full, or a frame not taken in time).\n"))
        #expect(text.contains("# TYPE tessera_client_slow_closes_total counter\n"))
        #expect(lines(text).contains(#"tessera_client_slow_closes_total{node="render-counter"} 3"#))
    }

    @Test func gaugeAndMeterReadTheirLatestValue() {
        Gauge(label: "tessera_region_objects", dimensions: [("region", "Render Gauge")]).record(42)
        let meter = Meter(label: "tessera_client_connections", dimensions: [("node", "render-meter")])
        meter.increment()
        meter.increment()
        meter.decrement()
        let text = TesseraMetrics.render()
        #expect(text.contains("# TYPE tessera_region_objects gauge\n"))
        #expect(lines(text).contains(#"tessera_region_objects{region="Render Gauge"} 42.0"#))
        #expect(lines(text).contains(#"tessera_client_connections{node="render-meter"} 1.0"#))
    }

    @Test func timerIsAHistogramInSeconds() {
        let timer = Metrics.Timer(label: "tessera_physics_step_seconds", dimensions: [("node", "render-timer")])
        timer.recordMilliseconds(3)
        timer.recordMilliseconds(30)
        let text = lines(TesseraMetrics.render())
        #expect(text.contains("# TYPE tessera_physics_step_seconds histogram"))
        #expect(text.contains(#"tessera_physics_step_seconds_bucket{node="render-timer",le="0.002"} 0"#))
        #expect(text.contains(#"tessera_physics_step_seconds_bucket{node="render-timer",le="0.005"} 1"#))
        #expect(text.contains(#"tessera_physics_step_seconds_bucket{node="render-timer",le="0.033"} 2"#))
        #expect(text.contains(#"tessera_physics_step_seconds_bucket{node="render-timer",le="+Inf"} 2"#))
        #expect(text.contains(#"tessera_physics_step_seconds_sum{node="render-timer"} 0.033"#))
        #expect(text.contains(#"tessera_physics_step_seconds_count{node="render-timer"} 2"#))
    }

    @Test func recorderIsAHistogramOfValues() {
        let recorder = Recorder(label: "tessera_client_queue_depth_events", dimensions: [("node", "render-recorder")])
        recorder.record(0)
        recorder.record(10)
        let text = lines(TesseraMetrics.render())
        #expect(text.contains(#"tessera_client_queue_depth_events_bucket{node="render-recorder",le="1.0"} 1"#))
        #expect(text.contains(#"tessera_client_queue_depth_events_bucket{node="render-recorder",le="16.0"} 2"#))
        #expect(text.contains(#"tessera_client_queue_depth_events_count{node="render-recorder"} 2"#))
    }

    @Test func anUncataloguedMetricHasATypeButNoHelp() {
        Counter(label: "render_test_unlisted_total").increment(by: 5)
        let text = TesseraMetrics.render()
        #expect(text.contains("# TYPE render_test_unlisted_total counter\n"))
        #expect(!text.contains("# HELP render_test_unlisted_total"))
        #expect(lines(text).contains("render_test_unlisted_total 5"))
    }

    @Test func catalogueNamesAreUniqueAndPrefixed() {
        let names = MetricCatalogue.all.map(\.name)
        #expect(Set(names).count == names.count)
        for description in MetricCatalogue.all {
            #expect(description.name.hasPrefix("tessera_"))
            #expect(description.name.hasSuffix("_total") == (description.kind == .counter), "\(description.name)")
            #expect(!description.help.isEmpty)
        }
    }

    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }
}
