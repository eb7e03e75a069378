import Foundation
import Testing
@testable import Shared

/// Tenant isolation in the database itself: forced row-level security on tenant tables, and
/// one role per schema.
@Suite struct RowLevelSecurityTests {
    private func insertAudit(_ pool: PostgresPool, tenant: UUID, action: String) async throws {
        try await pool.withTenant(tenant) { session in
            try await AuditLog.record(action, resourceType: "spec", resourceID: UUID().uuidString, by: Principal(userID: "u-\(tenant)", tenantID: tenant, role: .owner), on: session)
        }
    }

    @Test func tenantBCannotSeeTenantARowsEvenWithoutAWhereClause() async throws {
        try await TestDatabase.withPool { pool in
            let tenantA = UUID(), tenantB = UUID()
            try await insertAudit(pool, tenant: tenantA, action: "a.one")
            try await insertAudit(pool, tenant: tenantA, action: "a.two")
            try await insertAudit(pool, tenant: tenantB, action: "b.one")
            // The query "forgets" its tenant filter: RLS still applies.
            let seenByB = try await pool.withTenant(tenantB) { session in
                try await session.query("SELECT tenant_id, action FROM audit_log")
            }
            #expect(seenByB.count == 1)
            #expect(try seenByB.allSatisfy { try $0.decode("tenant_id", as: UUID.self) == tenantB })
            let seenByA = try await pool.withTenant(tenantA) { session in
                try await session.query("SELECT action FROM audit_log ORDER BY action")
            }
            #expect(try seenByA.map { try $0.decode("action", as: String.self) } == ["a.one", "a.two"])
        }
    }

    @Test func withoutATenantNoRowIsVisible() async throws {
        try await TestDatabase.withPool { pool in
            try await insertAudit(pool, tenant: UUID(), action: "invisible")
            let rows = try await pool.query("SELECT count(*) AS n FROM audit_log")
            #expect(try rows[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test func writingARowForAnotherTenantIsRejected() async throws {
        try await TestDatabase.withPool { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTenant(UUID()) { session in
                    try await session.execute("""
                        INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id)
                        VALUES (\(UUID()), \(UUID()), 'mallory', 'forge', 'spec', 'x')
                        """)
                }
            }
            #expect(error?.sqlState == "42501")
            // A deliberate answer, not a 500, and one that does not name the relation.
            #expect(error?.wireError.code == .permissionDenied)
            #expect(error?.wireError.message.contains("audit_log") == false)
        }
    }

    @Test func policiesAreForcedForTheOwnerRole() async throws {
        try await TestDatabase.withPool { pool in
            let row = try await pool.query("""
                SELECT c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                       pg_get_userbyid(c.relowner) = current_user AS owned
                FROM pg_class c WHERE c.oid = 'audit_log'::regclass
                """)[0]
            #expect(try row.decode("enabled", as: Bool.self))
            #expect(try row.decode("forced", as: Bool.self))
            #expect(try row.decode("owned", as: Bool.self))
        }
    }

    @Test func aServiceRoleCannotReachAnotherServicesSchema() async throws {
        try await TestDatabase.withPool { _ in
            let other = PostgresPool(config: try TestEnvironment.otherDatabase(), applicationName: "other-tests", logger: TestEnvironment.logger)
            defer { other.close() }
            let read = await #expect(throws: PostgresError.self) {
                try await other.query("SELECT count(*) FROM shared_test.audit_log")
            }
            #expect(read?.sqlState == "42501")
            let create = await #expect(throws: PostgresError.self) {
                try await other.query("CREATE TABLE public.sneaky (x int)")
            }
            #expect(create?.sqlState == "42501")
            let schema = try await other.query("SELECT current_schema() AS s")[0].decode("s", as: String.self)
            #expect(schema == "other_test")
        }
    }
}
