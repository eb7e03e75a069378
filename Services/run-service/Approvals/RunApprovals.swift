import Foundation
import Logging
import Shared

/// What the run-service does with approval decisions. An approved run goes back on the queue: a
/// worker replays its finished steps and finalizes it. A rejected run ends `rejected` with
/// `run.rejected`, and its rollback runs on its preview resources (sandbox and preview schema
/// removed; nothing was published, since artifacts are only made when finalizing) and is
/// recorded on the run. A decision is applied once: a run no longer waiting ignores it, so the
/// event and the reconciler may both deliver the same one.
struct RunApprovals: Sendable {
    let pool: PostgresPool
    let loop: BuildLoop
    let metrics: RunMetrics
    let logger: Logger

    /// The path that delivered a decision.
    enum Source: String, Sendable, CaseIterable {
        /// The `approval.decided` message on Redis.
        case event
        /// The `ApprovalReconciler`, which read the gate from the approval-service: the message
        /// was lost, or not applied yet.
        case reconciler
    }

    /// What applying a decision did.
    enum Applied: Equatable {
        case approved, rejected
        /// The run does not wait for this decision (unknown, decided already, or another iteration).
        case ignored
    }

    /// Marks a run as waiting for a decision, in the transaction that parks it.
    static func markWaiting(_ run: UUID, tenant: UUID, on session: PostgresSession) async throws {
        try await session.executeDeferred("""
            INSERT INTO run_approvals_pending (run_id, tenant_id) VALUES (\(run), \(tenant)) ON CONFLICT (run_id) DO NOTHING
            """)
    }

    /// Applies `decision`, delivered by `source`, to its run; counted and logged by source when
    /// it changed the run.
    @discardableResult
    func apply(_ decision: ApprovalDecision, from source: Source) async throws -> Applied {
        let outcome = try await pool.withTenant(decision.tenantID, deadline: .after(.seconds(15))) { session -> (Applied, Principal?) in
            guard let row = try await session.query("""
                SELECT status, iteration, approval, created_by, created_by_role FROM runs WHERE id = \(decision.runID) FOR UPDATE
                """).first else { return (.ignored, nil) }
            let status: RunStatus = try row.decode("status")
            // An approved run waits in its state until a worker takes it up again: a decision
            // delivered twice (the event, its redelivery, the reconciler) applies once.
            guard status == .awaitingApproval, try row.decode("approval", as: String?.self) == nil,
                  try row.decode("iteration", as: Int.self) == decision.iteration else { return (.ignored, nil) }
            let creator = Principal(
                userID: try row.decode("created_by"), tenantID: decision.tenantID,
                role: Role(rawValue: try row.decode("created_by_role")) ?? .owner
            )
            try await session.execute("DELETE FROM run_approvals_pending WHERE run_id = \(decision.runID)")
            let actor = Principal(userID: decision.decidedBy ?? "service:approval-service", tenantID: decision.tenantID, role: creator.role, callingService: "approval-service")
            let details: JSONValue = .object([
                "gate_id": .string(decision.gateID.lowercaseText), "iteration": .number(Double(decision.iteration)),
                "reason": decision.reason.map(JSONValue.string) ?? .null,
            ])
            switch decision.outcome {
            case .approved:
                try await session.execute("""
                    UPDATE runs SET approval = 'approved', gate_id = \(decision.gateID), decided_by = \(decision.decidedBy),
                        decision_reason = \(decision.reason), updated_at = clock_timestamp()
                    WHERE id = \(decision.runID)
                    """)
                try await RunQueue.enqueue(decision.runID, tenant: decision.tenantID, on: session)
                try await AuditLog.record("run.approved", resourceType: "run", resourceID: decision.runID.lowercaseText, by: actor, details: details, on: session)
                return (.approved, creator)
            case .rejected:
                try await session.execute("""
                    UPDATE runs SET status = 'rejected', approval = 'rejected', gate_id = \(decision.gateID), decided_by = \(decision.decidedBy),
                        decision_reason = \(decision.reason), finished_at = clock_timestamp(), updated_at = clock_timestamp()
                    WHERE id = \(decision.runID)
                    """)
                try await AuditLog.record("run.rejected", resourceType: "run", resourceID: decision.runID.lowercaseText, by: actor, details: details, on: session)
                try await RunEvents.append(.rejected, run: decision.runID, tenant: decision.tenantID, data: [
                    "status": .string(RunStatus.rejected.rawValue), "gate_id": .string(decision.gateID.lowercaseText),
                    "reason": decision.reason.map(JSONValue.string) ?? .null,
                ], on: session)
                return (.rejected, creator)
            }
        }
        if outcome.0 == .rejected, let creator = outcome.1 {
            try await rollBack(decision.runID, creator: creator)
        }
        if outcome.0 != .ignored {
            metrics.decisionsApplied[source]?.increment()
            logger.info("applied an approval decision", metadata: [
                "run.id": "\(decision.runID.lowercaseText)", "approval.outcome": "\(outcome.0)", "approval.source": "\(source.rawValue)",
            ])
        }
        return outcome.0
    }

    /// The rollback of a rejected run: its preview resources are removed and what was removed
    /// is recorded on the run.
    private func rollBack(_ run: UUID, creator: Principal) async throws {
        let cleaned = await loop.cleanSandbox(run, creator: creator, failed: false)
        let record: JSONValue = .object([
            "sandbox": cleaned ?? .object(["error": .string("the agent-service could not be reached; the sandbox may remain")]),
            "artifacts_published": .bool(false),
        ])
        _ = try await pool.withTenant(creator.tenantID, deadline: .after(.seconds(15))) { session in
            try await session.execute("UPDATE runs SET rollback = \(try JSONText(encoding: record))::jsonb WHERE id = \(run)")
        }
    }
}
