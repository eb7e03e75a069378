import Foundation
import Shared

/// Gates and decisions in schema `approval`. Every call runs in a tenant's transaction, so
/// row-level security hides other tenants' rows (another tenant's id is simply not found).
struct GateRepository: Sendable {
    let pool: PostgresPool

    /// The name background changes are recorded under (audit actor, expiry decisions, events).
    static let serviceActor = "service:approval-service"

    /// What opening a gate found.
    struct Opening: Sendable {
        /// True when this call opened it; false when it was open already.
        let created: Bool
        /// The gate, as `GET /approvals/{id}` writes it.
        let json: String
    }

    /// How a gate came to be asked for (recorded in its audit entry).
    enum Requester: String, Sendable {
        /// `POST /internal/v1/gates` (the run-service, acting for the run's creator).
        case request
        /// The `run.awaiting_approval` event.
        case event
    }

    /// The principal background changes of a tenant are recorded under.
    static func service(tenant: UUID) -> Principal {
        Principal(userID: serviceActor, tenantID: tenant, role: .viewer, callingService: "approval-service")
    }

    /// The gate of a run's iteration as the API writes it, or nil (one round trip).
    func gate(run: UUID, iteration: Int, tenant: UUID) async throws -> String? {
        try await pool.read(tenant: tenant, "SELECT \(GateView.detail) FROM gates WHERE run_id = \(run) AND iteration = \(iteration)", as: GateRow.self).first?.json
    }

    /// Opens the gate of `draft` in the caller's tenant transaction, under the tenant's policy
    /// (its row in `policies`, else `defaults`), with its expiry row, audit record and
    /// `approval.requested` event — or finds the one already open for the run's iteration
    /// (a gate is never opened twice).
    func open(_ draft: GateDraft, defaults: ApprovalPolicy, requester: Requester, tenant: UUID, on session: PostgresSession) async throws -> Opening {
        let id = UUID()
        let inserted = try await session.query("""
            INSERT INTO gates (id, tenant_id, run_id, spec_id, plan_id, iteration, risk_score, risk, pull_request, diff_summary,
                               eval_summary, rollback, rollback_plan, required_approvals, self_approval_allowed, run_created_by, expires_at)
            SELECT \(id)::uuid, \(tenant)::uuid, \(draft.runID)::uuid, \(draft.specID)::uuid, \(draft.planID)::uuid, \(draft.iteration)::int,
                   \(draft.risk.score)::int, \(try JSONText(encoding: draft.risk))::jsonb, \(try draft.pullRequest.map { try JSONText(encoding: $0) })::jsonb,
                   \(try JSONText(encoding: draft.diff))::jsonb, \(try JSONText(encoding: draft.evaluation))::jsonb,
                   \(try JSONText(encoding: draft.rollback))::jsonb, \(try JSONText(encoding: draft.rollbackPlan))::jsonb,
                   coalesce(p.required_approvals, \(defaults.requiredApprovals)::int),
                   coalesce(p.self_approval_allowed, \(defaults.selfApprovalAllowed)::boolean),
                   \(draft.runCreatedBy)::text,
                   clock_timestamp() + make_interval(hours => coalesce(p.gate_ttl_hours, \(defaults.gateTTLHours)::int))
            FROM (SELECT 1) AS one LEFT JOIN policies p ON p.tenant_id = \(tenant)::uuid
            ON CONFLICT (tenant_id, run_id, iteration) DO NOTHING
            RETURNING required_approvals, \(RenderedRow.timestamp("expires_at")) AS expires_at
            """)
        guard let row = inserted.first else {
            // Opened by a concurrent caller (the event and the request race): answer with theirs.
            let existing = try await session.query("SELECT \(GateView.detail) FROM gates WHERE run_id = \(draft.runID) AND iteration = \(draft.iteration)", as: GateRow.self)
            return Opening(created: false, json: existing[0].json)
        }
        let required: Int = try row.decode("required_approvals")
        let expiresAt: String = try row.decode("expires_at")
        try await session.executeDeferred("INSERT INTO gate_expiries (gate_id, tenant_id, expires_at) SELECT id, tenant_id, expires_at FROM gates WHERE id = \(id)")
        try await AuditLog.record("approval.open", resourceType: "gate", resourceID: id.lowercaseText, by: Self.service(tenant: tenant), details: .object([
            "run_id": .string(draft.runID.lowercaseText), "iteration": .number(Double(draft.iteration)),
            "risk_score": .number(Double(draft.risk.score)), "rollback": .string(draft.rollback.status.rawValue),
            "required_approvals": .number(Double(required)), "requested_by": .string(requester.rawValue),
        ]), on: session)
        try await Outbox.enqueue(GateEvents.requested(gate: id, draft: draft, requiredApprovals: required, expiresAt: expiresAt, tenant: tenant), on: session)
        let opened = try await session.query("SELECT \(GateView.detail) FROM gates WHERE id = \(id)", as: GateRow.self)
        return Opening(created: true, json: opened[0].json)
    }

    /// One gate of the tenant as the API writes it, or NOT_FOUND (one round trip).
    func rendered(_ id: UUID, tenant: UUID) async throws -> JSONBody {
        guard let row = try await pool.read(tenant: tenant, "SELECT \(GateView.detail) FROM gates WHERE id = \(id)", as: GateRow.self).first else {
            throw WireError.notFound("approval", id: id.lowercaseText)
        }
        return JSONBody(row.json)
    }

    /// The gate of the latest iteration of one of the tenant's runs as the API writes it, or nil
    /// when the run has none (one round trip).
    func latest(ofRun run: UUID, tenant: UUID) async throws -> String? {
        try await pool.read(tenant: tenant, "SELECT \(GateView.detail) FROM gates WHERE run_id = \(run) ORDER BY iteration DESC LIMIT 1", as: GateRow.self).first?.json
    }

    /// A page of the tenant's gates, pending first, then newest, optionally of one status
    /// (one round trip).
    func list(tenant: UUID, status: GateStatus?, pageSize: Int, after cursor: GateListCursor?) async throws -> JSONBody {
        var sql: SQL = "SELECT \(GateView.summary) FROM gates WHERE true"
        if let status { sql.append(" AND status = \(status)") }
        if let cursor { sql.append(cursor.condition) }
        sql.append(" ORDER BY (status = 'pending')::int DESC, created_at DESC, id DESC LIMIT \(pageSize + 1)")
        let rows = try await pool.read(tenant: tenant, sql, as: GateRow.self)
        let page = rows.prefix(pageSize)
        return JSONBody.page("approvals", items: page.map(\.json), nextPageToken: rows.count > pageSize ? page.last?.cursor.encoded : nil)
    }

    /// The gates of one of the tenant's runs, by iteration (none for a run it does not know).
    func gates(of run: UUID, tenant: UUID) async throws -> JSONBody {
        let rows = try await pool.read(tenant: tenant, "SELECT \(GateView.summary) FROM gates WHERE run_id = \(run) ORDER BY iteration", as: GateRow.self)
        return JSONBody.page("gates", items: rows.map(\.json), nextPageToken: nil)
    }
}
