import Foundation
import Logging
import Metrics
import Shared

/// Runs a role agent on an OpenAI-compatible chat model: the role's prompt template, the reply
/// validated against the role's JSON Schema, output type and constraints (an Auto-Fixer diff
/// touches only the failing files), one repair attempt that quotes the validation errors, then a
/// clear failure that carries the tokens spent (`ProviderFailure`). The executor never sends it
/// the roles that execute things (DevOps, QA). Replies are cached in Redis per tenant, under
/// sha256(tenant, role, model, prompt): a hit costs no tokens, and `cache_hit` never tells a tenant
/// that another sent the same prompt.
struct OpenAIProvider: AgentProvider {
    let chat: ChatCompletionClient
    let prompts: PromptLibrary
    let redis: RedisClient
    let config: ProviderConfig
    let logger: Logger
    let cacheHits: Counter
    let cacheMisses: Counter

    var name: String { "openai" }
    var defaultModel: String { config.openAIModel }

    private struct CachedReply: Codable {
        let output: JSONValue
    }

    func checkConfigured() throws { try chat.checkConfigured() }

    func run(_ agent: RoleAgent, input: JSONValue, model: String?, tenant: UUID) async throws -> ProviderOutcome {
        let model = model ?? config.openAIModel
        let prompt = try prompts.prompt(for: agent.role, input: input)
        let key = "meta-builder:agent-cache:" + Digest.sha256Hex(Data("\(tenant.lowercaseText)\u{0}\(agent.role.rawValue)\u{0}\(model)\u{0}\(prompt)".utf8))
        if let cached = await cachedOutput(key: key) {
            cacheHits.increment()
            return ProviderOutcome(output: cached, promptTokens: 0, completionTokens: 0, cacheHit: true, model: model)
        }
        cacheMisses.increment()
        var messages = [
            ChatCompletionClient.Message(role: "system", content: "You answer with a single JSON object and nothing else."),
            ChatCompletionClient.Message(role: "user", content: prompt),
        ]
        var promptTokens = 0
        var completionTokens = 0
        var answeredBy = model
        var lastProblem = ""
        for attempt in 1...2 {
            let completion: ChatCompletionClient.Completion
            do {
                completion = try await chat.complete(model: model, messages: messages)
            } catch let error as WireError where promptTokens + completionTokens > 0 {
                throw ProviderFailure(wireError: error, promptTokens: promptTokens, completionTokens: completionTokens, model: answeredBy)
            }
            promptTokens += completion.promptTokens
            completionTokens += completion.completionTokens
            answeredBy = completion.model
            switch validate(completion.content, agent: agent, input: input) {
            case .success(let output):
                await store(output, key: key)
                return ProviderOutcome(output: output, promptTokens: promptTokens, completionTokens: completionTokens, cacheHit: false, model: completion.model)
            case .failure(let problem):
                lastProblem = problem.description
                logger.info("model reply failed validation", metadata: ["agent.role": "\(agent.role.rawValue)", "attempt": "\(attempt)"])
                messages.append(.init(role: "assistant", content: completion.content))
                messages.append(.init(role: "user", content: "Your reply is invalid: \(problem). Answer again with the corrected JSON object only."))
            }
        }
        throw ProviderFailure(
            wireError: WireError(.failedPrecondition, "the model's output for \(agent.role.rawValue) stayed invalid after one repair attempt: \(lastProblem)"),
            promptTokens: promptTokens, completionTokens: completionTokens, model: answeredBy
        )
    }

    func cost(promptTokens: Int, completionTokens: Int, model: String) -> Double {
        config.prices.cost(promptTokens: promptTokens, completionTokens: completionTokens, model: model)
    }

    /// The reply as a valid output for `input`, or what is wrong with it.
    private func validate(_ content: String, agent: RoleAgent, input: JSONValue) -> Result<JSONValue, ValidationProblem> {
        guard let value = try? JSONValue(parsing: Data(content.utf8)), case .object = value else {
            return .failure(ValidationProblem("the reply is not a JSON object"))
        }
        do {
            let violations = JSONSchemaValidator().violations(of: value, against: try prompts.schema(for: agent.role))
            guard violations.isEmpty else {
                return .failure(ValidationProblem(violations.prefix(10).map(\.description).joined(separator: "; ")))
            }
            return .success(try agent.normaliseOutput(value, input))
        } catch {
            return .failure(ValidationProblem("\(error)"))
        }
    }

    private func cachedOutput(key: String) async -> JSONValue? {
        guard let text = try? await redis.command("GET", key).string,
              let cached = try? JSONDecoder().decode(CachedReply.self, from: Data(text.utf8))
        else { return nil }
        return cached.output
    }

    private func store(_ output: JSONValue, key: String) async {
        guard let data = try? AgentJSON.text(CachedReply(output: output)) else { return }
        do {
            try await redis.command("SET", key, String(decoding: data, as: UTF8.self), "EX", String(config.cacheTTLSeconds))
        } catch {
            logger.warning("agent response cache unavailable", metadata: ["error": "\(error)"])
        }
    }
}

/// Why a model reply was rejected.
struct ValidationProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
