import Foundation
import Shared
import Testing

/// The database's own word on tenant isolation, for every service's schema as its real binary
/// migrates it: each table with a `tenant_id` column has row-level security enabled and forced,
/// with policies that use the tenant setting for reads and writes; views run with the caller's
/// rights; and no service role is a superuser, bypasses RLS, makes roles or databases, owns
/// anything (its schema, a table, a view, a sequence, a function) or may create in its schema, or
/// can use another service's schema — while it may read and write the rows of every table. A new tenant table without FORCE fails here. The work tables read
/// across tenants (outbox, run queue, runs waiting for approval, gate expiries) are no exception:
/// their policies admit a tenant's own rows or the platform's background work (`app.worker`).
@Suite(.serialized) struct SchemaCatalogTests {
    @Test(arguments: ServiceEnvironment.services.map(\.name))
    func everyTenantTableIsForcedUnderRowLevelSecurity(name: String) async throws {
        let service = try #require(ServiceEnvironment.services.first { $0.name == name })
        let process = try await ServiceEnvironment.launchUntilReady(service.name, key: service.key)
        process.terminate()
        process.waitUntilExit()
        let pool = PostgresPool(config: DatabaseConfig(url: try ServiceEnvironment.require("META_BUILDER_\(service.key)_DATABASE_URL"), poolSize: 1),
                                applicationName: "catalog-tests", logger: ServiceEnvironment.logger)
        defer { pool.close() }

        let tables = try await pool.query("""
            SELECT c.relname AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(service.schema) AND c.relkind IN ('r', 'p')
              AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
            ORDER BY c.relname
            """)
        #expect(tables.count >= 2, "\(name): a schema with the platform's outbox and audit log has tenant tables")
        for table in tables {
            let relation = try table.decode("name", as: String.self)
            #expect(try table.decode("enabled", as: Bool.self), "\(name): \(relation) has row-level security disabled")
            #expect(try table.decode("forced", as: Bool.self), "\(name): \(relation) does not force row-level security on its owner")
            let policies = try await pool.query("""
                SELECT policyname AS policy, cmd, coalesce(qual, '') AS reads, coalesce(with_check, '') AS writes
                FROM pg_policies WHERE schemaname = \(service.schema) AND tablename = \(relation)
                """)
            #expect(!policies.isEmpty, "\(name): \(relation) has no policy, so it shows nothing to anyone")
            for policy in policies {
                let label = "\(name): \(relation) policy \(try policy.decode("policy", as: String.self))"
                let (command, reads, writes) = (try policy.decode("cmd", as: String.self), try policy.decode("reads", as: String.self), try policy.decode("writes", as: String.self))
                // Without WITH CHECK, Postgres checks written rows with the USING expression.
                let checked = command == "INSERT" ? [writes] : command == "SELECT" || command == "DELETE" ? [reads] : [reads, writes.isEmpty ? reads : writes]
                for expression in checked {
                    #expect(expression.contains("current_setting('app.tenant_id'"), "\(label) (\(command)) does not use the tenant setting: \(expression)")
                }
            }
        }

        let views = try await pool.query("""
            SELECT c.relname AS name, coalesce(array_to_string(c.reloptions, ','), '') AS options
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(service.schema) AND c.relkind = 'v'
            """)
        for view in views {
            let viewName = try view.decode("name", as: String.self)
            #expect(try view.decode("options", as: String.self).contains("security_invoker=true"), "\(name): view \(viewName) runs with its owner's rights")
        }

        let role = try await pool.query("""
            SELECT rolsuper AS superuser, rolbypassrls AS bypass, rolcreaterole AS roles, rolcreatedb AS databases
            FROM pg_roles WHERE rolname = current_user
            """)[0]
        for attribute in ["superuser", "bypass", "roles", "databases"] {
            #expect(try role.decode(attribute, as: Bool.self) == false, "\(name): its role has \(attribute)")
        }
        for other in ServiceEnvironment.services where other.schema != service.schema {
            let reach = try await pool.query("SELECT has_schema_privilege(current_user, \(other.schema), 'USAGE') AS usable")[0]
            #expect(try reach.decode("usable", as: Bool.self) == false, "\(name) can use the schema of \(other.name)")
        }
        let owned = try await pool.query("""
            SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(service.schema) AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = \(service.schema) AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            UNION ALL SELECT nspname FROM pg_namespace WHERE nspname = \(service.schema) AND nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            """).map { try $0.decode("name", as: String.self) }
        #expect(owned.isEmpty, "\(name): its role owns \(owned); its schema's owner should")
        let own = try await pool.query("SELECT has_schema_privilege(current_user, \(service.schema), 'CREATE') AS creatable")[0]
        #expect(try own.decode("creatable", as: Bool.self) == false, "\(name) may create objects in its schema")
        for table in tables {
            let relation = try table.decode("name", as: String.self)
            let rights = try await pool.query("""
                SELECT bool_and(has_table_privilege(current_user, c.oid, p)) AS usable FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p WHERE n.nspname = \(service.schema) AND c.relname = \(relation)
                """)[0]
            #expect(try rights.decode("usable", as: Bool.self), "\(name): its role may not use the rows of \(relation)")
        }
        let publicCreate = try await pool.query("SELECT has_schema_privilege(current_user, 'public', 'CREATE') AS creatable")[0]
        #expect(try publicCreate.decode("creatable", as: Bool.self) == false, "\(name) can create objects in public")
    }
}
