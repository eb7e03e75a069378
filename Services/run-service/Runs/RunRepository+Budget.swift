import Foundation
import Shared

extension RunRepository {
    /// A paused run as extending, resuming or expiring it reads it (locked).
    fileprivate struct PausedRun {
        let status: RunStatus
        let cap: BudgetCap?
        let detail: String?
        let caps: [BudgetCap: Int]
        /// USD; nil: none.
        let costBudget: Double?
        let costSpent: Double
        let iteration: Int
        let tokensSpent: Int
        /// Build seconds spent before the pause (pauses not counted).
        let secondsSpent: Double
        let fencing: Int64
        let creator: Principal

        init(row: PostgresRow, tenant: UUID) throws {
            status = try row.decode("status")
            cap = try row.decode("budget_cap", as: String?.self).flatMap(BudgetCap.init(rawValue:))
            detail = try row.decode("budget_detail")
            caps = [.iterations: try row.decode("max_iterations"), .tokens: try row.decode("token_budget"), .time: try row.decode("timeout_seconds")]
            costBudget = try row.decode("cost_budget_usd")
            costSpent = try row.decode("cost_usd")
            iteration = try row.decode("iteration")
            tokensSpent = try row.decode("tokens_spent")
            secondsSpent = try row.decode("seconds_spent")
            fencing = try row.decode("paused_fencing")
            creator = Principal(userID: try row.decode("created_by"), tenantID: tenant, role: Role(rawValue: try row.decode("created_by_role")) ?? .owner)
        }

        static func lock(_ id: UUID, tenant: UUID, on session: PostgresSession) async throws -> PausedRun? {
            try await session.query("""
                SELECT status, budget_cap, budget_detail, max_iterations, token_budget, timeout_seconds, cost_budget_usd, cost_usd, iteration, tokens_spent,
                       paused_fencing, created_by, created_by_role,
                       coalesce(extract(epoch FROM coalesce(paused_at, clock_timestamp()) - started_at)::float8 - paused_seconds, 0) AS seconds_spent
                FROM runs WHERE id = \(id) FOR UPDATE
                """).first.map { try PausedRun(row: $0, tenant: tenant) }
        }

        /// INVALID_ARGUMENT naming the field unless `request` raises `cap`, the one the run waits
        /// for, enough for it to go on: one more evaluation, one more agent call's token ceiling
        /// beyond the tokens spent, more seconds than spent building, a cost budget above the
        /// cost spent.
        func checkRaised(_ cap: BudgetCap, by request: ExtendRunRequest, stepTokenCeiling: Int) throws {
            if cap == .cost {
                guard let raised = request.costBudgetUSD else {
                    throw WireError.invalidArgument(field: cap.field, "the run waits for its cost cap: raise \(cap.field)")
                }
                guard raised > costSpent else {
                    throw WireError.invalidArgument(field: cap.field, "must be more than the \(costSpent) USD its agent calls cost for the run to go on")
                }
                return
            }
            guard let raised = request.value(for: cap) else {
                throw WireError.invalidArgument(field: cap.field, "the run waits for its \(cap.rawValue) cap: raise \(cap.field)")
            }
            let least = switch cap {
            case .iterations: iteration + 1
            case .tokens: tokensSpent + stepTokenCeiling
            case .time, .cost, .monthlyTokens, .monthlyCost: Int(secondsSpent.rounded(.up)) + Int(RunBuild.minimumStepTime)
            }
            guard raised >= least else {
                let why = switch cap {
                case .iterations: "one more evaluation after the \(iteration) used"
                case .tokens: "one more agent call's token ceiling (\(stepTokenCeiling)) after the \(tokensSpent) tokens spent"
                case .time, .cost, .monthlyTokens, .monthlyCost: "more time than the \(Int(secondsSpent)) s already spent building"
                }
                throw WireError.invalidArgument(field: cap.field, "must be at least \(least) for the run to go on: \(why)")
            }
        }
    }

    /// Raises the caps of a run paused at a budget (`POST /runs/{id}/extend`): the run is queued
    /// again with its new caps, its pause ends (the time it lasted does not count against the
    /// time cap), with audit `run.extend` and `run.extended`, in one transaction. NOT_FOUND for an
    /// unknown run, FAILED_PRECONDITION for one that is not paused, INVALID_ARGUMENT naming the
    /// field for a cap lowered, or for the cap the run waits for left out or raised too little
    /// to go on (one more evaluation, one more agent call's token ceiling, one more second).
    func extend(_ id: UUID, with request: ExtendRunRequest, stepTokenCeiling: Int, by principal: Principal) async throws -> RenderedRow {
        try await pool.withTenant(principal.tenantID) { session in
            guard let run = try await PausedRun.lock(id, tenant: principal.tenantID, on: session) else {
                throw WireError.notFound("run", id: id.lowercaseText)
            }
            guard run.status == .awaitingBudget, let waitingFor = run.cap else {
                throw WireError(.failedPrecondition, "run \(id.lowercaseText) is \(run.status.rawValue); only a run paused at a cap (awaiting_budget) can be extended")
            }
            guard !waitingFor.isMonthly else {
                throw WireError(.failedPrecondition, "run \(id.lowercaseText) waits for its tenant's monthly budget (\(waitingFor.field)): raise it with PUT /api/meta/v2/budget, or wait for the month to turn")
            }
            var caps = run.caps
            for cap in BudgetCap.runCaps {
                guard let value = request.value(for: cap) else { continue }
                guard value >= run.caps[cap]! else {
                    throw WireError.invalidArgument(field: cap.field, "must not be lower than the run's cap of \(run.caps[cap]!)")
                }
                caps[cap] = value
            }
            var costBudget = run.costBudget
            if let value = request.costBudgetUSD {
                guard let current = run.costBudget else {
                    throw WireError.invalidArgument(field: BudgetCap.cost.field, "the run has no cost budget to raise")
                }
                guard value >= current else {
                    throw WireError.invalidArgument(field: BudgetCap.cost.field, "must not be lower than the run's cost budget of \(current) USD")
                }
                costBudget = value
            }
            try run.checkRaised(waitingFor, by: request, stepTokenCeiling: stepTokenCeiling)
            try await session.execute("""
                UPDATE runs SET max_iterations = \(caps[.iterations]!), token_budget = \(caps[.tokens]!), timeout_seconds = \(caps[.time]!),
                    cost_budget_usd = \(costBudget), extensions = extensions + 1
                WHERE id = \(id)
                """)
            try await AuditLog.record("run.extend", resourceType: "run", resourceID: id.lowercaseText, by: principal, details: .object([
                "cap": .string(waitingFor.rawValue), "from": Self.json(run.caps, cost: run.costBudget), "to": Self.json(caps, cost: costBudget),
            ]), on: session)
            try await Self.requeue(id, run, tenant: principal.tenantID, caps: caps, cost: costBudget, on: session)
            return try await session.query("SELECT \(RunView.detail) FROM runs WHERE id = \(id)", as: RenderedRow.self)[0]
        }
    }

