import Metrics

/// Makes metrics that all carry the same labels, such as a service's node name or a region's
/// name (docs/metrics.md).
public struct MetricLabels: Sendable {
    public let dimensions: [(String, String)]

    public init(_ key: String, _ value: String) {
        dimensions = [(key, value)]
    }

    public func timer(_ label: String) -> Metrics.Timer {
        Metrics.Timer(label: label, dimensions: dimensions)
    }

    public func gauge(_ label: String) -> Gauge {
        Gauge(label: label, dimensions: dimensions)
    }

    /// A counter with these labels and `extra` ones after them.
    public func counter(_ label: String, _ extra: [(String, String)] = []) -> Counter {
        Counter(label: label, dimensions: dimensions + extra)
    }
}
