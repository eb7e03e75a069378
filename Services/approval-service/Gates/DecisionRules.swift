import Foundation
import Shared

/// The rules a reviewer's decision on a gate must pass, and what it does to the gate — pure, so
/// they are tested without I/O. The repository applies them to the gate it locked.
enum DecisionRules {
    /// A gate as the rules see it.
    struct Gate: Sendable, Equatable {
        var id: UUID
        var runID: UUID
        var status: GateStatus
        /// Whether `expiresAt` has passed on the database's clock (the sweeper has not closed it yet).
        var isPastExpiry: Bool
        /// When it expires, RFC 3339.
        var expiresAt: String
        var requiredApprovals: Int
        var selfApprovalAllowed: Bool
        var runCreatedBy: String
        /// `passed`, `failed` or `missing`.
        var rollbackStatus: String
        /// The decisions made so far, by actor.
        var decisions: [String: Decision]
    }

    /// What a decision that passes the rules does to the gate.
    enum Effect: Sendable, Equatable {
        /// The gate is approved: this was the last approval it needed.
        case approved(approvals: Int)
        /// The approval is recorded; the gate waits for `required - approvals` more.
        case pending(approvals: Int, required: Int)
        /// The gate is rejected.
        case rejected

        /// The gate's status after the decision.
        var status: GateStatus {
            switch self {
            case .approved: .approved
            case .pending: .pending
            case .rejected: .rejected
            }
        }
    }

    /// The effect of `decision` by `actor` on `gate`, or the error that refuses it:
    /// FAILED_PRECONDITION for a gate that is decided or past its expiry, ALREADY_EXISTS when the
    /// actor decided already, PERMISSION_DENIED for the creator approving their own run when the
    /// policy forbids it, FAILED_PRECONDITION for an approval without passing rollback evidence.
    static func apply(_ decision: Decision, by actor: String, to gate: Gate) throws -> Effect {
        let name = "the gate of run \(gate.runID.lowercaseText)"
        guard gate.status == .pending else {
            throw WireError(.failedPrecondition, "\(name) is already \(gate.status.rawValue); a decided gate takes no more decisions")
        }
        guard !gate.isPastExpiry else {
            throw WireError(.failedPrecondition, "\(name) expired at \(gate.expiresAt) without a decision; it is closed as rejected")
        }
        if let earlier = gate.decisions[actor] {
            throw WireError(.alreadyExists, "you already decided to \(earlier.rawValue) \(name); each reviewer decides once")
        }
        switch decision {
        case .reject:
            return .rejected
        case .approve:
            guard actor != gate.runCreatedBy || gate.selfApprovalAllowed else {
                throw WireError(.permissionDenied, "the run's creator may not approve their own run: the tenant's policy (self_approval_allowed: false) requires another reviewer")
            }
            guard gate.rollbackStatus == "passed" else {
                throw WireError(.failedPrecondition, "\(name) cannot be approved: its rollback evidence is '\(gate.rollbackStatus)' (the down and up migrations were not both verified); reject it instead")
            }
            let approvals = gate.decisions.values.filter { $0 == .approve }.count + 1
            return approvals >= gate.requiredApprovals ? .approved(approvals: approvals) : .pending(approvals: approvals, required: gate.requiredApprovals)
        }
    }
}
