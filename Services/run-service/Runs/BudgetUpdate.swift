import Foundation
import Shared

/// The body of `PUT /budget`: the tenant's new monthly budgets. Each key is optional — absent
/// keeps the budget as it is, `null` removes it (unlimited) — and at least one is given.
struct BudgetUpdate: Sendable, Equatable {
    /// A change to one budget: none, removed, or a new value.
    enum Change<Value: Sendable & Equatable>: Sendable, Equatable {
        case keep
        case remove
        case set(Value)

        /// The budget after the change.
        func applied(to current: Value?) -> Value? {
            switch self {
            case .keep: current
            case .remove: nil
            case .set(let value): value
            }
        }
    }

    var monthlyTokens: Change<Int> = .keep
    var monthlyCostUSD: Change<Double> = .keep

    /// The keys a body may carry.
    static let shape: JSONShape = .object(["monthly_tokens": .scalar, "monthly_cost_usd": .scalar])

    /// The most a monthly budget may be.
    static let maximumTokens = 1_000_000_000_000
    static let maximumCostUSD = 1_000_000_000.0

    /// Decodes strictly (unknown fields refused) and validates; INVALID_ARGUMENT naming the field.
    static func parse(_ data: Data) throws -> BudgetUpdate {
        let raw = try WireJSONDecoder.decode(JSONValue.self, from: data)
        guard case .object(let fields) = raw else { throw WireError(.invalidArgument, "request body must be a JSON object") }
        try shape.check(raw)
        guard !fields.isEmpty else { throw WireError(.invalidArgument, "name a budget to set: monthly_tokens or monthly_cost_usd (null removes it)") }
        var update = BudgetUpdate()
        switch fields["monthly_tokens"] {
        case nil: break
        case .null?: update.monthlyTokens = .remove
        case .number(let value)? where value.rounded() == value && value >= 1 && value <= Double(maximumTokens):
            update.monthlyTokens = .set(Int(value))
        default: throw WireError.invalidArgument(field: "monthly_tokens", "must be a whole number from 1 to \(maximumTokens), or null for no budget")
        }
        switch fields["monthly_cost_usd"] {
        case nil: break
        case .null?: update.monthlyCostUSD = .remove
        case .number(let value)? where value > 0 && value <= maximumCostUSD:
            update.monthlyCostUSD = .set(value)
        default: throw WireError.invalidArgument(field: "monthly_cost_usd", "must be a number of USD above 0 and at most \(Int(maximumCostUSD)), or null for no budget")
        }
        return update
    }
}
