import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Counts requests and records their latency, labelled by method, route template (never a raw
/// path with ids) and status: `meta_builder_http_requests_total` and
/// `meta_builder_http_request_duration_seconds`. The metric objects are made once per label set
/// and kept, not looked up in the registry on every request.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let instruments: RouteInstruments

    /// Creates the middleware.
    public init(metrics: MetricsRegistry) {
        self.instruments = RouteInstruments(metrics: metrics)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            let (counter, timer) = instruments.instruments(method: RouteInstruments.label(of: request.method), route: route == "NotFound" ? "unmatched" : route, status: status)
            counter.increment()
            timer.recordInterval(since: start)
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}

/// The request counter and latency timer of each (method, route, status), made on first use.
private final class RouteInstruments: Sendable {
    private struct Key: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private let metrics: MetricsRegistry
    private let made = Mutex<[Key: (Counter, Metrics.Timer)]>([:])

    init(metrics: MetricsRegistry) {
        self.metrics = metrics
    }

    /// The method as a label: the standard ones by name, any other token as `OTHER`, so a client
    /// cannot grow the label set.
    static func label(of method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .post, .put, .patch, .delete, .head, .options: method.rawValue
        default: "OTHER"
        }
    }

    func instruments(method: String, route: String, status: Int) -> (Counter, Metrics.Timer) {
        let key = Key(method: method, route: route, status: status)
        if let known = made.withLock({ $0[key] }) { return known }
        let dimensions = [("method", method), ("route", route)]
        let instruments = (
            Counter(label: "meta_builder_http_requests_total", dimensions: dimensions + [("status", String(status))], factory: metrics.factory),
            Metrics.Timer(label: "meta_builder_http_request_duration_seconds", dimensions: dimensions, factory: metrics.factory)
        )
        made.withLock { $0[key] = instruments }
        return instruments
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
