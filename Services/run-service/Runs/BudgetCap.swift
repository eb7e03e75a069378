import Shared

/// The cap a paused run (`awaiting_budget`) waits for, and what raises it: one of the run's own
/// caps (the field of `POST /runs/{id}/extend`) or one of its tenant's monthly budgets (the
/// field of `PUT /budget`); and the failure reason the run ends with when its pause expires.
enum BudgetCap: String, Sendable, CaseIterable, Codable {
    case iterations, tokens, time
    /// The run's own cost budget (USD), when it has one.
    case cost
    case monthlyTokens = "monthly_tokens"
    case monthlyCost = "monthly_cost"

    /// The run's own caps counted in whole units, which `POST /runs/{id}/extend` raises (as it
    /// raises `cost`).
    static let runCaps: [BudgetCap] = [.iterations, .tokens, .time]

    /// True for the tenant's monthly budgets.
    var isMonthly: Bool { self == .monthlyTokens || self == .monthlyCost }

    /// The request field that raises this cap (of `POST /runs/{id}/extend` for the run's caps,
    /// of `PUT /budget` for the monthly ones).
    var field: String {
        switch self {
        case .iterations: "max_iterations"
        case .tokens: "token_budget"
        case .time: "timeout_s"
        case .cost: "cost_budget_usd"
        case .monthlyTokens: "monthly_tokens"
        case .monthlyCost: "monthly_cost_usd"
        }
    }

    /// Why the run fails when no one raised the cap before its pause expired.
    var failureReason: RunJournal.FailureReason {
        switch self {
        case .iterations: .iterationCap
        case .tokens: .tokenBudget
        case .time: .timeBudget
        case .cost: .costBudget
        case .monthlyTokens, .monthlyCost: .monthlyBudget
        }
    }
}

extension BudgetCap: PostgresCodable {
    var postgresText: String { rawValue }

    init(postgresText: String) throws {
        guard let cap = BudgetCap(rawValue: postgresText) else { throw PostgresDecodingError(type: "BudgetCap") }
        self = cap
    }
}
