import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Makes sure no run waits for a decision that was made: every few seconds it asks the
/// approval-service about the runs waiting longest since they were last checked (read across
/// tenants from `run_approvals_pending`, which holds no tenant data), acting for each run's
/// creator, and applies what it finds — a lost `approval.decided` message delays a decision by
/// seconds, never loses it. A run with no gate yet (its request and event were both lost) asks
/// for one again. Starts once the migrations ran.
struct ApprovalReconciler: Service {
    let pool: PostgresPool
    let approvals: RunApprovals
    let client: ApprovalClient
    let gate: StartupGate
    let interval: Duration
    let logger: Logger

    /// Runs looked at per round.
    static let batchSize = 50

    func run() async throws {
        guard await gate.waitUntilOpen() else { return }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await reconcileOnce()
            } catch {
                logger.warning("approval reconciliation failed", metadata: ["error": "\(error)"])
            }
            // The wait ends at once on graceful shutdown (the interval may be an hour).
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }

    /// One round: the waiting runs least recently checked.
    func reconcileOnce() async throws {
        let waiting = try await pool.work("""
            UPDATE run_approvals_pending SET checked_at = clock_timestamp()
            WHERE run_id IN (
                SELECT run_id FROM run_approvals_pending
                WHERE checked_at IS NULL OR checked_at < clock_timestamp() - \(Self.seconds(interval)) * interval '1 second'
                ORDER BY checked_at NULLS FIRST, since LIMIT \(Self.batchSize)
                FOR UPDATE SKIP LOCKED)
            RETURNING run_id, tenant_id
            """, deadline: .after(.seconds(15)))
        for row in waiting {
            let run: UUID = try row.decode("run_id")
            let tenant: UUID = try row.decode("tenant_id")
            do {
                try await reconcile(run, tenant: tenant)
            } catch {
                logger.warning("could not reconcile a run waiting for approval", metadata: ["run.id": "\(run.lowercaseText)", "error": "\(error)"])
            }
        }
    }

    private func reconcile(_ run: UUID, tenant: UUID) async throws {
        guard let waiting = try await pool.batch(tenant: tenant, deadline: .after(.seconds(15)), [
            "SELECT iteration, created_by, created_by_role FROM runs WHERE id = \(run) AND status = 'awaiting_approval'",
        ])[0].first else { return }
        let iteration: Int = try waiting.decode("iteration")
        let creator = Principal(userID: try waiting.decode("created_by"), tenantID: tenant, role: Role(rawValue: try waiting.decode("created_by_role")) ?? .owner)
        try await RequestScope.$current.withValue(RequestScope(deadline: .after(.seconds(15)), principal: creator)) {
            let gates = try await client.gates(of: run).filter { $0.iteration == iteration }
            guard let gate = gates.first else {
                try await client.requestGate(run: run, iteration: iteration)
                return
            }
            if let decision = ApprovalDecision(gate: gate, run: run, tenant: tenant) {
                try await approvals.apply(decision, from: .reconciler)
            }
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
