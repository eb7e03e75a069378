import Foundation
import Shared

/// Runs in schema `run`, as the API reads and changes them. Every call runs in the caller's
/// tenant transaction, so row-level security hides other tenants' runs (another tenant's id is
/// simply not found). The build loop's own writes are in `RunJournal`.
struct RunRepository: Sendable {
    let pool: PostgresPool

    /// What a new run starts from.
    struct NewRun: Sendable {
        var specID: UUID
        var plan: SpecClient.Plan
        var options: StartRunRequest.Options
        var approvalThreshold: Int
        /// The earlier run whose branch this run regenerates, if it does.
        var regenerates: UUID?
    }

    /// Inserts a queued run with its queue entry, audit record and `run.started` event in the
    /// caller's transaction; returns the run as the API writes it.
    func create(_ new: NewRun, by principal: Principal, on session: PostgresSession) async throws -> String {
        let id = UUID()
        let options = new.options
        let rows = try await session.query("""
            INSERT INTO runs (id, tenant_id, spec_id, plan_id, plan_version, plan, plan_risk_score, max_iterations, token_budget,
                              timeout_seconds, cost_budget_usd, provider, base_repository, fault, approval_threshold, created_by, created_by_role, regenerates)
            VALUES (\(id), \(principal.tenantID), \(new.specID), \(new.plan.id.uuid), \(new.plan.version), \(try JSONText(encoding: new.plan.plan))::jsonb,
                    \(new.plan.risk.score), \(options.maxIterations), \(options.tokenBudget), \(options.timeoutSeconds), \(options.costBudgetUSD), \(options.provider),
                    \(options.baseRepository), \(options.fault), \(new.approvalThreshold), \(principal.userID), \(principal.role.rawValue),
                    \(new.regenerates))
            RETURNING \(RunView.detail)
            """, as: RenderedRow.self)
        try await RunQueue.enqueue(id, tenant: principal.tenantID, on: session)
        var details: [String: JSONValue] = ["spec_id": .string(new.specID.lowercaseText), "plan_id": .string(new.plan.id.description)]
        if let regenerates = new.regenerates { details["regenerates"] = .string(regenerates.lowercaseText) }
        try await AuditLog.record("run.start", resourceType: "run", resourceID: id.lowercaseText, by: principal, details: .object(details), on: session)
        try await RunEvents.append(.started, run: id, tenant: principal.tenantID, data: [
            "spec_id": .string(new.specID.lowercaseText), "plan_id": .string(new.plan.id.description), "status": .string(RunStatus.queued.rawValue),
            "max_iterations": .number(Double(options.maxIterations)), "token_budget": .number(Double(options.tokenBudget)),
            "timeout_s": .number(Double(options.timeoutSeconds)), "cost_budget_usd": options.costBudgetUSD.map(JSONValue.number) ?? .null,
        ], on: session)
        return rows[0].json
    }

    /// What regenerating a run starts from: its spec and base repository. NOT_FOUND for an
    /// unknown run, FAILED_PRECONDITION for one that did not succeed with a branch.
    func regenerationSource(_ id: UUID, tenant: UUID) async throws -> (specID: UUID, baseRepository: String?) {
        guard let row = try await pool.batch(tenant: tenant, [
            "SELECT r.status, r.spec_id, r.base_repository, b.name AS branch FROM runs r LEFT JOIN run_branches b ON b.run_id = r.id WHERE r.id = \(id)",
        ])[0].first else { throw WireError.notFound("run", id: id.lowercaseText) }
        let status: RunStatus = try row.decode("status")
        guard status == .succeeded, try row.decode("branch", as: String?.self) != nil else {
            throw WireError(.failedPrecondition, "run \(id.lowercaseText) is \(status.rawValue); only a run that succeeded with a branch can be regenerated")
        }
        return (try row.decode("spec_id"), try row.decode("base_repository"))
    }

    /// One run of the tenant as the API writes it, or NOT_FOUND (one round trip).
    func rendered(_ id: UUID, tenant: UUID) async throws -> RenderedRow {
        guard let row = try await pool.read(tenant: tenant, "SELECT \(RunView.detail) FROM runs WHERE id = \(id)", as: RenderedRow.self).first else {
            throw WireError.notFound("run", id: id.lowercaseText)
        }
        return row
    }

    /// The status of one run of the tenant, or NOT_FOUND (one round trip).
    func status(_ id: UUID, tenant: UUID) async throws -> RunStatus {
        guard let row = try await pool.batch(tenant: tenant, ["SELECT status FROM runs WHERE id = \(id)"])[0].first else {
            throw WireError.notFound("run", id: id.lowercaseText)
        }
        return try row.decode("status")
    }

    /// A run's stored events after a sequence number, and the run's status.
    struct EventPage: Sendable {
        /// One stored event, rendered as the stream sends it.
        struct Event: Sendable {
            let sequence: Int
            let type: String
            let json: String
        }
        /// nil when the run is not the tenant's.
        let status: RunStatus?
        let events: [Event]
    }

