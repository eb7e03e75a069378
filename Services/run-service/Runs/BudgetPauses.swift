import Foundation
import Shared

/// `run_budget_pauses`: the runs paused at a cap and when each pause expires. The table holds no
/// tenant data (ids, tenant id, times), so the expiry sweeper reads it across tenants as
/// background work; a tenant's transaction writes its own rows.
enum BudgetPauses {
    /// Records a run's pause at `cap`, in the transaction that pauses it.
    static func record(_ run: UUID, tenant: UUID, cap: BudgetCap, lasting pause: Duration, on session: PostgresSession) async throws {
        try await session.executeDeferred("""
            INSERT INTO run_budget_pauses (run_id, tenant_id, cap, expires_at)
            VALUES (\(run), \(tenant), \(cap), clock_timestamp() + \(Int(pause.components.seconds)) * interval '1 second')
            ON CONFLICT (run_id) DO UPDATE SET since = clock_timestamp(), cap = EXCLUDED.cap, expires_at = EXCLUDED.expires_at
            """)
    }

    /// Removes a run's pause, in the transaction that extends or ends it; true when there was one.
    @discardableResult
    static func remove(_ run: UUID, on session: PostgresSession) async throws -> Bool {
        try await !session.query("DELETE FROM run_budget_pauses WHERE run_id = \(run) RETURNING run_id").isEmpty
    }

    /// Removes a run's pause if it has expired, in the transaction that ends the run; true when
    /// this transaction took it (a concurrent sweeper or extension finds it gone).
    static func takeExpired(_ run: UUID, on session: PostgresSession) async throws -> Bool {
        try await !session.query("""
            DELETE FROM run_budget_pauses WHERE run_id = \(run) AND expires_at <= clock_timestamp() RETURNING run_id
            """).isEmpty
    }

    /// The tenants with runs paused at a monthly budget since before this month (UTC) began:
    /// their runs go on in the new month (background work).
    static func tenantsPausedLastMonth(on pool: PostgresPool, limit: Int) async throws -> [UUID] {
        try await pool.work("""
            SELECT DISTINCT tenant_id FROM run_budget_pauses
            WHERE cap IN ('monthly_tokens', 'monthly_cost') AND since < date_trunc('month', clock_timestamp() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
            LIMIT \(limit)
            """, deadline: .after(.seconds(15))).map { try $0.decode("tenant_id") }
    }

    /// Up to `limit` expired pauses of any tenant, the longest expired first (background work).
    static func expired(on pool: PostgresPool, limit: Int) async throws -> [(run: UUID, tenant: UUID)] {
        try await pool.work("""
            SELECT run_id, tenant_id FROM run_budget_pauses WHERE expires_at <= clock_timestamp() ORDER BY expires_at LIMIT \(limit)
            """, deadline: .after(.seconds(15))).map { (try $0.decode("run_id"), try $0.decode("tenant_id")) }
    }
}
