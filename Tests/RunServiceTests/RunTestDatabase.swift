import Foundation
import Logging
import MeshTestSupport
import Shared
@testable import RunService

/// The run-service's own schema, migrated, reached as its own role (run_svc: no BYPASSRLS).
enum RunTestDatabase {
    static let logger = Logger(label: "run-service-tests")

    /// Runs `body` with a pool on the migrated `run` schema and closes it afterwards.
    static func withPool<T: Sendable>(poolSize: Int = 4, _ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = PostgresPool(config: DatabaseConfig(url: try RequiredEnvironment.value("META_BUILDER_RUN_DATABASE_URL"), poolSize: poolSize), applicationName: "run-service-tests", logger: logger)
        defer { pool.close() }
        try await ServiceDatabase.migrate("RUN", try serviceDescriptor().allMigrations, grantingTo: pool, logger: logger)
        return try await body(pool)
    }

    /// Inserts a queued run of `tenant` (as the run-service does, in the tenant's transaction) and
    /// queues it; returns its id.
    @discardableResult
    static func queuedRun(tenant: UUID, on pool: PostgresPool) async throws -> UUID {
        let id = UUID()
        try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
            try await session.execute("""
                INSERT INTO runs (id, tenant_id, spec_id, plan_id, plan, max_iterations, token_budget, timeout_seconds, created_by)
                VALUES (\(id), \(tenant), \(UUID()), \(UUID()), '{}'::jsonb, 4, 2000000, 900, 'user-1')
                """)
            try await RunQueue.enqueue(id, tenant: tenant, on: session)
        }
        return id
    }

    /// Removes every queued run, so a test sees only its own.
    static func emptyQueue(_ pool: PostgresPool) async throws {
        try await pool.work("DELETE FROM run_queue", deadline: .after(.seconds(30)))
    }

    /// A stored run event.
    struct StoredEvent: Sendable {
        var sequence: Int
        var type: String
        var data: JSONValue
    }

    /// The stored events of a run, in sequence order (read in the run's tenant).
    static func events(of run: String, tenant: UUID) async throws -> [StoredEvent] {
        try await withPool { pool in
            try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), ["SELECT sequence, type, data::text AS data FROM run_events WHERE run_id = \(run)::uuid ORDER BY sequence"])[0]
                .map { StoredEvent(sequence: try $0.decode("sequence"), type: try $0.decode("type"), data: try $0.decode("data", as: JSONText.self).decode(JSONValue.self)) }
        }
    }

    /// How many pauses at a budget a run has recorded (0 or 1), read as background work.
    static func pauseCount(of run: String) async throws -> Int {
        try await withPool { pool in
            try await pool.work("SELECT count(*) AS n FROM run_budget_pauses WHERE run_id = \(run)::uuid", deadline: .after(.seconds(30)))[0].decode("n")
        }
    }

    /// The actions of the run-service's audit records about a run, oldest first.
    static func auditActions(of run: String, tenant: UUID) async throws -> [String] {
        try await withPool { pool in
            try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), ["SELECT action FROM audit_log WHERE resource_type = 'run' AND resource_id = \(run) ORDER BY created_at, id"])[0]
                .map { try $0.decode("action") }
        }
    }

    /// Whether each stored evaluation of a run passed, by iteration.
    static func reports(of run: String, tenant: UUID) async throws -> [(iteration: Int, passed: Bool)] {
        try await withPool { pool in
            try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), ["SELECT iteration, passed FROM run_reports WHERE run_id = \(run)::uuid ORDER BY iteration"])[0]
                .map { (try $0.decode("iteration"), try $0.decode("passed")) }
        }
    }

    /// The stored diffs of a run: who wrote each and how many files it touches, by iteration.
    static func diffs(of run: String, tenant: UUID) async throws -> [(role: String, files: Int)] {
        try await withPool { pool in
            try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), ["SELECT role, jsonb_array_length(files) AS files FROM run_diffs WHERE run_id = \(run)::uuid ORDER BY iteration"])[0]
                .map { (try $0.decode("role"), try $0.decode("files")) }
        }
    }

    /// The process id in the lease owner of a queued run (`<host>/<pid>/<random>/<slot>`), nil
    /// when nobody holds it.
    static func leaseHolderPID(of run: String) async throws -> Int32? {
        try await withPool { pool in
            let rows = try await pool.work("SELECT lease_owner FROM run_queue WHERE run_id = \(run)::uuid AND lease_expires_at > clock_timestamp()", deadline: .after(.seconds(30)))
            guard let owner = try rows.first?.decode("lease_owner", as: String?.self) else { return nil }
            let parts = owner.split(separator: "/")
            return parts.count >= 2 ? Int32(parts[1]) : nil
        }
    }
}
