import Foundation
import Logging
import Shared

/// Schemas in the preview database: created fresh per run, inspected by QA, dropped at cleanup.
/// Each use (a DevOps preparation, a whole QA evaluation, a cleanup) holds one connection for
/// its length and closes it at the end.
struct PreviewDatabase: Sendable {
    private let pool: PostgresPool

    /// Runs `body` with the preview database at `url` over one connection, named `name` (its
    /// `application_name`), which is closed when `body` ends.
    static func connect<T: Sendable>(url: String, name: String, logger: Logger, _ body: (PreviewDatabase) async throws -> T) async throws -> T {
        let pool = PostgresPool(config: DatabaseConfig(url: url, poolSize: 1), applicationName: name, logger: logger)
        defer { pool.close() }
        return try await body(PreviewDatabase(pool: pool))
    }

    /// Drops the schema if it exists and creates it empty.
    func recreate(schema: String) async throws {
        try Self.checkName(schema)
        try await pool.withSession(deadline: .after(.seconds(30))) { session in
            try await session.executeScript("DROP SCHEMA IF EXISTS \(schema) CASCADE; CREATE SCHEMA \(schema);")
        }
    }

    /// Drops the schema.
    func drop(schema: String) async throws {
        try Self.checkName(schema)
        try await pool.withSession(deadline: .after(.seconds(30))) { session in
            try await session.executeScript("DROP SCHEMA IF EXISTS \(schema) CASCADE;")
        }
    }

    /// Names of the relations, functions and types left in the schema (empty after a full rollback,
    /// apart from the migration bookkeeping table).
    func leftovers(in schema: String, deadline: Deadline) async throws -> [String] {
        try Self.checkName(schema)
        let rows = try await pool.query("""
                SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = \(schema) AND c.relname NOT LIKE 'schema_migrations%'
                UNION ALL
                SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = \(schema)
                ORDER BY 1
                """, deadline: .after(.seconds(30)).earliest(deadline))
        return try rows.map { try $0.decode("name", as: String.self) }
    }

    /// The stored text of one column of one row (bytea shows as hex), read as the row's tenant.
    func rawColumn(schema: String, table: String, column: String, id: String, tenant: UUID) async throws -> String? {
        try Self.checkName(schema)
        guard [table, column].allSatisfy({ $0.range(of: "^[a-z][a-z0-9_]{0,62}$", options: .regularExpression) != nil }), let rowID = UUID(uuidString: id) else {
            throw WireError.invalidArgument(field: "column", "not an identifier")
        }
        return try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
            let rows = try await session.query("SELECT \(unsafeSQL: column)::text AS value FROM \(unsafeSQL: schema).\(unsafeSQL: table) WHERE id = \(rowID)")
            return try rows.first?.decode("value", as: String?.self)
        }
    }

    private static func checkName(_ schema: String) throws {
        guard schema.range(of: "^preview_[a-z0-9_]{1,55}$", options: .regularExpression) != nil else {
            throw WireError.invalidArgument(field: "schema", "'\(schema)' is not a preview schema name")
        }
    }
}