    /// Queues again the runs of a tenant paused at a monthly budget (all of them, or those of one
    /// cap), in the caller's transaction: after its budget was raised, or once the month turned.
    /// Each goes on from its last finished step, and checks the budget again before its next call.
    static func resumeMonthlyPauses(tenant: UUID, on session: PostgresSession) async throws -> Int {
        let rows = try await session.query("""
            SELECT id FROM runs WHERE status = 'awaiting_budget' AND budget_cap IN ('monthly_tokens', 'monthly_cost') ORDER BY paused_at FOR UPDATE
            """)
        for row in rows {
            let id: UUID = try row.decode("id")
            guard let run = try await PausedRun.lock(id, tenant: tenant, on: session) else { continue }
            try await requeue(id, run, tenant: tenant, caps: run.caps, cost: run.costBudget, on: session)
        }
        return rows.count
    }

    /// Ends a run's pause and queues it again with `caps` and cost budget `cost` (its pause added
    /// to `paused_seconds`, its queue row continuing the fencing numbers of the claim that paused
    /// it), with `run.extended`.
    private static func requeue(_ id: UUID, _ run: PausedRun, tenant: UUID, caps: [BudgetCap: Int], cost: Double?, on session: PostgresSession) async throws {
        try await session.execute("""
            UPDATE runs SET status = 'queued', budget_cap = NULL, budget_detail = NULL,
                paused_seconds = paused_seconds + extract(epoch FROM clock_timestamp() - paused_at)::float8, paused_at = NULL,
                updated_at = clock_timestamp()
            WHERE id = \(id)
            """)
        try await BudgetPauses.remove(id, on: session)
        try await RunQueue.enqueue(id, tenant: tenant, fencingFrom: run.fencing, on: session)
        try await RunEvents.append(.extended, run: id, tenant: tenant, data: [
            "status": .string(RunStatus.queued.rawValue), "cap": .string(run.cap?.rawValue ?? ""), "caps": json(caps, cost: cost),
        ], on: session)
    }

    /// A run's caps as the API writes them (`max_iterations`, `token_budget`, `timeout_s`,
    /// `cost_budget_usd`, null for none).
    private static func json(_ caps: [BudgetCap: Int], cost: Double?) -> JSONValue {
        var fields = Dictionary(uniqueKeysWithValues: caps.map { ($0.key.field, JSONValue.number(Double($0.value))) })
        fields[BudgetCap.cost.field] = cost.map(JSONValue.number) ?? .null
        return .object(fields)
    }

    /// Ends a run whose pause expired without an extension: `failed` with its cap's reason, with
    /// audit `run.budget_expired` and `run.failed`, in one transaction; the run's creator (whose
    /// sandbox is then removed) and the reason, or nil when another sweeper, an extension or a
    /// cancel came first.
    func expirePause(_ id: UUID, tenant: UUID) async throws -> (creator: Principal, reason: RunJournal.FailureReason)? {
        try await pool.withTenant(tenant, deadline: .after(.seconds(15))) { session in
            guard let run = try await PausedRun.lock(id, tenant: tenant, on: session), run.status == .awaitingBudget, let cap = run.cap,
                  try await BudgetPauses.takeExpired(id, on: session) else { return nil }
            let detail = "\(run.detail ?? "the run reached its \(cap.rawValue) cap"); no one raised \(cap.field) before its pause expired"
            let reason = cap.failureReason
            try await session.execute("""
                UPDATE runs SET status = 'failed', failure_reason = \(reason.rawValue), failure_detail = \(detail), budget_cap = NULL,
                    budget_detail = NULL, paused_seconds = paused_seconds + extract(epoch FROM clock_timestamp() - paused_at)::float8,
                    paused_at = NULL, finished_at = clock_timestamp(), updated_at = clock_timestamp()
                WHERE id = \(id)
                """)
            let actor = Principal(userID: "service:run-service", tenantID: tenant, role: run.creator.role, callingService: "run-service")
            try await AuditLog.record("run.budget_expired", resourceType: "run", resourceID: id.lowercaseText, by: actor, details: .object([
                "cap": .string(cap.rawValue), "reason": .string(reason.rawValue),
            ]), on: session)
            try await RunEvents.append(.failed, run: id, tenant: tenant, data: [
                "status": .string(RunStatus.failed.rawValue), "reason": .string(reason.rawValue), "detail": .string(detail),
                "tokens_spent": .number(Double(run.tokensSpent)),
            ], on: session)
            return (run.creator, reason)
        }
    }
}
