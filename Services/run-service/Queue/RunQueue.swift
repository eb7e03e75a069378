import Foundation
import Shared

/// The run queue (`run_queue`): how any number of run-service instances share the runs.
///
/// The table holds no tenant data — ids, the tenant id, the lease and the fencing number — so a
/// worker claims across tenants as the platform's background work (`PostgresPool.work`, which
/// the table's row-level-security policy admits besides the run's own tenant), with a role that
/// has no BYPASSRLS; the run's work itself happens inside the run's tenant transactions. Leases run on
/// the database clock (`clock_timestamp()`), so the instances' clocks do not matter.
struct RunQueue: Sendable {
    let pool: PostgresPool
    /// This worker's name in claims (instance and worker).
    let owner: String
    /// How long a claim lasts without renewal.
    let leaseTTL: Duration

    /// The design's lease: 15 s, renewed every 5 s.
    static let defaultLeaseTTL: Duration = .seconds(15)

    /// How long one of the queue's own statements may take (a claim, a renewal, a release): a
    /// worker whose statement hangs — its connection or the database stuck — gets an error and
    /// tries again instead of waiting for ever, and a renewal never outlasts the lease it renews.
    static let statementTime: Duration = .seconds(5)

    init(pool: PostgresPool, owner: String, leaseTTL: Duration = RunQueue.defaultLeaseTTL) {
        self.pool = pool
        self.owner = owner
        self.leaseTTL = leaseTTL
    }

    /// Queues a run, in the transaction that creates it (or extends it after a pause: then its
    /// fencing numbers continue from `fencing`, the last claim's, so that claim stays stale).
    static func enqueue(_ runID: UUID, tenant: UUID, fencingFrom fencing: Int64 = 0, on session: PostgresSession) async throws {
        try await session.executeDeferred("INSERT INTO run_queue (run_id, tenant_id, fencing) VALUES (\(runID), \(tenant), \(fencing))")
    }

    /// Claims the longest-waiting run that is free or whose lease expired, bumping its fencing
    /// number; nil when there is none. Concurrent claimers never get the same run (`SKIP LOCKED`).
    func claim() async throws -> RunClaim? {
        let rows = try await statement("""
            UPDATE run_queue SET lease_owner = \(owner), lease_expires_at = \(leaseEnd), fencing = fencing + 1, claims = claims + 1
            WHERE run_id = (
                SELECT run_id FROM run_queue
                WHERE lease_expires_at IS NULL OR lease_expires_at <= clock_timestamp()
                ORDER BY enqueued_at, run_id
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING run_id, tenant_id, fencing, claims
            """)
        guard let row = rows.first else { return nil }
        return RunClaim(runID: try row.decode("run_id"), tenantID: try row.decode("tenant_id"), owner: owner, fencing: try row.decode("fencing"), claims: try row.decode("claims"))
    }

    /// Extends the lease; LostClaim when it expired or another worker claimed the run since.
    func renew(_ claim: RunClaim) async throws {
        let renewed = try await statement("""
            UPDATE run_queue SET lease_expires_at = \(leaseEnd)
            WHERE run_id = \(claim.runID) AND fencing = \(claim.fencing) AND lease_expires_at > clock_timestamp()
            RETURNING run_id
            """)
        guard !renewed.isEmpty else { throw LostClaim(runID: claim.runID) }
    }

    /// Checks, inside one of the run's transactions and before its writes, that the claim still
    /// holds, and keeps it held until that transaction ends: the queue row is share-locked, so a
    /// takeover waits for the transaction, and a worker whose lease expired writes nothing
    /// (LostClaim, and the caller's transaction rolls back).
    static func fence(_ claim: RunClaim, on session: PostgresSession) async throws {
        let held = try await session.query("""
            SELECT 1 FROM run_queue
            WHERE run_id = \(claim.runID) AND fencing = \(claim.fencing) AND lease_expires_at > clock_timestamp()
            FOR SHARE
            """)
        guard !held.isEmpty else { throw LostClaim(runID: claim.runID) }
    }

    /// Takes a run that ended off the queue, in the transaction that ends it (fenced first).
    static func remove(_ claim: RunClaim, on session: PostgresSession) async throws {
        try await session.executeDeferred("DELETE FROM run_queue WHERE run_id = \(claim.runID) AND fencing = \(claim.fencing)")
    }

    /// Gives a claimed run back without ending it (a graceful shutdown), so another instance can
    /// claim it at once instead of after the lease.
    func release(_ claim: RunClaim) async throws {
        try await statement("""
            UPDATE run_queue SET lease_owner = NULL, lease_expires_at = NULL
            WHERE run_id = \(claim.runID) AND fencing = \(claim.fencing)
            """)
    }

    /// Runs waiting for a worker (free or with an expired lease), for the queue-depth gauge.
    func depth() async throws -> Int {
        try await statement("SELECT count(*) AS n FROM run_queue WHERE lease_expires_at IS NULL OR lease_expires_at <= clock_timestamp()")[0].decode("n")
    }

    /// Runs one of the queue's own statements as background work, within `statementTime`.
    private func statement(_ sql: SQL) async throws -> [PostgresRow] {
        try await pool.work(sql, deadline: .after(Self.statementTime))
    }

    /// The end of a lease taken now, on the database clock.
    private var leaseEnd: SQL {
        let (seconds, attoseconds) = leaseTTL.components
        let milliseconds = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
        return "clock_timestamp() + \(milliseconds) * interval '1 millisecond'"
    }
}
