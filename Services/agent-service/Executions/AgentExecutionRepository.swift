import Foundation
import Shared

/// Agent executions in Postgres, always inside the caller's tenant scope (RLS applies).
struct AgentExecutionRepository: Sendable {
    let pool: PostgresPool

    private static let columns: SQL = """
        id, role, request_hash, status, output::text AS output, error::text AS error, prompt_tokens, completion_tokens,
        cost_estimate_usd::float8 AS cost_estimate_usd, duration_ms, cache_hit, provider, model, created_at
        """

    /// Claims an idempotency key until `lease` (past it the execution cannot still be running):
    /// inserts a `running` row, takes over a `running` row with the same request whose lease has
    /// expired (its execution died before recording an outcome), or returns the existing row.
    /// A takeover gives the row a new id, so the dead execution can no longer record onto it.
    func claim(tenant: UUID, role: AgentRole, key: String, requestHash: String, principal: Principal, provider: String, model: String, input: JSONValue, leasedUntil lease: Deadline) async throws -> (record: AgentExecutionRecord, isNew: Bool) {
        let leaseMilliseconds = max(1, lease.remainingMilliseconds)
        let inputText = try JSONText(encoding: input)
        return try await pool.withTenant(tenant) { session in
            let inserted = try await session.query("""
                INSERT INTO agent_executions (id, tenant_id, role, idempotency_key, request_hash, status, requested_by, calling_service, provider, model, input, trace_id, lease_expires_at)
                VALUES (\(UUID()), \(tenant), \(role.rawValue), \(key), \(requestHash), 'running', \(principal.userID), \(principal.callingService),
                        \(provider), \(model), \(inputText)::jsonb, \(RequestScope.current?.trace.traceID),
                        clock_timestamp() + \(leaseMilliseconds) * interval '1 millisecond')
                ON CONFLICT (tenant_id, role, idempotency_key) DO NOTHING
                RETURNING \(Self.columns)
                """, as: AgentExecutionRecord.self)
            if let record = inserted.first { return (record, true) }
            // The row lock serialises concurrent takeovers: the losers re-check the lease the
            // winner set and update nothing.
            let takenOver = try await session.query("""
                UPDATE agent_executions SET id = \(UUID()), requested_by = \(principal.userID), calling_service = \(principal.callingService),
                    trace_id = \(RequestScope.current?.trace.traceID), created_at = now(),
                    lease_expires_at = clock_timestamp() + \(leaseMilliseconds) * interval '1 millisecond'
                WHERE role = \(role.rawValue) AND idempotency_key = \(key) AND request_hash = \(requestHash)
                  AND status = 'running' AND lease_expires_at <= clock_timestamp()
                RETURNING \(Self.columns)
                """, as: AgentExecutionRecord.self)
            if let record = takenOver.first { return (record, true) }
            let existing = try await session.query("""
                SELECT \(Self.columns) FROM agent_executions WHERE role = \(role.rawValue) AND idempotency_key = \(key)
                """, as: AgentExecutionRecord.self)
            guard let record = existing.first else { throw WireError(.aborted, "idempotency key changed hands, retry", retryAfter: 1) }
            return (record, false)
        }
    }

    private static let takenOver = WireError(.aborted, "the execution outlived its lease and a retry took it over", retryAfter: 1)

    /// Records a successful execution, with its audit record (`agent.execute`); ABORTED when a
    /// retry took over the claim meanwhile.
    func complete(_ id: UUID, key: String, for principal: Principal, output: JSONValue, usage: AgentUsage) async throws -> AgentExecutionRecord {
        try await pool.withTenant(principal.tenantID, deadline: .after(.seconds(10))) { session in
            let rows = try await session.query("""
                UPDATE agent_executions SET status = 'succeeded', output = \(try JSONText(encoding: output))::jsonb,
                    prompt_tokens = \(usage.promptTokens), completion_tokens = \(usage.completionTokens),
                    cost_estimate_usd = \(usage.costEstimateUSD), duration_ms = \(usage.durationMilliseconds),
                    cache_hit = \(usage.cacheHit), model = \(usage.model), finished_at = now(), lease_expires_at = NULL
                WHERE id = \(id) AND status = 'running'
                RETURNING \(Self.columns)
                """, as: AgentExecutionRecord.self)
            guard let record = rows.first else { throw Self.takenOver }
            try await Self.audit("agent.execute", execution: id, role: record.role, key: key, by: principal, extra: [
                "provider": .string(usage.provider), "model": .string(usage.model), "cache_hit": .bool(usage.cacheHit),
                "prompt_tokens": .number(Double(usage.promptTokens)), "completion_tokens": .number(Double(usage.completionTokens)),
                "duration_ms": .number(Double(usage.durationMilliseconds)),
            ], on: session)
            return record
        }
    }

