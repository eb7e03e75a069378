import Foundation
import Testing
@testable import Shared

/// Numbered migrations applied once, under an advisory lock, recorded per schema.
@Suite struct MigratorTests {
    private func uniqueMigration(_ version: Int, table: String, sql: String? = nil) -> Migration {
        Migration(version: version, name: "create_\(table)", sql: sql ?? "CREATE TABLE \(table) (id int PRIMARY KEY);")
    }

    @Test func applyingTwiceIsANoOpAndRecordsVersions() async throws {
        try await TestDatabase.withPool { pool in
            let version = Int.random(in: 100_000...9_000_000)
            let table = "migrator_\(version)"
            let migrations = [uniqueMigration(version, table: table)]
            let migrator = Migrator(pool: pool, logger: TestEnvironment.logger)
            #expect(try await migrator.migrate(migrations) == [version])
            #expect(try await migrator.migrate(migrations) == [])
            let recorded = try await pool.query("SELECT name FROM schema_migrations WHERE version = \(version)")
            #expect(try recorded.map { try $0.decode("name", as: String.self) } == ["create_\(table)"])
            try await pool.query("DROP TABLE \(unsafeSQL: table)")
        }
    }

    @Test func concurrentInstancesApplyEachMigrationOnce() async throws {
        let version = Int.random(in: 100_000...9_000_000)
        let table = "migrator_\(version)"
        // The script fails if it runs twice (CREATE TABLE without IF NOT EXISTS).
        let migrations = [uniqueMigration(version, table: table)]
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await TestDatabase.withPool(poolSize: 1) { pool in
                        try await Migrator(pool: pool, logger: TestEnvironment.logger).migrate(migrations)
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(applied == [version])
        try await TestDatabase.withPool { pool in _ = try await pool.query("DROP TABLE \(unsafeSQL: table)") }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await TestDatabase.withPool { pool in
            let version = Int.random(in: 100_000...9_000_000)
            let table = "migrator_\(version)"
            let broken = uniqueMigration(version, table: table, sql: "CREATE TABLE \(table) (id int); SELECT no_such_function();")
            await #expect(throws: PostgresError.self) {
                try await Migrator(pool: pool, logger: TestEnvironment.logger).migrate([broken])
            }
            let exists = try await pool.query("SELECT to_regclass(\(table)) IS NOT NULL AS present")[0].decode("present", as: Bool.self)
            #expect(!exists)
            #expect(try await pool.query("SELECT 1 FROM schema_migrations WHERE version = \(version)").isEmpty)
        }
    }

    @Test func anEditedAppliedMigrationIsRefused() async throws {
        try await TestDatabase.withPool { pool in
            let version = Int.random(in: 100_000...9_000_000)
            let table = "migrator_\(version)"
            let migrator = Migrator(pool: pool, logger: TestEnvironment.logger)
            try await migrator.migrate([uniqueMigration(version, table: table)])
            let edited = uniqueMigration(version, table: table, sql: "CREATE TABLE \(table) (id bigint PRIMARY KEY);")
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate([edited]) }
            #expect(error == .checksumMismatch(version: version, name: "create_\(table)"))
            try await pool.query("DROP TABLE \(unsafeSQL: table)")
        }
    }

    @Test func platformMigrationsLoadInOrderFromTheBundle() throws {
        let migrations = try TestServiceApp.descriptor.allMigrations
        #expect(migrations.map(\.version) == [1, 2, 3, 4, 5, 6, 7])
        #expect(migrations.map(\.name) == ["outbox", "processed_events", "audit_log", "idempotency_keys", "idempotency_leases", "audit_log_feed", "outbox_row_security"])
    }
}
