import Foundation
import Shared

/// Specs and plans in schema `spec`. Every call runs in the caller's tenant transaction, so
/// row-level security hides other tenants' rows (another tenant's id is simply not found).
struct SpecRepository: Sendable {
    let pool: PostgresPool

    /// Inserts a spec with its audit record and `spec.created` event in the caller's transaction.
    func create(_ input: ArchitectInput, targetRepository: String?, by principal: Principal, on session: PostgresSession) async throws -> ScaffoldSpec {
        let id = UUID()
        let rows = try await session.query("""
            INSERT INTO specs (id, tenant_id, title, description, mode, form, acceptance_criteria, target_repository, created_by)
            VALUES (\(id), \(principal.tenantID), \(input.title), \(input.description), \(input.mode.rawValue),
                    \(try input.form.map { try JSONText(encoding: $0) })::jsonb, \(try JSONText(encoding: input.acceptanceCriteria ?? []))::jsonb,
                    \(targetRepository), \(principal.userID))
            RETURNING \(ScaffoldSpec.columns)
            """, as: ScaffoldSpec.self)
        let spec = rows[0]
        try await AuditLog.record("spec.create", resourceType: "spec", resourceID: id.lowercaseText, by: principal, details: .object(["mode": .string(spec.mode)]), on: session)
        try await Outbox.enqueue(SpecEvents.created(spec, tenant: principal.tenantID), on: session)
        return spec
    }

    /// One spec of the tenant, or NOT_FOUND (one round trip).
    func find(_ id: UUID, tenant: UUID) async throws -> ScaffoldSpec {
        guard let spec = try await pool.read(tenant: tenant, "SELECT \(ScaffoldSpec.columns) FROM specs WHERE id = \(id)", as: ScaffoldSpec.self).first else {
            throw WireError.notFound("spec", id: id.lowercaseText)
        }
        return spec
    }

    /// The spec, locked for the rest of the caller's transaction, or NOT_FOUND.
    private func lock(_ id: UUID, on session: PostgresSession) async throws -> ScaffoldSpec {
        guard let spec = try await session.query("SELECT \(ScaffoldSpec.columns) FROM specs WHERE id = \(id) FOR UPDATE", as: ScaffoldSpec.self).first else {
            throw WireError.notFound("spec", id: id.lowercaseText)
        }
        return spec
    }

    /// One spec of the tenant as the API writes it, rendered by Postgres, or NOT_FOUND (one round trip).
    func rendered(_ id: UUID, tenant: UUID) async throws -> JSONBody {
        guard let row = try await pool.read(tenant: tenant, "SELECT \(ScaffoldSpec.rendered) FROM specs WHERE id = \(id)", as: RenderedRow.self).first else {
            throw WireError.notFound("spec", id: id.lowercaseText)
        }
        return JSONBody(row.json)
    }

    /// A page of the tenant's specs, newest first, optionally of one status, rendered by
    /// Postgres (one round trip).
    func list(tenant: UUID, status: String?, pageSize: Int, after token: PageToken?) async throws -> JSONBody {
        var sql: SQL = "SELECT \(ScaffoldSpec.rendered) FROM specs WHERE true"
        if let status { sql.append(" AND status = \(status)") }
        if let token { sql.append(token.condition) }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT \(pageSize + 1)")
        let page = PageToken.page(try await pool.read(tenant: tenant, sql, as: RenderedRow.self), size: pageSize, token: \.pageToken)
        return JSONBody.page("specs", items: page.rows.map(\.json), nextPageToken: page.next)
    }

    /// Stores a new plan version and marks the spec planned, with audit and `plan.generated`;
    /// `alongside` runs last in the same transaction (it records the idempotent response).
    func storePlan(
        _ result: PlanningPipeline.Result,
        for specID: UUID,
        by principal: Principal,
        alongside: @Sendable (PlanVersion, PostgresSession) async throws -> Void = { _, _ in }
    ) async throws -> PlanVersion {
        try await pool.withTenant(principal.tenantID) { session in
            let spec = try await lock(specID, on: session)
            let version = spec.latestPlanVersion + 1
            let id = UUID()
            let risk = result.plan.security?.risk ?? RiskAssessment(flags: [])
            let rows = try await session.query("""
                INSERT INTO plans (id, tenant_id, spec_id, version, formal_spec, plan, risk_score, risk_level, usage, created_by)
                VALUES (\(id), \(principal.tenantID), \(specID), \(version), \(try JSONText(encoding: result.formalSpec))::jsonb,
                        \(try JSONText(encoding: result.plan))::jsonb, \(risk.score), \(risk.level),
                        \(try JSONText(encoding: result.usage))::jsonb, \(principal.userID))
                RETURNING \(PlanVersion.columns)
                """, as: PlanVersion.self)
            try await session.execute("""
                UPDATE specs SET status = 'planned', latest_plan_version = \(version), updated_at = clock_timestamp() WHERE id = \(specID)
                """)
            let plan = rows[0]
            try await AuditLog.record("spec.plan", resourceType: "plan", resourceID: id.lowercaseText, by: principal, details: .object(["spec_id": .string(specID.lowercaseText), "version": .number(Double(version)), "risk_score": .number(Double(risk.score))]), on: session)
            try await Outbox.enqueue(SpecEvents.planGenerated(plan, tenant: principal.tenantID), on: session)
            try await alongside(plan, session)
            return plan
        }
    }

    /// A page of a spec's plans, newest first; NOT_FOUND when the spec is not the tenant's
    /// (one round trip for both reads).
    func plans(of specID: UUID, tenant: UUID, pageSize: Int, after token: PageToken?) async throws -> PlanPage {
        var sql: SQL = "SELECT \(PlanVersion.columns) FROM plans WHERE spec_id = \(specID)"
        if let token { sql.append(token.condition) }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT \(pageSize + 1)")
        let results = try await pool.batch(tenant: tenant, ["SELECT 1 FROM specs WHERE id = \(specID)", sql])
        guard !results[0].isEmpty else { throw WireError.notFound("spec", id: specID.lowercaseText) }
        let page = PageToken.page(try results[1].map(PlanVersion.init(row:)), size: pageSize) { PageToken(createdAt: $0.createdAt, id: $0.id.uuid) }
        return PlanPage(plans: page.rows, nextPageToken: page.next)
    }

    /// One plan of one of the tenant's specs, or NOT_FOUND (one round trip).
    func plan(_ planID: UUID, of specID: UUID, tenant: UUID) async throws -> PlanVersion {
        let rows = try await pool.read(tenant: tenant, "SELECT \(PlanVersion.columns) FROM plans WHERE id = \(planID) AND spec_id = \(specID)", as: PlanVersion.self)
        guard let plan = rows.first else { throw WireError.notFound("plan", id: planID.lowercaseText) }
        return plan
    }
}
