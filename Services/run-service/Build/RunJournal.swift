import Foundation
import Shared

/// The build loop's writes. Each is one transaction in the run's tenant that first checks the
/// worker's claim (`RunQueue.fence`), so a worker that lost its lease writes nothing; and each
/// state change writes its event in the same transaction. Database work here gets its own short
/// deadline: a run whose time ran out must still be able to record that it did.
struct RunJournal: Sendable {
    let pool: PostgresPool
    /// How long a run paused at a cap waits for an extension before it fails.
    var budgetPause: Duration = RunSettings().budgetPause

    /// How long one journal transaction may take.
    static let timeout = Duration.seconds(15)

    /// How a run ends (or stops to wait for a person).
    enum Ending: Sendable {
        case failed(FailureReason, detail: String, step: UUID?)
        /// Paused at a cap; `step` is the step in flight the time cap interrupted, if any.
        case awaitingBudget(BudgetCap, detail: String, step: UUID?)
        case awaitingApproval(RunRisk, pullRequest: JSONValue)
        case succeeded(RunRisk, pullRequest: JSONValue)
    }

    /// Why a run failed (the `failure_reason` column).
    enum FailureReason: String, Sendable {
        case agentError = "agent_error"
        case iterationCap = "iteration_cap"
        case tokenBudget = "token_budget"
        case timeBudget = "time_budget"
        case fingerprintChanged = "fingerprint_changed"
        /// Finalizing could not build the run's artifacts (ZIP, branch, manifest).
        case artifactError = "artifact_error"
        /// Paused at its tenant's monthly budget, and no one raised it before the pause expired.
        case monthlyBudget = "monthly_budget"
        /// A replay's step did not reproduce the recording of the run it replays.
        case replayDiverged = "replay_diverged"
        /// Paused at its own cost budget, and no one raised it before the pause expired.
        case costBudget = "cost_budget"
    }

    /// The run and its steps (in the order they started), in one round trip.
    func load(_ claim: RunClaim) async throws -> (run: RunRecord, steps: [StepRecord])? {
        let results = try await pool.batch(tenant: claim.tenantID, deadline: .after(Self.timeout), [
            "SELECT \(RunRecord.columns) FROM runs WHERE id = \(claim.runID)",
            "SELECT \(StepRecord.columns) FROM run_steps WHERE run_id = \(claim.runID) ORDER BY started_at, id",
        ])
        guard let row = results[0].first else { return nil }
        return (try RunRecord(row: row), try results[1].map(StepRecord.init(row:)))
    }

    /// Marks the run started (caps count from the first claim) and records its fingerprint, both
    /// only the first time; returns when it started.
    func begin(_ claim: RunClaim, fingerprint: RunFingerprint) async throws -> Date {
        try await fenced(claim) { session in
            try await session.query("""
                UPDATE runs SET started_at = coalesce(started_at, clock_timestamp()),
                    fingerprint = coalesce(fingerprint, \(try JSONText(encoding: fingerprint))::jsonb), updated_at = clock_timestamp()
                WHERE id = \(claim.runID)
                RETURNING started_at
                """)[0].decode("started_at")
        }
    }

    /// A step that would not fit its tenant's monthly budget: nothing was written.
    struct MonthlyBudgetReached: Error {
        let cap: BudgetCap
        let detail: String
    }

    /// Records a step's start: its row (running, holding `reserved` tokens of the ledger), the
    /// run's new status, iteration and reservations, and `run.step.started` — once the tenant's
    /// monthly budget, read with its row locked, admits the reservation (`MonthlyBudgetReached`
    /// otherwise).
    func startStep(
        _ claim: RunClaim, iteration: Int, role: AgentRole, attempt: Int, status: RunStatus, reserved: Int, ledger: TokenLedger
    ) async throws -> UUID {
        let id = UUID()
        return try await fenced(claim) { session in
            if let refusal = try await TenantBudget.read(locking: true, on: session).refusal(reserving: reserved) {
                throw MonthlyBudgetReached(cap: refusal.cap, detail: refusal.detail)
            }
            try await session.execute("""
                INSERT INTO run_steps (id, tenant_id, run_id, iteration, role, attempt, step_key, status, fencing, reserved_tokens)
                VALUES (\(id), \(claim.tenantID), \(claim.runID), \(iteration), \(role.rawValue), \(attempt),
                        \(StepRecord.key(run: claim.runID, iteration: iteration, role: role, attempt: attempt)), 'running', \(claim.fencing), \(reserved))
                """)
            try await session.execute("""
                UPDATE runs SET status = \(status), iteration = greatest(iteration, \(iteration)), tokens_reserved = \(ledger.reserved),
                    tokens_spent = \(ledger.spent), updated_at = clock_timestamp()
                WHERE id = \(claim.runID)
                """)
            try await RunEvents.append(.stepStarted, run: claim.runID, tenant: claim.tenantID, data: [
                "step_id": .string(id.lowercaseText), "iteration": .number(Double(iteration)), "role": .string(role.rawValue), "status": .string(status.rawValue),
            ], on: session)
            return id
        }
    }

