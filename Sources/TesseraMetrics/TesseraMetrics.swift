import CoreMetrics
import Prometheus

/// The process's metrics: one Prometheus registry behind swift-metrics (docs/metrics.md).
///
/// The roles record through the swift-metrics API only (`Counter`, `Gauge`, `Timer`, ...); the
/// process bootstraps it here once, and every `/metrics` endpoint of the process renders the
/// same registry. Metric objects made before `bootstrap()` record nothing, so each role calls
/// it first.
public enum TesseraMetrics {
    /// Frame times and latencies: 0.5 ms to 2.5 s, dense around a 45 Hz frame period (22 ms).
    public static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(15), .milliseconds(20), .milliseconds(25), .milliseconds(33), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
    ]

    /// Sizes and queue depths: powers of four from 1 to 1 Mi.
    public static let valueBuckets: [Double] = (0...10).map { Double(1 << (2 * $0)) }

    /// The registry, bootstrapped into `MetricsSystem` on first use. A static's initialiser runs
    /// exactly once per process, even when first used from several threads at once, which is
    /// the guarantee `MetricsSystem.bootstrap` needs (it may be called only once).
    private static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var prometheus = PrometheusMetricsFactory(registry: registry)
        prometheus.defaultDurationHistogramBuckets = durationBuckets
        prometheus.defaultValueHistogramBuckets = valueBuckets
        MetricsSystem.bootstrap(DescribedMetricsFactory(prometheus: prometheus, catalogue: MetricCatalogue.byName))
        return registry
    }()

    /// Makes the process record into the Prometheus registry. Idempotent: safe to call from
    /// every role and every test.
    public static func bootstrap() {
        _ = registry
    }

    /// The text exposition (format 0.0.4) of every metric recorded so far; bootstraps first.
    public static func render() -> String {
        registry.emitToString()
    }

    /// `render()` as UTF-8 bytes, for HTTP bodies.
    static func renderBytes() -> [UInt8] {
        registry.emitToBuffer()
    }

    /// The content type of `render()`'s text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
