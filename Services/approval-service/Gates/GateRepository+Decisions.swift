import Foundation
import Shared

extension GateRepository {
    /// Records `decision` by `principal` on the gate of `run`'s latest iteration in the caller's
    /// tenant transaction, under `DecisionRules`: the decision row, the gate's new status (when
    /// the decision closes it: then also its expiry row removed and `approval.decided`), and the
    /// audit record, all in that transaction. Returns the gate as `GET /approvals/{id}` writes it.
    /// NOT_FOUND when the run has no gate (or is another tenant's).
    func decide(_ decision: Decision, comment: String?, run: UUID, by principal: Principal, on session: PostgresSession) async throws -> String {
        guard let row = try await session.query("""
            SELECT id, iteration, status, required_approvals, self_approval_allowed, run_created_by, rollback ->> 'status' AS rollback_status,
                   \(RenderedRow.timestamp("expires_at")) AS expires_at, expires_at <= clock_timestamp() AS past_expiry
            FROM gates WHERE run_id = \(run) ORDER BY iteration DESC LIMIT 1 FOR UPDATE
            """).first else {
            throw WireError(.notFound, "run \(run.lowercaseText) has no approval gate")
        }
        let id: UUID = try row.decode("id")
        let iteration: Int = try row.decode("iteration")
        // Read after the lock: every decision committed before this one is seen.
        let earlier = try await session.query("SELECT actor, decision FROM decisions WHERE gate_id = \(id)")
        var decisions: [String: Decision] = [:]
        for decided in earlier {
            guard let kind = Decision(rawValue: try decided.decode("decision")) else { throw PostgresDecodingError(type: "Decision", column: "decision") }
            decisions[try decided.decode("actor")] = kind
        }
        let gate = DecisionRules.Gate(
            id: id, runID: run, status: try row.decode("status"), isPastExpiry: try row.decode("past_expiry"),
            expiresAt: try row.decode("expires_at"), requiredApprovals: try row.decode("required_approvals"),
            selfApprovalAllowed: try row.decode("self_approval_allowed"), runCreatedBy: try row.decode("run_created_by"),
            rollbackStatus: try row.decode("rollback_status"), decisions: decisions
        )
        let effect = try DecisionRules.apply(decision, by: principal.userID, to: gate)
        try await session.executeDeferred("""
            INSERT INTO decisions (id, tenant_id, gate_id, decision, actor, comment)
            VALUES (\(UUID()), \(principal.tenantID), \(id), \(decision.rawValue), \(principal.userID), \(comment))
            """)
        let approvals: Int
        switch effect {
        case .approved(let count), .pending(let count, _): approvals = count
        case .rejected: approvals = decisions.values.filter { $0 == .approve }.count
        }
        if effect.status != .pending {
            try await close(id, as: effect.status, on: session)
            try await Outbox.enqueue(GateEvents.decided(gate: id, run: run, iteration: iteration, status: effect.status, decidedBy: principal.userID, tenant: principal.tenantID), on: session)
        }
        try await AuditLog.record("approval.\(decision.rawValue)", resourceType: "gate", resourceID: id.lowercaseText, by: principal, details: .object([
            "run_id": .string(run.lowercaseText), "iteration": .number(Double(iteration)), "status": .string(effect.status.rawValue),
            "approvals": .number(Double(approvals)), "required_approvals": .number(Double(gate.requiredApprovals)),
        ]), on: session)
        return try await session.query("SELECT \(GateView.detail) FROM gates WHERE id = \(id)", as: GateRow.self)[0].json
    }

    /// Marks a locked pending gate decided (`approved`, `rejected` or `expired`) and removes its
    /// expiry row, in the caller's transaction (deferred: the statements travel with the next).
    func close(_ id: UUID, as status: GateStatus, on session: PostgresSession) async throws {
        let reason: String? = switch status {
        case .rejected, .expired: status.rawValue
        case .approved, .pending: nil
        }
        try await session.executeDeferred("""
            UPDATE gates SET status = \(status), decided_at = clock_timestamp(), decision_reason = \(reason) WHERE id = \(id)
            """)
        try await session.executeDeferred("DELETE FROM gate_expiries WHERE gate_id = \(id)")
    }
}
