import Shared

/// The cap a paused run (`awaiting_budget`) waits for, and what raises it: the field of
/// `POST /runs/{id}/extend` and the failure reason the run ends with when its pause expires.
enum BudgetCap: String, Sendable, CaseIterable, Codable {
    case iterations, tokens, time

    /// The request field (and `caps` key) that raises this cap.
    var field: String {
        switch self {
        case .iterations: "max_iterations"
        case .tokens: "token_budget"
        case .time: "timeout_s"
        }
    }

    /// Why the run fails when no one raised the cap before its pause expired.
    var failureReason: RunJournal.FailureReason {
        switch self {
        case .iterations: .iterationCap
        case .tokens: .tokenBudget
        case .time: .timeBudget
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
