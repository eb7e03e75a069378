import Foundation
import Shared

/// The body of `POST /runs/{id}/extend`: the new, higher caps of a run paused at a budget. At
/// least one field; each is checked against the configured maximum here and against the run
/// (never lower than its cap, and enough to continue) by `RunRepository.extend`.
struct ExtendRunRequest: Codable, Sendable, Equatable {
    var maxIterations: Int?
    var tokenBudget: Int?
    var timeoutSeconds: Int?
    /// USD; only for a run that has a cost budget.
    var costBudgetUSD: Double?

    enum CodingKeys: String, CodingKey {
        case maxIterations = "max_iterations"
        case tokenBudget = "token_budget"
        case timeoutSeconds = "timeout_s"
        case costBudgetUSD = "cost_budget_usd"
    }

    /// The keys a body may carry.
    static let shape: JSONShape = .object(["max_iterations": .scalar, "token_budget": .scalar, "timeout_s": .scalar, "cost_budget_usd": .scalar])

    /// Decodes strictly (unknown fields refused) and checks each cap against its configured
    /// maximum; INVALID_ARGUMENT naming the field otherwise.
    static func parse(_ data: Data, settings: RunSettings) throws -> ExtendRunRequest {
        let raw = try WireJSONDecoder.decode(JSONValue.self, from: data)
        guard case .object = raw else { throw WireError(.invalidArgument, "request body must be a JSON object") }
        try shape.check(raw)
        let request = try WireJSONDecoder.decode(ExtendRunRequest.self, from: data)
        guard request.maxIterations != nil || request.tokenBudget != nil || request.timeoutSeconds != nil || request.costBudgetUSD != nil else {
            throw WireError(.invalidArgument, "name at least one cap to raise: max_iterations, token_budget, timeout_s or cost_budget_usd")
        }
        _ = try StartRunRequest.costBudget(request.costBudgetUSD)
        for cap in BudgetCap.runCaps {
            guard let maximum = settings.cap(cap)?.maximum else { continue }
            if let value = request.value(for: cap), !(1...maximum).contains(value) {
                throw WireError.invalidArgument(field: cap.field, "must be from 1 to \(maximum)")
            }
        }
        return request
    }

    /// The new value asked for a cap counted in whole units, if any (none for the cost budget,
    /// `costBudgetUSD`, nor for a monthly budget).
    func value(for cap: BudgetCap) -> Int? {
        switch cap {
        case .iterations: maxIterations
        case .tokens: tokenBudget
        case .time: timeoutSeconds
        case .cost, .monthlyTokens, .monthlyCost: nil
        }
    }
}
