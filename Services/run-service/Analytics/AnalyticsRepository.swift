import Foundation
import Shared

/// Reads the run-side figures of `GET /analytics` from schema `run`: the runs created in the
/// window and the steps of those runs, aggregated by Postgres (percentiles by
/// `percentile_cont`) in the caller's tenant transaction, so row-level security keeps every
/// other tenant out. The statements go in one round trip.
struct AnalyticsRepository: Sendable {
    let pool: PostgresPool

    /// The tenant's run figures, per-role step figures (roles by name; only roles with steps)
    /// and what the runs and each working app cost.
    func figures(tenant: UUID, window: AnalyticsWindow) async throws -> (runs: RunAnalytics, roles: [RoleAnalytics], cost: CostAnalytics) {
        let results = try await pool.batch(tenant: tenant, [Self.runFigures(window), Self.roleFigures(window), CostAnalytics.query(window)])
        return (try RunAnalytics(row: results[0][0]), try results[1].map(RoleAnalytics.init(row:)), try CostAnalytics(rows: results[2]))
    }

    /// The statuses a run ends in, as a SQL list (from `RunStatus`, never from a request).
    private static let ended: SQL = "(\(unsafeSQL: RunStatus.allCases.filter(\.isTerminal).map { "'\($0.rawValue)'" }.joined(separator: ", ")))"

    /// One row: outcome counts, rates, run-duration percentiles, mean iterations and tokens.
    private static func runFigures(_ window: AnalyticsWindow) -> SQL {
        """
        WITH windowed AS (
            SELECT status, failure_reason, iteration, tokens_spent, status IN \(ended) AS ended,
                   extract(epoch FROM finished_at - started_at)::float8 - paused_seconds AS seconds
            FROM runs WHERE created_at >= \(window.from)::timestamptz AND created_at < \(window.to)::timestamptz
        ), totals AS (
            SELECT count(*) AS total,
                   count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                   count(*) FILTER (WHERE status = 'failed') AS failed,
                   count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                   count(*) FILTER (WHERE status = 'rejected') AS rejected,
                   count(*) FILTER (WHERE status = 'awaiting_approval') AS awaiting_approval,
                   count(*) FILTER (WHERE status = 'awaiting_budget') AS awaiting_budget,
                   count(*) FILTER (WHERE NOT ended AND status NOT IN ('awaiting_approval', 'awaiting_budget')) AS in_progress,
                   count(*) FILTER (WHERE ended) AS ended,
                   count(*) FILTER (WHERE ended AND iteration > 1) AS fixed,
                   count(seconds) FILTER (WHERE ended) AS timed_runs,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE ended) AS p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE ended) AS p95,
                   avg(iteration) FILTER (WHERE ended) AS mean_iterations,
                   coalesce(sum(tokens_spent), 0) AS tokens_spent
            FROM windowed
        )
        SELECT total, succeeded, failed, cancelled, rejected, awaiting_approval, awaiting_budget, in_progress, ended, timed_runs,
               (CASE WHEN ended = 0 THEN 0 ELSE round(succeeded::numeric / ended, 4) END)::float8 AS success_rate,
               (CASE WHEN ended = 0 THEN 0 ELSE round(fixed::numeric / ended, 4) END)::float8 AS autofix_rate,
               round(p50::numeric, 3)::float8 AS duration_p50,
               round(p95::numeric, 3)::float8 AS duration_p95,
               round(mean_iterations, 3)::float8 AS mean_iterations,
               tokens_spent::int8 AS tokens_spent,
               (SELECT coalesce(jsonb_object_agg(failure_reason, runs), '{}'::jsonb)
                FROM (SELECT failure_reason, count(*) AS runs FROM windowed WHERE status = 'failed' GROUP BY failure_reason) AS reasons
               )::text AS failed_by_reason
        FROM totals
        """
    }

    /// One row per role with steps in the window's runs: step counts by status; duration
    /// percentiles, mean and cache hit rate of the succeeded steps; tokens of all.
    private static func roleFigures(_ window: AnalyticsWindow) -> SQL {
        """
        SELECT s.role, count(*) AS steps,
               count(*) FILTER (WHERE s.status = 'succeeded') AS succeeded,
               count(*) FILTER (WHERE s.status = 'failed') AS failed,
               count(*) FILTER (WHERE s.status = 'cancelled') AS cancelled,
               count(*) FILTER (WHERE s.status = 'running') AS running,
               count(*) FILTER (WHERE s.status = 'interrupted') AS interrupted,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY s.duration_ms) FILTER (WHERE s.status = 'succeeded'))::numeric, 3)::float8 AS p50_ms,
               round((percentile_cont(0.95) WITHIN GROUP (ORDER BY s.duration_ms) FILTER (WHERE s.status = 'succeeded'))::numeric, 3)::float8 AS p95_ms,
               round(avg(s.duration_ms) FILTER (WHERE s.status = 'succeeded'), 3)::float8 AS mean_ms,
               coalesce(round(avg(s.cache_hit::int) FILTER (WHERE s.status = 'succeeded'), 4), 0)::float8 AS cache_hit_rate,
               coalesce(sum(s.tokens), 0)::int8 AS tokens
        FROM run_steps s JOIN runs r ON r.id = s.run_id
        WHERE r.created_at >= \(window.from)::timestamptz AND r.created_at < \(window.to)::timestamptz
        GROUP BY s.role ORDER BY s.role
        """
    }
}
