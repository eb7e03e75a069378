import Foundation
import Shared

extension RunRepository {
    /// Inserts a queued replay of run `source` in the caller's transaction — its plan copy, caps,
    /// provider, base repository and injected fault, with `replay_of` — with its queue entry,
    /// audit record and `run.started`; the run as the API writes it. NOT_FOUND for an unknown run,
    /// FAILED_PRECONDITION for one that did not finish its loop (succeeded, rejected, or waiting for
    /// approval: a person may check that what they are asked to approve reproduces).
    func createReplay(of source: UUID, by principal: Principal, on session: PostgresSession) async throws -> String {
        guard let row = try await session.query("SELECT status, spec_id, plan_id FROM runs WHERE id = \(source)").first else {
            throw WireError.notFound("run", id: source.lowercaseText)
        }
        let status: RunStatus = try row.decode("status")
        guard [.succeeded, .rejected, .awaitingApproval].contains(status) else {
            throw WireError(.failedPrecondition, "run \(source.lowercaseText) is \(status.rawValue); only a run that finished its loop (succeeded, rejected or awaiting approval) has a recording to replay")
        }
        let id = UUID()
        let rows = try await session.query("""
            INSERT INTO runs (id, tenant_id, spec_id, plan_id, plan_version, plan, plan_risk_score, max_iterations, token_budget,
                              timeout_seconds, cost_budget_usd, provider, base_repository, fault, approval_threshold, created_by, created_by_role, replay_of)
            SELECT \(id), tenant_id, spec_id, plan_id, plan_version, plan, plan_risk_score, max_iterations, token_budget,
                   timeout_seconds, cost_budget_usd, provider, base_repository, fault, approval_threshold, \(principal.userID), \(principal.role.rawValue), id
            FROM runs WHERE id = \(source)
            RETURNING \(RunView.detail)
            """, as: RenderedRow.self)
        try await RunQueue.enqueue(id, tenant: principal.tenantID, on: session)
        let specID: UUID = try row.decode("spec_id")
        let planID: UUID = try row.decode("plan_id")
        try await AuditLog.record("run.start", resourceType: "run", resourceID: id.lowercaseText, by: principal, details: .object([
            "spec_id": .string(specID.lowercaseText), "plan_id": .string(planID.lowercaseText), "replay_of": .string(source.lowercaseText),
        ]), on: session)
        try await RunEvents.append(.started, run: id, tenant: principal.tenantID, data: [
            "spec_id": .string(specID.lowercaseText), "plan_id": .string(planID.lowercaseText), "status": .string(RunStatus.queued.rawValue),
            "replay_of": .string(source.lowercaseText),
        ], on: session)
        return rows[0].json
    }
}
