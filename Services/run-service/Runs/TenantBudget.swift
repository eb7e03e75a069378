import Foundation
import Shared

/// A tenant's monthly budgets of tokens and provider cost (`tenant_budgets`), and what it used of
/// them this month (UTC calendar month): the tokens of its steps started in the month —
/// reservations of calls in flight included — and their cost. Nil budgets are unlimited.
struct TenantBudget: Sendable, Equatable, Encodable {
    /// What the month used.
    struct Usage: Sendable, Equatable, Encodable {
        var tokens: Int
        var costUSD: Double

        private enum CodingKeys: String, CodingKey {
            case tokens
            case costUSD = "cost_usd"
        }
    }

    var monthlyTokens: Int?
    var monthlyCostUSD: Double?
    /// `YYYY-MM`.
    var month: String
    var used: Usage
    /// Runs of the tenant paused at a monthly budget now.
    var pausedRuns: Int

    private enum CodingKeys: String, CodingKey {
        case month, used
        case monthlyTokens = "monthly_tokens"
        case monthlyCostUSD = "monthly_cost_usd"
        case pausedRuns = "paused_runs"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(monthlyTokens, forKey: .monthlyTokens)
        try container.encode(monthlyCostUSD, forKey: .monthlyCostUSD)
        try container.encode(month, forKey: .month)
        try container.encode(used, forKey: .used)
        try container.encode(pausedRuns, forKey: .pausedRuns)
    }

    /// The tenant's budget and this month's usage, in the caller's tenant transaction; with
    /// `locking`, the budget row is locked, so concurrent calls of the tenant are admitted one
    /// after another.
    static func read(locking: Bool = false, on session: PostgresSession) async throws -> TenantBudget {
        let budget = try await session.query("SELECT monthly_tokens, monthly_cost_usd FROM tenant_budgets\(unsafeSQL: locking ? " FOR UPDATE" : "")").first
        let usage = try await session.query("""
            SELECT coalesce(sum(tokens + reserved_tokens), 0)::int8 AS tokens, round(coalesce(sum(cost_usd), 0)::numeric, 6)::float8 AS cost_usd,
                   to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
                   (SELECT count(*) FROM runs WHERE status = 'awaiting_budget' AND budget_cap IN ('monthly_tokens', 'monthly_cost')) AS paused
            FROM run_steps WHERE started_at >= date_trunc('month', clock_timestamp() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
            """)[0]
        return TenantBudget(
            monthlyTokens: try budget?.decode("monthly_tokens", as: Int?.self), monthlyCostUSD: try budget?.decode("monthly_cost_usd", as: Double?.self),
            month: try usage.decode("month"), used: Usage(tokens: try usage.decode("tokens"), costUSD: try usage.decode("cost_usd")),
            pausedRuns: try usage.decode("paused")
        )
    }

    /// Why an agent call reserving `tokens` does not fit this month — the cap and a detail — or
    /// nil when it does. The cost of a call is known only after it, so the cost budget admits
    /// calls until the month's cost has reached it.
    func refusal(reserving tokens: Int) -> (cap: BudgetCap, detail: String)? {
        if let monthlyTokens, used.tokens + tokens > monthlyTokens {
            return (.monthlyTokens, "the next agent call may use up to \(tokens) tokens, but the tenant's monthly budget of \(monthlyTokens) has \(max(0, monthlyTokens - used.tokens)) left in \(month)")
        }
        if let monthlyCostUSD, used.costUSD >= monthlyCostUSD {
            return (.monthlyCost, "the tenant's monthly cost budget of \(monthlyCostUSD) USD is used up in \(month) (\(used.costUSD) USD)")
        }
        return nil
    }
}