    /// Records a step's success: its output and usage, the sha256 of its recording in the
    /// artifact store, the settled ledger, whatever goes with it (`alongside`: the iteration's
    /// diff or report), and `run.step.completed`.
    func completeStep(
        _ claim: RunClaim,
        step: StepRecord.Identity,
        execution: AgentExecutionResult,
        recording: String,
        ledger: TokenLedger,
        alongside: @Sendable (PostgresSession) async throws -> Void = { _ in }
    ) async throws {
        let usage = execution.usage
        try await fenced(claim) { session in
            try await session.execute("""
                UPDATE run_steps SET status = 'succeeded', output = \(try JSONText(encoding: execution.output))::jsonb,
                    execution_id = \(execution.executionID.uuid), tokens = \(usage.totalTokens), prompt_tokens = \(usage.promptTokens),
                    completion_tokens = \(usage.completionTokens), cache_hit = \(usage.cacheHit), provider = \(usage.provider),
                    cost_usd = \(max(0, usage.costEstimateUSD)), recording_sha256 = \(recording),
                    model = \(usage.model), reserved_tokens = 0, fencing = \(claim.fencing), finished_at = clock_timestamp(),
                    duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint
                WHERE id = \(step.id)
                """)
            try await session.execute("""
                UPDATE runs SET tokens_spent = \(ledger.spent), tokens_reserved = \(ledger.reserved),
                    cost_usd = (SELECT coalesce(sum(cost_usd), 0) FROM run_steps WHERE run_id = \(claim.runID)), updated_at = clock_timestamp()
                WHERE id = \(claim.runID)
                """)
            try await alongside(session)
            try await RunEvents.append(.stepCompleted, run: claim.runID, tenant: claim.tenantID, data: [
                "step_id": .string(step.id.lowercaseText), "iteration": .number(Double(step.iteration)), "role": .string(step.role.rawValue),
                "tokens": .number(Double(usage.totalTokens)), "cache_hit": .bool(usage.cacheHit),
                "duration_ms": .number(Double(usage.durationMilliseconds)),
            ], on: session)
        }
    }

    /// Stores the diff an iteration applies (in the transaction completing its step).
    static func recordDiff(_ diff: String, iteration: Int, role: AgentRole, claim: RunClaim, on session: PostgresSession) async throws {
        let stats = DiffStatistics(diff)
        try await session.execute("""
            INSERT INTO run_diffs (tenant_id, run_id, iteration, role, diff, files, additions, deletions)
            VALUES (\(claim.tenantID), \(claim.runID), \(iteration), \(role.rawValue), \(diff), \(try JSONText(encoding: stats.files))::jsonb,
                    \(stats.additions), \(stats.deletions))
            ON CONFLICT (tenant_id, run_id, iteration) DO NOTHING
            """)
    }

    /// Stores an iteration's evaluation report (in the transaction completing its step).
    static func recordReport(_ report: JSONValue, summary: EvalSummary, claim: RunClaim, on session: PostgresSession) async throws {
        try await session.execute("""
            INSERT INTO run_reports (tenant_id, run_id, iteration, report, score, passed)
            VALUES (\(claim.tenantID), \(claim.runID), \(summary.iteration), \(try JSONText(encoding: report))::jsonb, \(summary.score), \(summary.passed))
            ON CONFLICT (tenant_id, run_id, iteration) DO NOTHING
            """)
    }

    /// Moves the run to `finalizing` (below the approval threshold, or approved) with `run.finalizing`.
    func finalize(_ claim: RunClaim, risk: RunRisk, pullRequest: JSONValue) async throws {
        try await fenced(claim) { session in
            try await session.execute("""
                UPDATE runs SET status = 'finalizing', built_at = coalesce(built_at, clock_timestamp()), risk_score = \(risk.score), risk_reasons = \(try JSONText(encoding: risk.reasons))::jsonb,
                    pull_request = \(try JSONText(encoding: pullRequest))::jsonb, updated_at = clock_timestamp()
                WHERE id = \(claim.runID)
                """)
            try await RunEvents.append(.finalizing, run: claim.runID, tenant: claim.tenantID, data: [
                "status": .string(RunStatus.finalizing.rawValue), "risk_score": .number(Double(risk.score)),
            ], on: session)
        }
    }

