import ArgumentParser
import Shared

/// A run's caps as options (`run start`, `run regenerate`, `run extend`), and as the fields of
/// the request body.
struct CapOptions: ParsableArguments {
    @Option(help: "Evaluations allowed (1…the configured limit).")
    var maxIterations: Int?

    @Option(help: "Tokens the agents may spend.")
    var tokenBudget: Int?

    @Option(help: "Seconds of building the run may take (time paused at a cap does not count).")
    var timeout: Int?

    @Option(help: "USD the run's agent calls may cost (at the agent-service's model prices).")
    var costBudget: Double?

    /// Whether no cap was given.
    var isEmpty: Bool { maxIterations == nil && tokenBudget == nil && timeout == nil && costBudget == nil }

    /// The caps given, as request fields.
    var fields: [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        if let maxIterations { fields["max_iterations"] = .number(Double(maxIterations)) }
        if let tokenBudget { fields["token_budget"] = .number(Double(tokenBudget)) }
        if let timeout { fields["timeout_s"] = .number(Double(timeout)) }
        if let costBudget { fields["cost_budget_usd"] = .number(costBudget) }
        return fields
    }
}
