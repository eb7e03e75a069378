import Foundation

/// The body of `POST /internal/v1/agents/{role}/execute`.
public struct AgentExecutionRequest: Codable, Sendable {
    /// Caller-chosen key: a retried call with the same key returns the recorded execution.
    public var idempotencyKey: String
    /// The role's input (its JSON shape depends on the role).
    public var input: JSONValue
    /// Provider override for this call (`deterministic` or `openai`).
    public var provider: String?
    /// Model override (OpenAI-compatible provider).
    public var model: String?

    /// Creates a request.
    public init(idempotencyKey: String, input: JSONValue, provider: String? = nil, model: String? = nil) {
        self.idempotencyKey = idempotencyKey
        self.input = input
        self.provider = provider
        self.model = model
    }

    enum CodingKeys: String, CodingKey {
        case input, provider, model
        case idempotencyKey = "idempotency_key"
    }
}

/// Tokens, cost and timing of one execution.
public struct AgentUsage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var costEstimateUSD: Double
    public var durationMilliseconds: Int
    public var cacheHit: Bool
    public var provider: String
    public var model: String

    /// Creates usage figures.
    public init(promptTokens: Int, completionTokens: Int, costEstimateUSD: Double, durationMilliseconds: Int, cacheHit: Bool, provider: String, model: String) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costEstimateUSD = costEstimateUSD
        self.durationMilliseconds = durationMilliseconds
        self.cacheHit = cacheHit
        self.provider = provider
        self.model = model
    }

    /// Prompt plus completion tokens.
    public var totalTokens: Int { promptTokens + completionTokens }

    enum CodingKeys: String, CodingKey {
        case provider, model
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case costEstimateUSD = "cost_estimate_usd"
        case durationMilliseconds = "duration_ms"
        case cacheHit = "cache_hit"
    }
}

/// The answer of the execute endpoint: the recorded execution.
public struct AgentExecutionResult: Codable, Sendable {
    public var executionID: ResourceID
    public var role: AgentRole
    public var output: JSONValue
    public var usage: AgentUsage
    /// True when this is the recorded result of an earlier call with the same key.
    public var replayed: Bool
    public var createdAt: Date

    /// Creates a result.
    public init(executionID: ResourceID, role: AgentRole, output: JSONValue, usage: AgentUsage, replayed: Bool, createdAt: Date) {
        self.executionID = executionID
        self.role = role
        self.output = output
        self.usage = usage
        self.replayed = replayed
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case role, output, usage, replayed
        case executionID = "execution_id"
        case createdAt = "created_at"
    }

    /// Decodes the output as a role's output type.
    public func output<T: Decodable>(as type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: JSONEncoder().encode(output))
    }
}
