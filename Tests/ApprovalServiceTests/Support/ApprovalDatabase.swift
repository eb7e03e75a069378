import Foundation
import Logging
import MeshTestSupport
import Shared
@testable import ApprovalService

/// The approval-service's own schema, migrated, reached as its own role (approval_svc: no
/// BYPASSRLS): gates are seeded as the service stores them, and what it wrote is read back.
struct ApprovalDatabase: Sendable {
    static let logger = Logger(label: "approval-service-tests") { _ in SwiftLogNoOpLogHandler() }

    let pool: PostgresPool

    /// Runs `body` with a pool on the migrated `approval` schema and closes it afterwards.
    static func with<T: Sendable>(_ body: (ApprovalDatabase) async throws -> T) async throws -> T {
        let pool = PostgresPool(config: DatabaseConfig(url: try RequiredEnvironment.value("META_BUILDER_APPROVAL_DATABASE_URL"), poolSize: 4), applicationName: "approval-service-tests", logger: logger)
        defer { pool.close() }
        try await ServiceDatabase.migrate("APPROVAL", try serviceDescriptor().allMigrations, grantingTo: pool, logger: logger)
        return try await body(ApprovalDatabase(pool: pool))
    }

    /// A seeded gate.
    struct SeededGate: Sendable {
        let id: UUID
        let run: UUID
        let tenant: UUID
    }

    /// Stores a pending gate of a new run of `tenant` (with its expiry row, as the service does).
    @discardableResult
    func seedGate(
        tenant: UUID, createdBy: String = "creator", rollback: RollbackEvidence.Status = .passed, requiredApprovals: Int = 1,
        selfApprovalAllowed: Bool = false, expiresInSeconds: Double = 3600, iteration: Int = 1, run: UUID = UUID()
    ) async throws -> SeededGate {
        let id = UUID()
        let evidence = #"{"status":"\#(rollback.rawValue)","checks":[{"name":"rollback:down","status":"\#(rollback == .failed ? "failed" : "passed")"}]}"#
        try await pool.withTenant(tenant, deadline: .after(.seconds(15))) { session in
            try await session.execute("""
                INSERT INTO gates (id, tenant_id, run_id, spec_id, plan_id, iteration, risk_score, risk, pull_request, diff_summary, eval_summary,
                                   rollback, rollback_plan, required_approvals, self_approval_allowed, run_created_by, expires_at)
                VALUES (\(id), \(tenant), \(run), \(UUID()), \(UUID()), \(iteration), 80,
                        '{"score":80,"plan_score":70,"threshold":70,"reasons":[],"flags":[]}'::jsonb,
                        '{"title":"Add CRM","markdown":"# Add CRM"}'::jsonb,
                        '{"files":[],"additions":0,"deletions":0,"iterations":[]}'::jsonb,
                        '{"iteration":1,"score":100,"passed":true,"tests_passed":1,"tests_failed":0,"checks_passed":1,"checks_failed":0,"failing_files":[],"checks":[]}'::jsonb,
                        \(evidence)::jsonb,
                        '{"down_migrations":[],"data_lost":{"tables":[],"scope":""},"branch":{"name":"b","meaning":""},"artifacts":{"meaning":""}}'::jsonb,
                        \(requiredApprovals), \(selfApprovalAllowed), \(createdBy), clock_timestamp() + \(expiresInSeconds) * interval '1 second')
                """)
            try await session.execute("INSERT INTO gate_expiries (gate_id, tenant_id, expires_at) SELECT id, tenant_id, expires_at FROM gates WHERE id = \(id)")
        }
        return SeededGate(id: id, run: run, tenant: tenant)
    }

    /// A gate's status.
    func status(of gate: SeededGate) async throws -> String? {
        try await pool.batch(tenant: gate.tenant, deadline: .after(.seconds(15)), ["SELECT status FROM gates WHERE id = \(gate.id)"])[0].first?.decode("status")
    }

    /// A gate's decisions, oldest first: `(actor, decision, comment)`.
    func decisions(of gate: SeededGate) async throws -> [(actor: String, decision: String, comment: String?)] {
        try await pool.batch(tenant: gate.tenant, deadline: .after(.seconds(15)), ["SELECT actor, decision, comment FROM decisions WHERE gate_id = \(gate.id) ORDER BY created_at, id"])[0]
            .map { (try $0.decode("actor"), try $0.decode("decision"), try $0.decode("comment")) }
    }

    /// The audit actions recorded about a gate, oldest first: `(action, actor)`.
    func audit(of gate: UUID, tenant: UUID) async throws -> [(action: String, actor: String)] {
        try await pool.batch(tenant: tenant, deadline: .after(.seconds(15)), ["SELECT action, actor FROM audit_log WHERE resource_id = \(gate.lowercaseText) ORDER BY created_at, id"])[0]
            .map { (try $0.decode("action"), try $0.decode("actor")) }
    }

    /// The events the service wrote about a gate (its outbox, which holds every tenant's), oldest first.
    func events(of gate: UUID) async throws -> [CloudEvent] {
        try await pool.work("SELECT payload::text AS payload FROM outbox WHERE payload -> 'data' ->> 'gate_id' = \(gate.lowercaseText) ORDER BY created_at, id", deadline: .after(.seconds(15)))
            .map { try CloudEvent.decode(try $0.decode("payload")) }
    }

    /// The ids of the gates stored for a run, by iteration.
    func gates(of run: UUID, tenant: UUID) async throws -> [UUID] {
        try await pool.batch(tenant: tenant, deadline: .after(.seconds(15)), ["SELECT id FROM gates WHERE run_id = \(run) ORDER BY iteration"])[0].map { try $0.decode("id") }
    }

    /// Whether every event about a gate was published by the outbox relay.
    func published(_ gate: UUID) async throws -> Bool {
        try await pool.work(
            "SELECT 1 FROM outbox WHERE payload -> 'data' ->> 'gate_id' = \(gate.lowercaseText) AND published_at IS NULL", deadline: .after(.seconds(15))
        ).isEmpty
    }
}
