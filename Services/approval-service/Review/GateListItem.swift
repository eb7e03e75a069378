/// A gate of `GET /approvals` (`GateView.summary`) as the list of the review page shows it.
struct GateListItem: Decodable, Sendable {
    /// The rollback evidence's status.
    struct Evidence: Decodable, Sendable {
        var status: String
    }

    var runID: String
    var iteration: Int
    var status: String
    var riskScore: Int
    var approvals: Int
    var requiredApprovals: Int
    var evidence: Evidence
    var expiresAt: String
    var title: String?
    var decidedBy: String?
    var decidedAt: String?

    enum CodingKeys: String, CodingKey {
        case iteration, status, approvals, title
        case runID = "run_id"
        case riskScore = "risk_score"
        case requiredApprovals = "required_approvals"
        case evidence = "rollback"
        case expiresAt = "expires_at"
        case decidedBy = "decided_by"
        case decidedAt = "decided_at"
    }
}
