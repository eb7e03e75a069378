import Foundation
import Shared

/// The default provider: embedded rules, no network, no key. It reports honest token estimates
/// (characters/4 of the prompt a model would have been sent and of the output) so that budgets
/// behave the same as with a real model.
struct DeterministicProvider: AgentProvider {
    let prompts: PromptLibrary

    /// The provider's name.
    static let providerName = "deterministic"

    var name: String { Self.providerName }
    var defaultModel: String { "rules-v1" }

    func checkConfigured() throws {}

    func run(_ agent: RoleAgent, input: JSONValue, model: String?, tenant: UUID) async throws -> ProviderOutcome {
        let output = try await agent.runDeterministic(input)
        let prompt = try prompts.prompt(for: agent.role, input: input)
        return ProviderOutcome(
            output: output,
            promptTokens: TokenEstimate.of(prompt),
            completionTokens: TokenEstimate.of(String(decoding: try AgentJSON.text(output), as: UTF8.self)),
            cacheHit: false,
            model: defaultModel
        )
    }

    func cost(promptTokens: Int, completionTokens: Int, model: String) -> Double { 0 }
}
