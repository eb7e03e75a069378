import Foundation
import Shared

/// Everything a gate is opened with, gathered from the run-service and the spec-service; the
/// policy is added from the tenant's row or the defaults when it is stored.
struct GateDraft: Sendable {
    var runID: UUID
    var specID: UUID
    var planID: UUID
    var iteration: Int
    var risk: GateRisk
    var pullRequest: PullRequestBody?
    var diff: DiffSummary
    var evaluation: GateEvalSummary
    var rollback: RollbackEvidence
    var rollbackPlan: RollbackPlan
    var runCreatedBy: String
}
