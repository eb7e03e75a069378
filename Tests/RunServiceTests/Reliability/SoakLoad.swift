import Foundation
import Synchronization

/// What a soak measured, route by route: every answer's status and latency, and the requests
/// that never got an answer.
final class SoakLoad: Sendable {
    /// One route's tally.
    struct Route: Sendable {
        var latencies: [Double] = []
        var statuses: [Int: Int] = [:]
        var transportErrors = 0
        /// Answers the design does not allow (500, 502, 503/504 without Retry-After).
        var violations: [String] = []
    }

    private let routes = Mutex<[String: Route]>([:])

    /// Records one answer of `route`.
    func record(_ route: String, status: Int, retryAfter: Bool, milliseconds: Double, text: @autoclosure () -> String) {
        let detail = status >= 500 && (status != 503 && status != 504 || !retryAfter) ? "\(route): \(status) \(text().prefix(160))" : nil
        routes.withLock {
            $0[route, default: Route()].latencies.append(milliseconds)
            $0[route, default: Route()].statuses[status, default: 0] += 1
            if let detail { $0[route, default: Route()].violations.append(detail) }
        }
    }

    /// Records a request of `route` that got no answer (refused or reset connection, timeout).
    func recordTransportError(_ route: String) {
        routes.withLock { $0[route, default: Route()].transportErrors += 1 }
    }

    /// Every route's tally.
    var tally: [String: Route] { routes.withLock { $0 } }

    /// The `fraction` percentile (0…1) of sorted values, nearest rank; 0 when there are none.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
