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

    /// The outcome of `body`, unless it failed (`failed`) while the database server restarted
    /// under it: such a failure (the scaffold's migrations or tests lost their database) says
    /// nothing about the scaffold, so it is UNAVAILABLE instead, which the run-service retries
    /// (the execution's claim is dropped, so the step runs again).
    func unlessRestarted<T: Sendable>(failed: (T) -> Bool, _ body: () async throws -> T) async throws -> T {
        let started = try await serverStart()
        let outcome = try await body()
        // A cancelled step's outcome is its caller's doing: it ends as it is, at once.
        guard failed(outcome), !Task.isCancelled else { return outcome }
        // After a restart this connection is gone: not knowing counts as restarted.
        let now = try? await serverStart()
        guard now == started else {
            throw WireError(.unavailable, "the preview database restarted while the step ran; run it again", retryAfter: 2)
        }
        return outcome
    }

    /// When the database server last started.
    private func serverStart() async throws -> Date {
        try await pool.query("SELECT pg_postmaster_start_time() AS started", deadline: .after(.seconds(10)))[0].decode("started")
    }

    /// Drops the preview's schema and roles if they exist, then makes them anew: the two roles
    /// (through `meta_preview.create_roles`; members of `preview_member`, which may connect) and
    /// the schema, empty and owned by the owner role.
    func recreate(_ preview: PreviewEnvironment) async throws {
        try await drop(schema: preview.schema)
        let roles = preview.roles
        try await pool.withSession(deadline: .after(.seconds(30))) { session in
            _ = try await session.query("SELECT meta_preview.create_roles(\(roles.key), \(preview.ownerPassword), \(preview.appPassword))::text AS done")
            try await session.executeScript("CREATE SCHEMA \(preview.schema) AUTHORIZATION \(roles.owner);")
        }
    }

    /// Drops the schema (as its owner, whose member this service is) and the preview's roles.
    func drop(schema: String) async throws {
        try Self.checkName(schema)
        let roles = try Self.roles(of: schema)
        try await pool.withSession(deadline: .after(.seconds(30))) { session in
            let owners = try await session.query("SELECT nspowner::regrole::text AS owner, nspowner::regrole::text = current_user AS mine FROM pg_namespace WHERE nspname = \(schema)")
            if let owner = owners.first {
                // Schemas made before previews had roles of their own belong to this service.
                let becomeOwner = try owner.decode("mine", as: Bool.self) ? "" : "SET LOCAL ROLE \(try owner.decode("owner", as: String.self));"
                try await session.executeScript("BEGIN; \(becomeOwner) DROP SCHEMA \(schema) CASCADE; COMMIT;")
            }
            _ = try await session.query("SELECT meta_preview.drop_roles(\(roles.key))::text AS done")
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
        let owner = try Self.roles(of: schema).owner
        return try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
            try await session.executeScript("SET LOCAL ROLE \(owner)")
            let rows = try await session.query("SELECT \(unsafeSQL: column)::text AS value FROM \(unsafeSQL: schema).\(unsafeSQL: table) WHERE id = \(rowID)")
            return try rows.first?.decode("value", as: String?.self)
        }
    }

    private static func roles(of schema: String) throws -> PreviewRoles {
        guard let roles = PreviewRoles(schema: schema) else {
            throw WireError.invalidArgument(field: "schema", "'\(schema)' does not end in a preview key")
        }
        return roles
    }

    private static func checkName(_ schema: String) throws {
        guard schema.range(of: "^preview_[a-z0-9_]{1,55}$", options: .regularExpression) != nil else {
            throw WireError.invalidArgument(field: "schema", "'\(schema)' is not a preview schema name")
        }
    }
}
