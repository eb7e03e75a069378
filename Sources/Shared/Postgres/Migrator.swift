import Foundation
import Logging

/// Applies a service's migrations to its own schema at start-up: under an advisory lock (so
/// several instances booting at once apply each migration once), each in its own transaction,
/// recorded in the schema's `schema_migrations` table. Running it again is a no-op.
public struct Migrator: Sendable {
    private let pool: PostgresPool
    private let logger: Logger

    /// Creates a migrator over a pool whose role owns the target schema.
    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Applies the migrations not yet recorded; returns the versions applied now. With
    /// `grantingUseTo`, then grants that role the use of the schema (`grantUse`), under the same
    /// lock: instances booting together would otherwise update the same privileges at once.
    @discardableResult
    public func migrate(_ migrations: [Migration], grantingUseTo role: String? = nil) async throws -> [Int] {
        try await pool.withSession(deadline: nil) { session in
            try await session.query("SELECT pg_advisory_lock(hashtext('meta-builder.migrate.' || current_schema()))")
            do {
                let applied = try await apply(migrations, on: session)
                if let role { try await grantUse(to: role, on: session) }
                try await session.query("SELECT pg_advisory_unlock(hashtext('meta-builder.migrate.' || current_schema()))")
                return applied
            } catch {
                _ = try? await session.query("SELECT pg_advisory_unlock(hashtext('meta-builder.migrate.' || current_schema()))")
                throw error
            }
        }
    }

    /// Grants `role` (the running service's, which owns nothing) the use of the schema: usage
    /// of it, the rows of every table and view in it (under their row-level security) and its
    /// sequences, so a table a migration just made is usable at once.
    private func grantUse(to role: String, on session: PostgresSession) async throws {
        let name = "'" + role.replacingOccurrences(of: "'", with: "''") + "'"
        try await session.execute("""
            DO $$ BEGIN
                EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), \(unsafeSQL: name));
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), \(unsafeSQL: name));
                EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), \(unsafeSQL: name));
            END $$
            """)
    }

    private func apply(_ migrations: [Migration], on session: PostgresSession) async throws -> [Int] {
        try await session.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let rows = try await session.query("SELECT version, name, checksum FROM schema_migrations")
        var recorded: [Int: String] = [:]
        for row in rows { recorded[try row.decode("version")] = try row.decode("checksum", as: String.self) }
        var appliedNow: [Int] = []
        for migration in migrations {
            if let checksum = recorded[migration.version] {
                guard checksum == migration.checksum else {
                    throw MigrationError.checksumMismatch(version: migration.version, name: migration.name)
                }
                continue
            }
            try await session.transaction { session in
                try await session.executeScript(migration.sql)
                try await session.execute("""
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """)
            }
            logger.info("applied migration", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            appliedNow.append(migration.version)
        }
        return appliedNow
    }
}
