import Foundation
import Shared

/// What a provider produced for one execution.
struct ProviderOutcome: Sendable {
    /// The role's output, validated.
    var output: JSONValue
    var promptTokens: Int
    var completionTokens: Int
    var cacheHit: Bool
    var model: String
}

/// A way of running a role agent: the embedded deterministic rules, or a chat model.
protocol AgentProvider: Sendable {
    /// `deterministic` or `openai`.
    var name: String { get }
    /// The model used unless the call names one.
    var defaultModel: String { get }
    /// FAILED_PRECONDITION when the deployment lacks what the provider needs (an API key).
    func checkConfigured() throws
    /// Runs the agent on the input for `tenant` (whose replies alone it may reuse).
    func run(_ agent: RoleAgent, input: JSONValue, model: String?, tenant: UUID) async throws -> ProviderOutcome
    /// Estimated cost in USD of the given tokens of `model`.
    func cost(promptTokens: Int, completionTokens: Int, model: String) -> Double
}

/// Token estimate used where no tokenizer is at hand: one token per four characters.
enum TokenEstimate {
    /// Tokens of a text.
    static func of(_ text: String) -> Int { (text.count + 3) / 4 }
}
