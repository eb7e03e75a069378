import Foundation
import Shared

/// A decided gate, as the approval-service announces it (`approval.decided`) or reports it when
/// asked: which run and iteration, approved or rejected, why, by whom.
struct ApprovalDecision: Sendable, Equatable {
    /// How the gate was decided.
    enum Outcome: String, Sendable {
        case approved, rejected
    }

    let runID: UUID
    let tenantID: UUID
    let gateID: UUID
    let iteration: Int
    let outcome: Outcome
    /// `expired` for a gate nobody decided in time; nil otherwise.
    let reason: String?
    let decidedBy: String?

    /// The decision an `approval.decided` event carries; nil for an event that is not one.
    init?(event: CloudEvent) {
        guard event.type == "approval.decided",
              let tenant = event.tenantid.flatMap(UUID.init(text:)),
              let run = event.data["run_id"]?.stringValue.flatMap(UUID.init(text:)),
              let gate = event.data["gate_id"]?.stringValue.flatMap(UUID.init(text:)),
              case .number(let iteration) = event.data["iteration"],
              let outcome = event.data["decision"]?.stringValue.flatMap(Outcome.init(rawValue:))
        else { return nil }
        self.init(runID: run, tenantID: tenant, gateID: gate, iteration: Int(iteration), outcome: outcome,
                  reason: event.data["reason"]?.stringValue, decidedBy: event.data["decided_by"]?.stringValue)
    }

    /// A decision read back from the approval-service's gate (nil while it is pending).
    init?(gate: ApprovalClient.Gate, run: UUID, tenant: UUID) {
        let outcome: Outcome
        switch gate.status {
        case "approved": outcome = .approved
        case "rejected", "expired": outcome = .rejected
        default: return nil
        }
        self.init(runID: run, tenantID: tenant, gateID: gate.id.uuid, iteration: gate.iteration, outcome: outcome,
                  reason: gate.decisionReason ?? (gate.status == "expired" ? "expired" : nil), decidedBy: gate.decidedBy)
    }

    /// Creates a decision.
    init(runID: UUID, tenantID: UUID, gateID: UUID, iteration: Int, outcome: Outcome, reason: String?, decidedBy: String?) {
        self.runID = runID
        self.tenantID = tenantID
        self.gateID = gateID
        self.iteration = iteration
        self.outcome = outcome
        self.reason = reason
        self.decidedBy = decidedBy
    }
}
