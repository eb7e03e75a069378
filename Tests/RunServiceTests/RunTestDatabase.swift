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
        try await Migrator(pool: pool, logger: logger).migrate(try serviceDescriptor().allMigrations)
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
        try await pool.query("DELETE FROM run_queue", deadline: .after(.seconds(30)))
    }
}
