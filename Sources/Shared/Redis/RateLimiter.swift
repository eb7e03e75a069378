import Foundation
import Logging
import Metrics
import Synchronization

/// The outcome of one rate-limit check.
public struct RateLimitDecision: Sendable, Equatable {
    /// Whether the call may proceed.
    public let allowed: Bool
    /// The window's limit.
    public let limit: Int
    /// Calls left in the window.
    public let remaining: Int
    /// Seconds until the window resets.
    public let resetSeconds: Int

    /// `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (and `Retry-After` when denied).
    public var headers: [String: String] {
        var headers = ["RateLimit-Limit": String(limit), "RateLimit-Remaining": String(remaining), "RateLimit-Reset": String(resetSeconds)]
        if !allowed { headers["Retry-After"] = String(resetSeconds) }
        return headers
    }
}

/// Per-tenant, per-action fixed-window limits in Redis: one Lua script increments and sets the
/// expiry atomically, so concurrent callers never exceed the limit. When Redis is unreachable it
/// fails open onto a per-instance in-memory window, with a warning and a metric.
public struct RateLimiter: Sendable {
    private let redis: RedisClient
    private let config: RateLimitConfig
    private let logger: Logger
    private let fallback: InMemoryWindowCounter
    private let fallbackCounter: Counter

    private static let script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
        return count
        """

    /// Creates a limiter.
    public init(redis: RedisClient, config: RateLimitConfig, logger: Logger, metrics: MetricsRegistry) {
        self.redis = redis
        self.config = config
        self.logger = logger
        self.fallback = InMemoryWindowCounter()
        self.fallbackCounter = Counter(label: "meta_builder_rate_limit_fallback_total", factory: metrics.factory)
    }

    /// Counts one call of `action` for `tenant` and says whether it is allowed.
    public func check(tenant: UUID, action: RateLimitedAction, now: Date = Date()) async -> RateLimitDecision {
        let limit = config.limit(for: action)
        let window = config.windowSeconds
        let epoch = Int(now.timeIntervalSince1970)
        let index = epoch / window
        let reset = max(1, (index + 1) * window - epoch)
        let key = "meta-builder:ratelimit:\(tenant.lowercaseText):\(action.rawValue):\(index)"
        let count: Int
        do {
            count = try await redis.command("EVAL", Self.script, "1", key, String(window + 1)).integer ?? 0
        } catch {
            logger.warning("rate limiter falling back to in-memory window", metadata: ["error": "\(error)"])
            fallbackCounter.increment()
            count = fallback.increment(key)
        }
        return RateLimitDecision(allowed: count <= limit, limit: limit, remaining: max(0, limit - count), resetSeconds: reset)
    }

    /// Checks and throws RESOURCE_EXHAUSTED (429 with `Retry-After` and `RateLimit-*`) when over.
    @discardableResult
    public func enforce(tenant: UUID, action: RateLimitedAction) async throws -> RateLimitDecision {
        let decision = await check(tenant: tenant, action: action)
        guard decision.allowed else {
            throw WireError(
                .resourceExhausted,
                "rate limit of \(decision.limit) \(action.rawValue) per window exceeded; retry in \(decision.resetSeconds)s",
                retryAfter: decision.resetSeconds,
                headers: decision.headers.filter { $0.key != "Retry-After" }
            )
        }
        return decision
    }
}

/// The per-instance fallback: counts keys (which embed their window) in memory, dropping old ones.
final class InMemoryWindowCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func increment(_ key: String) -> Int {
        counts.withLock { counts in
            if counts.count > 10_000 { counts.removeAll() }
            counts[key, default: 0] += 1
            return counts[key]!
        }
    }
}
