import Metrics
import Prometheus

/// The Prometheus registry of one service and the swift-metrics factory writing into it.
/// Passed explicitly (only `main` bootstraps the global metrics system), so tests see the
/// same metrics without global state.
public struct MetricsRegistry: Sendable {
    /// The Prometheus collector registry.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory backed by `registry`.
    public let factory: PrometheusMetricsFactory

    /// Creates an empty registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> String {
        var buffer = [UInt8]()
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
