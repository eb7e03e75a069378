import Shared

/// One agent role's figures in `GET /analytics`, from the run-service's own steps of the runs
/// created in the window: how many steps ended how, and the duration, cache hit rate and
/// tokens of its succeeded steps (as the agent-service counts latency and cache hits over
/// succeeded executions). Durations in milliseconds, rounded to 3 places; the rate is 0–1.
struct RoleAnalytics: Sendable, Encodable, PostgresRowDecodable {
    /// Step duration in milliseconds over the succeeded steps; each null when none succeeded.
    struct Duration: Sendable, Encodable {
        var p50: Double?
        var p95: Double?
        var mean: Double?

        private enum CodingKeys: String, CodingKey {
            case p50, p95, mean
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(p50, forKey: .p50)
            try container.encode(p95, forKey: .p95)
            try container.encode(mean, forKey: .mean)
        }
    }

    /// The role (`AgentRole` raw value).
    var role: String
    /// Every step of the role, and how many of them are in each status.
    var steps: Int
    var succeeded: Int
    var failed: Int
    var cancelled: Int
    var running: Int
    /// Attempts the time cap cut short (the run paused at its time budget).
    var interrupted: Int
    var durationMilliseconds: Duration
    /// Share of the succeeded steps answered from the provider cache; 0 when none succeeded.
    var cacheHitRate: Double
    /// Tokens charged to the role's steps, whatever their status.
    var tokens: Int

    init(row: PostgresRow) throws {
        role = try row.decode("role")
        steps = try row.decode("steps")
        succeeded = try row.decode("succeeded")
        failed = try row.decode("failed")
        cancelled = try row.decode("cancelled")
        running = try row.decode("running")
        interrupted = try row.decode("interrupted")
        durationMilliseconds = Duration(p50: try row.decode("p50_ms"), p95: try row.decode("p95_ms"), mean: try row.decode("mean_ms"))
        cacheHitRate = try row.decode("cache_hit_rate")
        tokens = try row.decode("tokens")
    }

    private enum CodingKeys: String, CodingKey {
        case role, steps, succeeded, failed, cancelled, running, interrupted, tokens
        case durationMilliseconds = "duration_ms"
        case cacheHitRate = "cache_hit_rate"
    }
}
