import Foundation
import Hummingbird
import Shared

/// `GET` and `PUT /api/meta/v2/budget`: the tenant's monthly budgets of tokens and provider cost,
/// with this month's usage. Every role reads them; owners and admins set them. Setting them
/// queues again the tenant's runs paused at a monthly budget: each checks the new budget before
/// its next call.
struct BudgetController: Sendable {
    let pool: PostgresPool

    func register(_ routes: ServiceRoutes) {
        routes.api.get("budget") { _, context in try await show(context) }
        routes.api.put("budget") { request, context in try await update(request, context) }
    }

    /// `GET /budget`.
    private func show(_ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .readAnalytics)
        let budget = try await pool.withTenant(context.tenantID) { session in try await TenantBudget.read(on: session) }
        return JSONCoding.response(try JSONCoding.encode(budget), status: 200)
    }

    /// `PUT /budget`: one transaction sets the budgets, writes `budget.update` to the audit trail
    /// and queues the paused runs again.
    private func update(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .manageBudget)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let update = try BudgetUpdate.parse(Data(buffer: body))
        let principal = context.principal
        let budget = try await pool.withTenant(context.tenantID) { session in
            let before = try await TenantBudget.read(locking: true, on: session)
            let tokens = update.monthlyTokens.applied(to: before.monthlyTokens)
            let cost = update.monthlyCostUSD.applied(to: before.monthlyCostUSD)
            try await session.execute("""
                INSERT INTO tenant_budgets (tenant_id, monthly_tokens, monthly_cost_usd, updated_by)
                VALUES (\(principal.tenantID), \(tokens), \(cost), \(principal.userID))
                ON CONFLICT (tenant_id) DO UPDATE SET monthly_tokens = EXCLUDED.monthly_tokens, monthly_cost_usd = EXCLUDED.monthly_cost_usd,
                    updated_by = EXCLUDED.updated_by, updated_at = clock_timestamp()
                """)
            let resumed = try await RunRepository.resumeMonthlyPauses(tenant: principal.tenantID, on: session)
            try await AuditLog.record("budget.update", resourceType: "budget", resourceID: principal.tenantID.lowercaseText, by: principal, details: .object([
                "from": Self.json(before.monthlyTokens, before.monthlyCostUSD), "to": Self.json(tokens, cost), "runs_resumed": .number(Double(resumed)),
            ]), on: session)
            return try await TenantBudget.read(on: session)
        }
        return JSONCoding.response(try JSONCoding.encode(budget), status: 200)
    }

    private static func json(_ tokens: Int?, _ cost: Double?) -> JSONValue {
        .object(["monthly_tokens": tokens.map { .number(Double($0)) } ?? .null, "monthly_cost_usd": cost.map(JSONValue.number) ?? .null])
    }
}
