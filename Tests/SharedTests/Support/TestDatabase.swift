import Foundation
import Shared

/// Pools on the test schema with the platform migrations applied.
enum TestDatabase {
    /// A pool on `shared_test` whose schema has the outbox, processed-events and audit tables.
    static func migratedPool(poolSize: Int = 4) async throws -> PostgresPool {
        let pool = PostgresPool(config: try TestEnvironment.database(poolSize: poolSize), applicationName: "shared-tests", logger: TestEnvironment.logger)
        try await Migrator(pool: pool, logger: TestEnvironment.logger).migrate(try TestServiceApp.descriptor.allMigrations)
        return pool
    }

    /// Runs `body` with a migrated pool and closes it afterwards.
    static func withPool<T: Sendable>(poolSize: Int = 4, _ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = try await migratedPool(poolSize: poolSize)
        defer { pool.close() }
        return try await body(pool)
    }
}