    /// Records a failure the caller caused with the usage it incurred (kept, so a replay answers
    /// the same and its tokens count); failures of dependencies delete the claim instead, so a
    /// retry runs again, and keep only the tokens already paid for. A CANCELLED execution is the
    /// caller's when `cancelledByCaller` (it asked for it), otherwise a dependency's (a cancelled
    /// statement, a service shutting down). Either is audited: `agent.fail` (recorded) or
    /// `agent.abandon` (claim dropped), with the error's code.
    func fail(_ id: UUID, role: AgentRole, key: String, for principal: Principal, error: WireError, usage: AgentUsage, cancelledByCaller: Bool) async throws {
        let dependencyFailed = !cancelledByCaller && [.unavailable, .deadlineExceeded, .cancelled, .resourceExhausted, .internal, .aborted].contains(error.code)
        let tenant = principal.tenantID
        try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
            if dependencyFailed {
                guard try await session.execute("DELETE FROM agent_executions WHERE id = \(id) AND status = 'running'") > 0 else { return }
                try await Self.audit("agent.abandon", execution: id, role: role, key: key, by: principal, extra: ["code": .string(error.code.rawValue)], on: session)
                if usage.totalTokens > 0 {
                    try await session.execute("""
                        INSERT INTO agent_abandoned_usage (id, tenant_id, role, prompt_tokens, completion_tokens, cost_estimate_usd)
                        VALUES (\(UUID()), \(tenant), \(role.rawValue), \(usage.promptTokens), \(usage.completionTokens), \(usage.costEstimateUSD))
                        """)
                }
            } else {
                let stored = AgentExecutionRecord.StoredError(code: error.code, message: error.message)
                let failed = try await session.execute("""
                    UPDATE agent_executions SET status = 'failed', error = \(try JSONText(encoding: stored))::jsonb,
                        prompt_tokens = \(usage.promptTokens), completion_tokens = \(usage.completionTokens),
                        cost_estimate_usd = \(usage.costEstimateUSD), duration_ms = \(usage.durationMilliseconds),
                        model = \(usage.model), finished_at = now(), lease_expires_at = NULL
                    WHERE id = \(id) AND status = 'running'
                    """)
                guard failed > 0 else { return }
                try await Self.audit("agent.fail", execution: id, role: role, key: key, by: principal, extra: [
                    "code": .string(error.code.rawValue), "prompt_tokens": .number(Double(usage.promptTokens)),
                    "completion_tokens": .number(Double(usage.completionTokens)),
                ], on: session)
            }
        }
    }

    /// Records what the service did for `principal` outside an execution (a cancel, a sandbox
    /// cleaned) in the audit log, in a transaction of its own.
    func audit(_ action: String, resourceType: String, resourceID: String, by principal: Principal, details: [String: JSONValue]) async throws {
        try await pool.withTenant(principal.tenantID, deadline: .after(.seconds(10))) { session in
            try await AuditLog.record(action, resourceType: resourceType, resourceID: resourceID, by: principal, details: .object(details), on: session)
        }
    }

    /// The audit record of an execution's outcome: the execution, its role, its step key and who
    /// asked through which service (the key is the caller's, so it is redacted like any text that
    /// could carry PII).
    private static func audit(_ action: String, execution id: UUID, role: AgentRole, key: String, by principal: Principal, extra: [String: JSONValue], on session: PostgresSession) async throws {
        var details: [String: JSONValue] = ["role": .string(role.rawValue), "idempotency_key": .string(Redactor.redact(key))]
        if let service = principal.callingService { details["calling_service"] = .string(service) }
        try await AuditLog.record(action, resourceType: "agent_execution", resourceID: id.lowercaseText, by: principal, details: .object(details.merging(extra) { $1 }), on: session)
    }

    /// Per-role statistics of the tenant's finished executions: latency and cache hits of the
    /// succeeded ones, tokens of all, and of the dropped claims (their completions were paid for too).
    func statistics(tenant: UUID) async throws -> [AgentRole: AgentRoleStatistics] {
        let rows = try await pool.withTenant(tenant) { session in
            try await session.query("""
                WITH finished AS (
                    SELECT role, status, duration_ms, cache_hit, prompt_tokens, completion_tokens
                    FROM agent_executions WHERE status IN ('succeeded', 'failed')
                    UNION ALL
                    SELECT role, 'abandoned', 0, false, prompt_tokens, completion_tokens FROM agent_abandoned_usage
                )
                SELECT role, count(*) FILTER (WHERE status = 'succeeded') AS executions,
                       count(*) FILTER (WHERE status = 'failed') AS failed_executions,
                       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE status = 'succeeded'), 0)::float8 AS p50,
                       coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE status = 'succeeded'), 0)::float8 AS p95,
                       coalesce(avg(cache_hit::int) FILTER (WHERE status = 'succeeded'), 0)::float8 AS cache_hit_rate,
                       coalesce(sum(prompt_tokens), 0)::int8 AS prompt_tokens,
                       coalesce(sum(completion_tokens), 0)::int8 AS completion_tokens
                FROM finished GROUP BY role
                """)
        }
        var statistics: [AgentRole: AgentRoleStatistics] = [:]
        for row in rows {
            guard let role = AgentRole(rawValue: try row.decode("role")) else { continue }
            statistics[role] = AgentRoleStatistics(
                executions: try row.decode("executions"),
                failedExecutions: try row.decode("failed_executions"),
                p50Milliseconds: try row.decode("p50"),
                p95Milliseconds: try row.decode("p95"),
                cacheHitRate: try row.decode("cache_hit_rate"),
                promptTokens: try row.decode("prompt_tokens"),
                completionTokens: try row.decode("completion_tokens")
            )
        }
        return statistics
    }
}

/// Statistics of one role within a tenant.
struct AgentRoleStatistics: Codable, Sendable, Equatable {
    /// Succeeded executions.
    var executions: Int
    /// Executions that failed for a reason of the caller's (recorded, replayed).
    var failedExecutions: Int
    /// Latency percentiles and cache hit rate of the succeeded executions.
    var p50Milliseconds: Double
    var p95Milliseconds: Double
    var cacheHitRate: Double
    /// Tokens of succeeded and failed executions, and of claims dropped after paid completions.
    var promptTokens: Int
    var completionTokens: Int

    static let empty = AgentRoleStatistics(executions: 0, failedExecutions: 0, p50Milliseconds: 0, p95Milliseconds: 0, cacheHitRate: 0, promptTokens: 0, completionTokens: 0)

    enum CodingKeys: String, CodingKey {
        case executions
        case failedExecutions = "failed_executions"
        case p50Milliseconds = "p50_ms"
        case p95Milliseconds = "p95_ms"
        case cacheHitRate = "cache_hit_rate"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }
}
