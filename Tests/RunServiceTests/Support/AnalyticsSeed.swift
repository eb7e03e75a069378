import Foundation
import MeshTestSupport
import Shared
@testable import RunService

/// Runs, steps and agent executions written straight into the services' schemas, each in its
/// tenant's transaction as the owning service's role, so analytics can be checked against
/// known durations, outcomes, iterations and tokens without building anything.
enum AnalyticsSeed {
    /// A run as it stands in the `runs` table.
    struct Run: Sendable {
        var status: RunStatus
        var createdAt: Date
        var iteration = 1
        var tokens = 0
        /// First claim to end in seconds, pauses not counted, for an ended run; nil: it ended
        /// without being claimed.
        var seconds: Int?
        /// Seconds the run spent paused at a budget (added to its wall time, not to `seconds`).
        var pausedSeconds = 0
        var failureReason: String?
        /// The provider cost of its steps, USD.
        var costUSD = 0.0
        var steps: [Step] = []
    }

    /// A step of a run as it stands in `run_steps`.
    struct Step: Sendable {
        var role: String
        var iteration = 1
        var status = "succeeded"
        var durationMilliseconds: Int?
        var cacheHit = false
        var tokens = 0
        /// Its provider cost, USD.
        var costUSD = 0.0
    }

    /// How long after its creation a claimed run starts.
    static let queueSeconds: TimeInterval = 5

    /// Inserts the runs of `tenant` with their steps (not queued: no worker claims them).
    static func insert(_ runs: [Run], tenant: UUID) async throws {
        try await RunTestDatabase.withPool { pool in
            try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
                for run in runs { try await insert(run, tenant: tenant, on: session) }
            }
        }
    }

    private static func insert(_ run: Run, tenant: UUID, on session: PostgresSession) async throws {
        let id = UUID()
        let claimed = run.status != .queued && (!run.status.isTerminal || run.seconds != nil)
        let startedAt = claimed ? run.createdAt.addingTimeInterval(queueSeconds) : nil
        let finishedAt = run.status.isTerminal ? (startedAt ?? run.createdAt).addingTimeInterval(TimeInterval((run.seconds ?? 0) + run.pausedSeconds)) : nil
        // A paused run waits for a larger token budget since a minute after its first claim.
        let paused = run.status == .awaitingBudget
        try await session.execute("""
            INSERT INTO runs (id, tenant_id, spec_id, plan_id, plan, status, iteration, max_iterations, token_budget, timeout_seconds,
                              tokens_spent, cost_usd, failure_reason, started_at, finished_at, paused_seconds, budget_cap, paused_at,
                              created_by, created_at, updated_at)
            VALUES (\(id), \(tenant), \(UUID()), \(UUID()), '{}'::jsonb, \(run.status), \(run.iteration), 4, 2000000, 900,
                    \(run.tokens), \(run.costUSD), \(run.failureReason), \(startedAt)::timestamptz, \(finishedAt)::timestamptz, \(Double(run.pausedSeconds)),
                    \(paused ? "tokens" : nil), \(paused ? startedAt?.addingTimeInterval(60) : nil)::timestamptz,
                    'user-1', \(run.createdAt)::timestamptz, \(run.createdAt)::timestamptz)
            """)
        for step in run.steps {
            try await session.execute("""
                INSERT INTO run_steps (id, tenant_id, run_id, iteration, role, step_key, status, fencing, tokens, cache_hit, duration_ms, cost_usd)
                VALUES (\(UUID()), \(tenant), \(id), \(step.iteration), \(step.role), \(UUID().lowercaseText), \(step.status), 1,
                        \(step.tokens), \(step.cacheHit), \(step.durationMilliseconds), \(step.costUSD))
                """)
        }
    }

    /// A finished execution in the agent-service's schema, as its statistics count them.
    struct Execution: Sendable {
        var role: String
        var durationMilliseconds: Int
        var cacheHit = false
        var promptTokens = 0
        var completionTokens = 0
    }

    /// Inserts succeeded executions of `tenant` into schema `agent`.
    static func insert(_ executions: [Execution], tenant: UUID) async throws {
        let pool = PostgresPool(config: DatabaseConfig(url: try RequiredEnvironment.value("META_BUILDER_AGENT_DATABASE_URL"), poolSize: 1), applicationName: "run-service-tests", logger: RunTestDatabase.logger)
        defer { pool.close() }
        try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
            for execution in executions {
                try await session.execute("""
                    INSERT INTO agent_executions (id, tenant_id, role, idempotency_key, request_hash, status, requested_by, provider, model, input,
                                                  prompt_tokens, completion_tokens, duration_ms, cache_hit, finished_at)
                    VALUES (\(UUID()), \(tenant), \(execution.role), \(UUID().lowercaseText), 'seed', 'succeeded', 'user-1', 'deterministic', 'rules', '{}'::jsonb,
                            \(execution.promptTokens), \(execution.completionTokens), \(execution.durationMilliseconds), \(execution.cacheHit), now())
                    """)
            }
        }
    }
}
