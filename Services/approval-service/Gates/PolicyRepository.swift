import Foundation
import Shared

/// A tenant's approval policy: its row in `policies`, or the configured defaults.
struct PolicyRepository: Sendable {
    let pool: PostgresPool
    let defaults: ApprovalPolicy

    /// The policy in force as the API writes it: the three settings, `source` (`tenant` or
    /// `default`) and, for a tenant's own, `updated_at` (one round trip).
    func rendered(tenant: UUID) async throws -> JSONBody {
        let rows = try await pool.read(tenant: tenant, select(tenant: tenant), as: PolicyRow.self)
        return JSONBody(rows[0].json)
    }

    /// Replaces the tenant's policy as `principal`, with its audit record, in one transaction;
    /// gates opened from now on follow it (open gates keep the policy they copied).
    func replace(with policy: ApprovalPolicy, by principal: Principal) async throws -> JSONBody {
        try await pool.withTenant(principal.tenantID) { session in
            try await session.execute("""
                INSERT INTO policies (tenant_id, required_approvals, self_approval_allowed, gate_ttl_hours)
                VALUES (\(principal.tenantID), \(policy.requiredApprovals), \(policy.selfApprovalAllowed), \(policy.gateTTLHours))
                ON CONFLICT (tenant_id) DO UPDATE SET required_approvals = excluded.required_approvals,
                    self_approval_allowed = excluded.self_approval_allowed, gate_ttl_hours = excluded.gate_ttl_hours, updated_at = clock_timestamp()
                """)
            try await AuditLog.record("approval.policy.update", resourceType: "approval_policy", resourceID: principal.tenantID.lowercaseText, by: principal, details: .object([
                "required_approvals": .number(Double(policy.requiredApprovals)), "self_approval_allowed": .bool(policy.selfApprovalAllowed),
                "gate_ttl_hours": .number(Double(policy.gateTTLHours)),
            ]), on: session)
            let rows = try await session.query(select(tenant: principal.tenantID), as: PolicyRow.self)
            return JSONBody(rows[0].json)
        }
    }

    /// The tenant's policy in force as JSON, in one row.
    private func select(tenant: UUID) -> SQL {
        "SELECT \(view) AS json FROM (SELECT 1) AS one LEFT JOIN policies p ON p.tenant_id = \(tenant)::uuid"
    }

    /// The policy as JSON over `policies p` left-joined to one row, falling back to the defaults.
    private var view: SQL {
        """
        (jsonb_build_object(
            'required_approvals', coalesce(p.required_approvals, \(defaults.requiredApprovals)::int),
            'self_approval_allowed', coalesce(p.self_approval_allowed, \(defaults.selfApprovalAllowed)::boolean),
            'gate_ttl_hours', coalesce(p.gate_ttl_hours, \(defaults.gateTTLHours)::int),
            'source', CASE WHEN p.tenant_id IS NULL THEN 'default' ELSE 'tenant' END)
         || jsonb_strip_nulls(jsonb_build_object('updated_at', \(RenderedRow.timestamp("p.updated_at")))))::text
        """
    }

    /// One rendered policy.
    private struct PolicyRow: PostgresRowDecodable {
        let json: String
        init(row: PostgresRow) throws { json = try row.decode("json") }
    }
}
