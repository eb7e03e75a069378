import Foundation
import Shared

extension GateRepository {
    /// A pending gate whose time is up, as `gate_expiries` names it (no tenant data).
    struct DueExpiry: Sendable, Equatable {
        let gate: UUID
        let tenant: UUID
    }

    /// Up to `limit` gates of any tenant whose expiry has passed, oldest first, read from the
    /// table that holds only gate id, tenant id and expiry (outside any tenant scope).
    func dueExpiries(limit: Int) async throws -> [DueExpiry] {
        try await pool.work(
            "SELECT gate_id, tenant_id FROM gate_expiries WHERE expires_at <= clock_timestamp() ORDER BY expires_at LIMIT \(limit)",
            deadline: .after(.seconds(15))
        ).map { DueExpiry(gate: try $0.decode("gate_id"), tenant: try $0.decode("tenant_id")) }
    }

    /// Closes a due gate as `expired` inside its tenant's transaction: the gate (locked, still
    /// pending and past its expiry on the database's clock, else nothing happens), a `reject`
    /// decision by the service, its expiry row removed, the audit record and `approval.decided`
    /// (`decision: rejected`, `reason: expired`). A gate a decision holds right now is skipped
    /// (the next sweep looks again). Returns whether it expired the gate.
    func expire(_ due: DueExpiry) async throws -> Bool {
        try await pool.withTenant(due.tenant, deadline: .after(.seconds(15))) { session in
            guard let row = try await session.query("""
                SELECT run_id, iteration, \(RenderedRow.timestamp("expires_at")) AS expires_at FROM gates
                WHERE id = \(due.gate) AND status = 'pending' AND expires_at <= clock_timestamp()
                FOR UPDATE SKIP LOCKED
                """).first else { return false }
            let run: UUID = try row.decode("run_id")
            let iteration: Int = try row.decode("iteration")
            let expiresAt: String = try row.decode("expires_at")
            let service = Self.service(tenant: due.tenant)
            try await session.executeDeferred("""
                INSERT INTO decisions (id, tenant_id, gate_id, decision, actor, comment)
                VALUES (\(UUID()), \(due.tenant), \(due.gate), 'reject', \(Self.serviceActor), \("expired: no decision before \(expiresAt)"))
                """)
            try await close(due.gate, as: .expired, on: session)
            try await AuditLog.record("approval.expire", resourceType: "gate", resourceID: due.gate.lowercaseText, by: service, details: .object([
                "run_id": .string(run.lowercaseText), "iteration": .number(Double(iteration)), "status": .string(GateStatus.expired.rawValue),
                "expires_at": .string(expiresAt),
            ]), on: session)
            try await Outbox.enqueue(GateEvents.decided(gate: due.gate, run: run, iteration: iteration, status: .expired, decidedBy: Self.serviceActor, tenant: due.tenant), on: session)
            return true
        }
    }
}
