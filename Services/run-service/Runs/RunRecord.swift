import Foundation
import Shared

/// A run as the build loop reads it: what it builds, its caps and ledger, where it stands.
struct RunRecord: Sendable, PostgresRowDecodable {
    let id: UUID
    let tenantID: UUID
    let specID: UUID
    let planID: UUID
    /// The copy of the plan the run builds, as the spec-service wrote it.
    let plan: JSONValue
    let planRiskScore: Int
    let status: RunStatus
    let iteration: Int
    let maxIterations: Int
    let tokenBudget: Int
    let tokensSpent: Int
    let tokensReserved: Int
    let timeoutSeconds: Int
    /// The run's own cost budget (USD); nil: none.
    let costBudgetUSD: Double?
    /// What its agent calls cost so far (USD).
    let costUSD: Double
    let provider: String?
    let baseRepository: String?
    let fault: String?
    let approvalThreshold: Int
    let fingerprint: RunFingerprint?
    /// When a worker first claimed the run (caps count from there), nil before.
    let startedAt: Date?
    /// Seconds the run spent paused at a budget before now: not counted against its time cap.
    let pausedSeconds: Double
    let createdBy: String
    let createdByRole: Role
    /// The approval decision, once the run's gate was decided.
    let approval: ApprovalDecision.Outcome?
    /// The ended run this run replays, if it is a replay.
    let replayOf: UUID?

    /// The columns `init(row:)` reads.
    static let columns: SQL = """
        id, tenant_id, spec_id, plan_id, plan::text AS plan, plan_risk_score, status, iteration, max_iterations,
        token_budget, tokens_spent, tokens_reserved, timeout_seconds, cost_budget_usd, cost_usd, provider, base_repository, fault,
        approval_threshold, fingerprint::text AS fingerprint, started_at, paused_seconds, created_by, created_by_role,
        approval, replay_of
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        tenantID = try row.decode("tenant_id")
        specID = try row.decode("spec_id")
        planID = try row.decode("plan_id")
        plan = try row.decode("plan", as: JSONText.self).decode(JSONValue.self)
        planRiskScore = try row.decode("plan_risk_score")
        status = try row.decode("status")
        iteration = try row.decode("iteration")
        maxIterations = try row.decode("max_iterations")
        tokenBudget = try row.decode("token_budget")
        tokensSpent = try row.decode("tokens_spent")
        tokensReserved = try row.decode("tokens_reserved")
        timeoutSeconds = try row.decode("timeout_seconds")
        costBudgetUSD = try row.decode("cost_budget_usd")
        costUSD = try row.decode("cost_usd")
        provider = try row.decode("provider")
        baseRepository = try row.decode("base_repository")
        fault = try row.decode("fault")
        approvalThreshold = try row.decode("approval_threshold")
        fingerprint = try row.decode("fingerprint", as: JSONText?.self).map { try $0.decode(RunFingerprint.self) }
        startedAt = try row.decode("started_at")
        pausedSeconds = try row.decode("paused_seconds")
        createdBy = try row.decode("created_by")
        guard let role = Role(rawValue: try row.decode("created_by_role")) else {
            throw PostgresDecodingError(type: "Role", column: "created_by_role")
        }
        createdByRole = role
        approval = try row.decode("approval", as: String?.self).flatMap(ApprovalDecision.Outcome.init(rawValue:))
        replayOf = try row.decode("replay_of")
    }

    /// The principal background work acts for: the run's creator in the run's tenant.
    var creator: Principal { Principal(userID: createdBy, tenantID: tenantID, role: createdByRole) }

    /// The run's time cap, counted from its first claim, less the time it spent paused.
    func deadline(startedAt start: Date) -> Date { start.addingTimeInterval(TimeInterval(timeoutSeconds) + pausedSeconds) }
}
