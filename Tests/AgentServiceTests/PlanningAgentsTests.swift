import Foundation
import Shared
import Testing
@testable import AgentService

/// System Designer, Security/Compliance and Reviewer on the CRM spec.
@Suite struct PlanningAgentsTests {
    private let plan = try! SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))

    @Test func planHasAMigrationPerEntityWithRowLevelSecurityAndRollback() throws {
        #expect(plan.stack == .flaskPostgres)
        #expect(plan.migrations.map(\.name) == ["create_audit_log", "create_auth_users", "create_companies", "create_contacts", "create_deals"])
        #expect(plan.migrations.map(\.version) == [1, 2, 3, 4, 5])
        for migration in plan.migrations.dropFirst() {
            #expect(migration.up.contains("ENABLE ROW LEVEL SECURITY"))
            #expect(migration.up.contains("FORCE ROW LEVEL SECURITY"))
            #expect(migration.up.contains("NULLIF(current_setting('app.tenant_id', true), '')::uuid"))
            #expect(migration.up.contains("audit_row_change()"))
            #expect(migration.down.hasPrefix("DROP TABLE IF EXISTS"))
        }
        let contacts = try #require(plan.migrations.first { $0.name == "create_contacts" })
        #expect(contacts.up.contains("email bytea"), "PII is stored encrypted")
        #expect(contacts.up.contains("company_id uuid,"))
        // A composite key: the database refuses a contact that points at another tenant's company.
        #expect(contacts.up.contains("FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id)"))
        #expect(contacts.up.contains("CONSTRAINT contacts_tenant_row UNIQUE (tenant_id, id)"))
        let deals = try #require(plan.migrations.first { $0.name == "create_deals" })
        #expect(deals.up.contains("CHECK (stage IN ('lead', 'qualified', 'won', 'lost'))"))
        #expect(deals.up.contains("owner text NOT NULL"))
        #expect(deals.up.contains("amount numeric(14,2) NOT NULL"))
    }

    /// The plan lists exactly the files Codegen writes, so the Reviewer can tell a file outside
    /// the plan from one it planned.
    @Test func thePlanListsExactlyTheFilesCodegenWrites() throws {
        let rendered = Set(try ScaffoldRenderer().render(plan).keys)
        let planned = plan.files.map(\.path)
        #expect(Set(planned) == rendered, "planned only: \(Set(planned).subtracting(rendered).sorted()); written only: \(rendered.subtracting(planned).sorted())")
        #expect(planned.count == Set(planned).count, "a file is planned twice")
    }

    @Test func endpointsCarryTheRolesAllowed() {
        #expect(plan.endpoints.count == 15)
        let deleteDeal = plan.endpoints.first { $0.entity == "deal" && $0.action == .delete }
        #expect(deleteDeal?.roles == ["manager"])
        let createDeal = plan.endpoints.first { $0.entity == "deal" && $0.action == .create }
        #expect(createDeal?.roles == ["sales_rep", "manager"])
        #expect(plan.files.contains { $0.path == "app/resources/deals.py" })
        #expect(plan.files.contains { $0.path == "tests/test_isolation.py" })
        #expect(plan.environment.contains { $0.name == "PII_ENCRYPTION_KEY" && $0.secret })
    }

    @Test func seedRowsReferenceEachOther() throws {
        let contact = try #require(plan.seed.first { $0.entity == "contact" })
        let company = try #require(plan.seed.first { $0.entity == "company" })
        #expect(contact.values["company_id"] == company.values["id"])
    }

    @Test func seedAccountsExistPerRoleAndOwnTheSeedRowsOfRolesThatSeeTheirOwn() throws {
        let accounts = SeedUsers.users(for: CRMFixture.spec)
        #expect(accounts.map(\.username) == ["sales_rep", "manager"])
        #expect(accounts.map(\.role) == accounts.map(\.username))
        #expect(Set(accounts.map(\.id)).count == 2)
        let salesRep = try #require(accounts.first)
        let deals = plan.seed.filter { $0.entity == "deal" }
        #expect(deals.count == 2)
        #expect(deals.allSatisfy { $0.values["owner"] == .string(salesRep.id) }, "only sales reps see only their own deals")
    }

    @Test func rolesOwningThroughTheSameReferenceGetAccountsOfTheirOwnAndSeedRowsInTurn() throws {
        let spec = FormalSpec(
            title: "Lessons",
            summary: "Tutors and assistants see only their own lessons.",
            entities: [
                EntitySpec(name: "tutor", plural: "tutors", fields: [FieldSpec(name: "name", type: .string, required: true)]),
                EntitySpec(name: "lesson", plural: "lessons", fields: [
                    FieldSpec(name: "title", type: .string, required: true),
                    FieldSpec(name: "tutor", type: .reference, required: true, references: "tutor"),
                ], ownerField: "tutor"),
            ],
            relations: [],
            roles: ["tutor", "assistant", "substitute"].map { RoleSpec(name: $0, permissions: [.init(entity: "lesson", actions: [.read], scope: .own)]) },
            acceptanceCriteria: []
        )
        let accounts = SeedUsers.users(for: spec)
        #expect(accounts.map(\.id) == [SystemDesigner.seedID("tutor", 1), SystemDesigner.seedID("tutor", 2), SystemDesigner.seedID("user:substitute", 1)])
        let lessons = try SystemDesigner().design(DesignerInput(spec: spec)).seed.filter { $0.entity == "lesson" }
        #expect(lessons.map { $0.values["tutor_id"] } == [.string(accounts[0].id), .string(accounts[1].id)], "each tutor account owns a seed lesson")
    }

    @Test func migrationsApplyAndRollBackOnRealPostgres() async throws {
        // The second test role's schema holds no tables; everything happens in a rolled-back transaction.
        let schema = "other_test"
        try await Self.inRolledBackTransaction { session in
            for migration in plan.migrations { try await session.executeScript(migration.up) }
            let tables = try await session.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = \(schema) AND rowsecurity")
            #expect(try tables[0].decode("n", as: Int.self) == 5)
            for migration in plan.migrations.reversed() { try await session.executeScript(migration.down) }
            let left = try await session.query("SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = \(schema)")
            #expect(try left[0].decode("n", as: Int.self) == 0)
        }
    }

    /// An entity named `tenant` (its references and join column cannot be `tenant_id`), a
    /// self-reference and two entities that reference each other: the migrations apply in order,
    /// the reference that closes the cycle gets its foreign key once both tables exist, and
    /// everything rolls back.
    @Test func circularReferencesAndATenantEntityMigrateAndRollBack() async throws {
        let spec = try ProductArchitect().design(ArchitectInput(title: "Centre", description: Self.centre, mode: .freeform))
        let names = spec.entities.map(\.name)
        // The cycle zone ⇄ tenant is closed by an optional reference from the earlier to the later.
        let (zone, tenant) = (try #require(names.firstIndex(of: "zone")), try #require(names.firstIndex(of: "tenant")))
        let (earlier, later) = (spec.entities[min(zone, tenant)], spec.entities[max(zone, tenant)])
        let closing = try #require(earlier.fields.first { $0.references == later.name }, "\(earlier.fields)")
        #expect(!closing.required)
        #expect(spec.entities[tenant].fields.contains { $0.references == "tenant" && !$0.required }, "a self-reference is optional")
        #expect(spec.entity(named: "lease_note")?.fields.contains { $0.name == "tenant_party" && $0.references == "tenant" } == true)
        #expect(spec.relations.contains { $0.kind == .manyToMany && Set([$0.from, $0.to]) == ["tenant", "unit"] }, "\(spec.relations)")
        let plan = try SystemDesigner().design(DesignerInput(spec: spec))
        let join = try #require(plan.migrations.first { $0.up.contains("tenant_party_id uuid NOT NULL") }, "\(plan.migrations.map(\.name))")
        #expect(join.up.contains("unit_id uuid NOT NULL"))
        let constraint = "\(earlier.plural)_\(closing.name)_fk"
        try await Self.inRolledBackTransaction { session in
            for migration in plan.migrations { try await session.executeScript(migration.up) }
            let keys = try await session.query("SELECT count(*) AS n FROM pg_constraint WHERE conname = \(constraint) AND contype = 'f'")
            #expect(try keys[0].decode("n", as: Int.self) == 1, "the reference that closes the cycle has its foreign key")
            for migration in plan.migrations.reversed() { try await session.executeScript(migration.down) }
            let left = try await session.query("SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'other_test'")
            #expect(try left[0].decode("n", as: Int.self) == 0)
        }
    }

    /// A shopping centre whose zones and tenants reference each other, with tenants that refer to
    /// other tenants and are linked to many units.
    static let centre = "A shopping centre rents units to tenants. Zones have a name and a lead tenant. Tenants have a trading name, an email, a home zone and a referring tenant who is another tenant. Units have a code, a floor and a size in square metres. Tenants and units are many-to-many. Lease notes record the tenant, the unit, a note and a signed on date."

    @Test func theDatabaseRefusesAReferenceToAnotherTenantsRow() async throws {
        let tenantA = UUID(), tenantB = UUID()
        try await Self.inRolledBackTransaction { session in
            for migration in plan.migrations { try await session.executeScript(migration.up) }
            try await session.query("SELECT set_config('app.tenant_id', \(tenantA), true)")
            let company = try await session.query("INSERT INTO companies (tenant_id, name) VALUES (\(tenantA), 'Acme') RETURNING id")[0].decode("id", as: UUID.self)
            let contact: SQL = "INSERT INTO contacts (tenant_id, name, email, phone, company_id) VALUES (\(tenantB), '\\x01', '\\x02', '\\x03', \(company))"
            // Tenant B's contact may not point at tenant A's company, even with RLS set to B.
            try await session.query("SELECT set_config('app.tenant_id', \(tenantB), true)")
            try await session.execute("SAVEPOINT cross_tenant")
            do {
                try await session.execute(contact)
                Issue.record("a contact of tenant B was stored pointing at tenant A's company")
            } catch let error as PostgresError {
                #expect(error.sqlState == "23503")
            }
            try await session.execute("ROLLBACK TO SAVEPOINT cross_tenant")
            // Within tenant A the same reference is accepted.
            try await session.query("SELECT set_config('app.tenant_id', \(tenantA), true)")
            let accepted: SQL = "INSERT INTO contacts (tenant_id, name, email, phone, company_id) VALUES (\(tenantA), '\\x01', '\\x02', '\\x03', \(company))"
            #expect(try await session.execute(accepted) == 1)
        }
    }

    /// Runs `body` in a transaction on the second test role's schema and rolls it back whatever
    /// `body` did, so the schema is left without tables.
    private static func inRolledBackTransaction(_ body: @escaping @Sendable (PostgresSession) async throws -> Void) async throws {
        let pool = PostgresPool(config: DatabaseConfig(url: try AgentTestEnvironment.require("META_BUILDER_OTHER_TEST_DATABASE_URL"), poolSize: 1), applicationName: "planning-tests", logger: AgentTestEnvironment.logger)
        defer { pool.close() }
        struct RollBack: Error {}
        await #expect(throws: RollBack.self) {
            try await pool.transaction { session in
                try await body(session)
                throw RollBack()
            }
        }
    }

    @Test func securityReviewScoresTheDocumentedFactors() throws {
        let reviewed = SecurityCompliance().review(SecurityInput(plan: plan, description: "A CRM", targetRepository: nil))
        let security = try #require(reviewed.security)
        #expect(security.risk.flags.map(\.factor) == ["pii_present", "financial_data", "row_ownership_rules"])
        #expect(security.risk.flags.map(\.weight) == [20, 10, 10])
        #expect(security.risk.score == 40)
        #expect(security.risk.level == "medium")
        #expect(security.risk.flags[0].detail.contains("contact.email"))
        #expect(security.rlsPolicies.map(\.table) == ["audit_log", "auth_users", "companies", "contacts", "deals"])
        #expect(security.rlsPolicies.allSatisfy { $0.forced })
        #expect(security.piiHandling.map { "\($0.entity).\($0.field)" } == ["contact.name", "contact.email", "contact.phone"])
        #expect(security.rbacMatrix.contains { $0.role == "sales_rep" && $0.entity == "deal" && $0.scope == .own })
    }

    @Test func existingRepositoryAndIntegrationsRaiseTheScore() throws {
        let reviewed = SecurityCompliance().review(SecurityInput(plan: plan, description: "Sync deals to Salesforce and send email notifications via a webhook", targetRepository: "git@example.com:acme/crm.git"))
        let risk = try #require(reviewed.security?.risk)
        #expect(Set(risk.flags.map(\.factor)).isSuperset(of: ["existing_repository", "auth_model_change", "external_integrations"]))
        #expect(risk.score == 40 + 15 + 15 + 15)
        #expect(risk.level == "high")
    }

    @Test func designIsDeterministic() throws {
        let again = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
        #expect(try AgentJSON.text(again) == AgentJSON.text(plan))
    }

    @Test func reviewerWritesEverySection() {
        let reviewed = SecurityCompliance().review(SecurityInput(plan: plan, description: nil, targetRepository: nil))
        let body = Reviewer().review(RunSummary(runID: "run-1", plan: reviewed, files: ["app/__init__.py"], iterations: 2, testsPassed: 41, testsFailed: 0, score: 96, branch: "meta-builder/run-1"))
        for section in ["## Summary", "## Files", "## Migrations", "## Risks", "## Test results", "## Rollback plan"] {
            #expect(body.markdown.contains(section))
        }
        #expect(body.markdown.contains("Risk score **40/100** (medium)"))
        #expect(body.markdown.contains("41 passed, 0 failed."))
        #expect(body.title == "Scaffold: CRM")
    }

    @Test func emptySpecIsRejected() {
        var spec = CRMFixture.spec
        spec.entities = []
        let error = #expect(throws: WireError.self) { try SystemDesigner().design(DesignerInput(spec: spec)) }
        #expect(error?.details.first?.field == "spec.entities")
    }
}