    /// Ends the run (or parks it for approval): its state, why, what it spent, its step in flight
    /// if any, the audit record and the event; the run leaves the queue in the same transaction.
    func end(_ claim: RunClaim, _ ending: Ending, ledger: TokenLedger, actingFor creator: Principal) async throws {
        try await fenced(claim) { session in
            let event: RunEvents.Kind
            var data: [String: JSONValue] = ["tokens_spent": .number(Double(ledger.spent))]
            switch ending {
            case .failed(let reason, let detail, let step):
                if let step {
                    try await session.execute("""
                        UPDATE run_steps SET status = 'failed', error = \(try JSONText(encoding: JSONValue.object(["reason": .string(reason.rawValue), "message": .string(detail)])))::jsonb,
                            reserved_tokens = 0, fencing = \(claim.fencing), finished_at = clock_timestamp(),
                            duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint
                        WHERE id = \(step) AND status = 'running'
                        """)
                }
                try await session.execute("""
                    UPDATE runs SET status = 'failed', failure_reason = \(reason.rawValue), failure_detail = \(detail),
                        tokens_spent = \(ledger.spent), tokens_reserved = 0, finished_at = clock_timestamp(), updated_at = clock_timestamp()
                    WHERE id = \(claim.runID)
                    """)
                (event, data["status"], data["reason"], data["detail"]) = (.failed, .string("failed"), .string(reason.rawValue), .string(detail))
            case .awaitingBudget(let cap, let detail, let step):
                if let step {
                    try await session.execute("""
                        UPDATE run_steps SET status = 'interrupted', error = \(try JSONText(encoding: JSONValue.object(["reason": .string(FailureReason.timeBudget.rawValue), "message": .string(detail)])))::jsonb,
                            reserved_tokens = 0, fencing = \(claim.fencing), finished_at = clock_timestamp(),
                            duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint
                        WHERE id = \(step) AND status = 'running'
                        """)
                }
                try await session.execute("""
                    UPDATE runs SET status = 'awaiting_budget', budget_cap = \(cap), budget_detail = \(detail), paused_at = clock_timestamp(),
                        paused_fencing = \(claim.fencing),
                        tokens_spent = \(ledger.spent), tokens_reserved = 0, updated_at = clock_timestamp()
                    WHERE id = \(claim.runID)
                    """)
                try await BudgetPauses.record(claim.runID, tenant: claim.tenantID, cap: cap, lasting: budgetPause, on: session)
                (event, data["status"], data["cap"], data["detail"]) = (.awaitingBudget, .string(RunStatus.awaitingBudget.rawValue), .string(cap.rawValue), .string(detail))
            case .awaitingApproval(let risk, let pullRequest), .succeeded(let risk, let pullRequest):
                let status: RunStatus
                if case .succeeded = ending { (status, event) = (.succeeded, .succeeded) } else { (status, event) = (.awaitingApproval, .awaitingApproval) }
                try await session.execute("""
                    UPDATE runs SET status = \(status), built_at = coalesce(built_at, clock_timestamp()), risk_score = \(risk.score), risk_reasons = \(try JSONText(encoding: risk.reasons))::jsonb,
                        pull_request = \(try JSONText(encoding: pullRequest))::jsonb, tokens_spent = \(ledger.spent), tokens_reserved = 0,
                        finished_at = CASE WHEN \(status.isTerminal)::boolean THEN clock_timestamp() END, updated_at = clock_timestamp()
                    WHERE id = \(claim.runID)
                    """)
                data["status"] = .string(status.rawValue)
                data["risk_score"] = .number(Double(risk.score))
                if status == .awaitingApproval { try await RunApprovals.markWaiting(claim.runID, tenant: claim.tenantID, on: session) }
            }
            try await RunQueue.remove(claim, on: session)
            let actor = Principal(userID: "service:run-service", tenantID: claim.tenantID, role: creator.role, callingService: "run-service")
            try await AuditLog.record(event.rawValue, resourceType: "run", resourceID: claim.runID.lowercaseText, by: actor, details: .object(data.filter { $0.key != "detail" }), on: session)
            try await RunEvents.append(event, run: claim.runID, tenant: claim.tenantID, data: data, on: session)
        }
    }

    /// Takes a run that needs no more work off the queue (it ended, or waits for approval).
    func forget(_ claim: RunClaim) async throws {
        try await fenced(claim) { session in try await RunQueue.remove(claim, on: session) }
    }

    /// Runs `body` in the run's tenant transaction after checking the claim.
    func fenced<T: Sendable>(_ claim: RunClaim, _ body: (PostgresSession) async throws -> T) async throws -> T {
        try await pool.withTenant(claim.tenantID, deadline: .after(Self.timeout)) { session in
            try await RunQueue.fence(claim, on: session)
            return try await body(session)
        }
    }
}