    /// Up to `limit` events of a run after `sequence`, in order, with the run's status, in one
    /// round trip (its own short deadline: a stream outlives any request deadline).
    func events(of run: UUID, tenant: UUID, after sequence: Int, limit: Int) async throws -> EventPage {
        let results = try await pool.batch(tenant: tenant, deadline: .after(.seconds(10)), [
            "SELECT status FROM runs WHERE id = \(run)",
            """
            SELECT sequence, type, jsonb_build_object('sequence', sequence, 'type', type, 'at', \(RenderedRow.timestamp("at")), 'data', data)::text AS json
            FROM run_events WHERE run_id = \(run) AND sequence > \(sequence) ORDER BY sequence LIMIT \(limit)
            """,
        ])
        return EventPage(
            status: try results[0].first.map { try $0.decode("status") },
            events: try results[1].map { EventPage.Event(sequence: try $0.decode("sequence"), type: try $0.decode("type"), json: try $0.decode("json")) }
        )
    }

    /// What `GET /runs` may filter on.
    struct Filter: Sendable {
        var status: RunStatus?
        var specID: UUID?
        var createdAfter: Date?
        var createdBefore: Date?
    }

    /// A page of the tenant's runs, newest first (ties by id), rendered by Postgres (one round trip).
    func list(tenant: UUID, filter: Filter, pageSize: Int, after token: PageToken?) async throws -> JSONBody {
        var sql: SQL = "SELECT \(RunView.summary) FROM runs WHERE true"
        if let status = filter.status { sql.append(" AND status = \(status)") }
        if let spec = filter.specID { sql.append(" AND spec_id = \(spec)") }
        if let after = filter.createdAfter { sql.append(" AND created_at > \(after)::timestamptz") }
        if let before = filter.createdBefore { sql.append(" AND created_at < \(before)::timestamptz") }
        if let token { sql.append(token.condition) }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT \(pageSize + 1)")
        let page = PageToken.page(try await pool.read(tenant: tenant, sql, as: RenderedRow.self), size: pageSize, token: \.pageToken)
        return JSONBody.page("runs", items: page.rows.map(\.json), nextPageToken: page.next)
    }

    /// Cancels a run that has not ended: the run and its steps in flight become `cancelled`, its
    /// reservations are released and it leaves the queue (or its pause at a budget ends), with
    /// audit and `run.cancelled`, in one transaction. The queue row goes first — the lock order of the worker's fenced writes — so
    /// a worker's transaction in progress finishes before, and every later one finds its claim
    /// gone. NOT_FOUND for an unknown run, FAILED_PRECONDITION for one that already ended.
    func cancel(_ id: UUID, by principal: Principal) async throws -> RenderedRow {
        try await pool.withTenant(principal.tenantID) { session in
            guard let current = try await session.query("SELECT status FROM runs WHERE id = \(id)").first else {
                throw WireError.notFound("run", id: id.lowercaseText)
            }
            try Self.checkCancellable(try current.decode("status"), id: id)
            try await session.execute("DELETE FROM run_queue WHERE run_id = \(id) AND tenant_id = \(principal.tenantID)")
            let status: RunStatus = try await session.query("SELECT status FROM runs WHERE id = \(id) FOR UPDATE")[0].decode("status")
            try Self.checkCancellable(status, id: id)
            try await BudgetPauses.remove(id, on: session)
            try await session.execute("""
                UPDATE run_steps SET status = 'cancelled', reserved_tokens = 0, finished_at = clock_timestamp(),
                    duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint
                WHERE run_id = \(id) AND status = 'running'
                """)
            let rows = try await session.query("""
                UPDATE runs SET status = 'cancelled', tokens_reserved = 0, budget_cap = NULL, budget_detail = NULL,
                    paused_seconds = paused_seconds + coalesce(extract(epoch FROM clock_timestamp() - paused_at)::float8, 0), paused_at = NULL,
                    finished_at = clock_timestamp(), updated_at = clock_timestamp()
                WHERE id = \(id)
                RETURNING \(RunView.detail)
                """, as: RenderedRow.self)
            try await AuditLog.record("run.cancel", resourceType: "run", resourceID: id.lowercaseText, by: principal, details: .object([
                "from_status": .string(status.rawValue),
            ]), on: session)
            try await RunEvents.append(.cancelled, run: id, tenant: principal.tenantID, data: [
                "status": .string(RunStatus.cancelled.rawValue), "from_status": .string(status.rawValue),
            ], on: session)
            return rows[0]
        }
    }

    private static func checkCancellable(_ status: RunStatus, id: UUID) throws {
        guard !status.isTerminal else {
            throw WireError(.failedPrecondition, "run \(id.lowercaseText) already ended (\(status.rawValue)); only a run in progress can be cancelled")
        }
    }
}
