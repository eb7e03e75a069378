import Shared

/// A gate as `GET /approvals/{id}` writes it (`GateView.detail`), read back for the review page.
struct ReviewedGate: Decodable, Sendable {
    /// One reviewer's decision.
    struct DecisionEntry: Decodable, Sendable {
        var decision: String
        var actor: String
        var comment: String?
        var createdAt: String

        enum CodingKeys: String, CodingKey {
            case decision, actor, comment
            case createdAt = "created_at"
        }
    }

    var id: String
    var runID: String
    var specID: String
    var iteration: Int
    var status: GateStatus
    var riskScore: Int
    var requiredApprovals: Int
    var approvals: Int
    var selfApprovalAllowed: Bool
    var rollback: RollbackEvidence
    var runCreatedBy: String
    var expiresAt: String
    var createdAt: String
    var decisionReason: String?
    var decidedAt: String?
    var decidedBy: String?
    var risk: GateRisk
    var diffSummary: DiffSummary
    var evalSummary: GateEvalSummary
    var rollbackPlan: RollbackPlan
    var decisions: [DecisionEntry]
    var pullRequest: PullRequestBody?

    enum CodingKeys: String, CodingKey {
        case id, iteration, status, approvals, rollback, risk, decisions
        case runID = "run_id"
        case specID = "spec_id"
        case riskScore = "risk_score"
        case requiredApprovals = "required_approvals"
        case selfApprovalAllowed = "self_approval_allowed"
        case runCreatedBy = "run_created_by"
        case expiresAt = "expires_at"
        case createdAt = "created_at"
        case decisionReason = "decision_reason"
        case decidedAt = "decided_at"
        case decidedBy = "decided_by"
        case diffSummary = "diff_summary"
        case evalSummary = "eval_summary"
        case rollbackPlan = "rollback_plan"
        case pullRequest = "pull_request"
    }
}
