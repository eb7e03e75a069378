import Hummingbird
import Metrics

/// Counts requests and records their latency, labelled by method, route template (never a raw
/// path with ids) and status: `meta_builder_http_requests_total` and
/// `meta_builder_http_request_duration_seconds`.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let metrics: MetricsRegistry

    /// Creates the middleware.
    public init(metrics: MetricsRegistry) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            let dimensions = [("method", request.method.rawValue), ("route", route == "NotFound" ? "unmatched" : route)]
            Counter(label: "meta_builder_http_requests_total", dimensions: dimensions + [("status", String(status))], factory: metrics.factory).increment()
            Metrics.Timer(label: "meta_builder_http_request_duration_seconds", dimensions: dimensions, factory: metrics.factory)
                .recordInterval(since: start)
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}

extension Metrics.Timer {
    /// Records the time since `start`.
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(Int64(seconds) * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
