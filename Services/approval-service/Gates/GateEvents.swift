import Foundation
import Shared

/// The events the approval-service publishes (through the outbox, in the transaction of the
/// change). They carry ids, states and figures, never PII: no comments, and `decided_by` is
/// the deciding user's id with anything that looks like an e-mail address or phone number redacted.
enum GateEvents {
    static let source = "/meta-builder/approval-service"

    /// `approval.requested`: a gate was opened for a run's iteration.
    static func requested(gate: UUID, draft: GateDraft, requiredApprovals: Int, expiresAt: String, tenant: UUID) -> CloudEvent {
        CloudEvent(source: source, type: "approval.requested", subject: "gates/\(gate.lowercaseText)", tenantID: tenant, data: .object([
            "gate_id": .string(gate.lowercaseText),
            "run_id": .string(draft.runID.lowercaseText),
            "iteration": .number(Double(draft.iteration)),
            "risk_score": .number(Double(draft.risk.score)),
            "rollback": .string(draft.rollback.status.rawValue),
            "required_approvals": .number(Double(requiredApprovals)),
            "expires_at": .string(expiresAt),
        ]))
    }

    /// `approval.decided`: a gate was approved, rejected by a reviewer (`reason: rejected`) or
    /// expired (`decision: rejected`, `reason: expired`).
    static func decided(gate: UUID, run: UUID, iteration: Int, status: GateStatus, decidedBy: String, tenant: UUID) -> CloudEvent {
        var data: [String: JSONValue] = [
            "gate_id": .string(gate.lowercaseText),
            "run_id": .string(run.lowercaseText),
            "iteration": .number(Double(iteration)),
            "decision": .string(status == .approved ? "approved" : "rejected"),
            "decided_by": .string(Redactor.redact(decidedBy)),
        ]
        if status != .approved { data["reason"] = .string(status == .expired ? "expired" : "rejected") }
        return CloudEvent(source: source, type: "approval.decided", subject: "gates/\(gate.lowercaseText)", tenantID: tenant, data: .object(data))
    }
}
