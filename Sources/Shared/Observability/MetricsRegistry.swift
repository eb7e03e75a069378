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
        // Builds take minutes, not milliseconds.
        let buildBuckets: [Duration] = [
            .seconds(1), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
            .seconds(300), .seconds(600), .seconds(900), .seconds(1800), .seconds(3600),
        ]
        factory.durationHistogramBuckets[Self.runDuration] = buildBuckets
        factory.durationHistogramBuckets[Self.stepDuration] = buildBuckets
        self.factory = factory
    }

    /// The run-service's histogram of whole runs, queue to end.
    public static let runDuration = "meta_builder_run_duration_seconds"
    /// The run-service's histogram of agent steps, by role.
    public static let stepDuration = "meta_builder_run_step_duration_seconds"

    /// The Prometheus text exposition of every metric.
    public func render() -> String {
        var buffer = [UInt8]()
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
