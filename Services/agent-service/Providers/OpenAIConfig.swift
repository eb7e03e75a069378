import Foundation
import Shared

/// Settings of the agent-service's providers.
struct ProviderConfig: Sendable {
    /// `META_BUILDER_PROVIDER`: `deterministic` (default) or `openai`.
    var defaultProvider: String
    /// `META_BUILDER_OPENAI_BASE_URL` (default `https://api.openai.com/v1`): http or https,
    /// without credentials; anything else is a configuration error at start.
    var openAIBaseURL: String
    /// `META_BUILDER_OPENAI_MODEL` (default `gpt-4o-mini`).
    var openAIModel: String
    /// `META_BUILDER_OPENAI_API_KEY`. Secret; never logged.
    var openAIKey: String?
    /// `META_BUILDER_MODEL_PRICES` (USD per 1000 tokens by model), and for a model not listed
    /// `META_BUILDER_OPENAI_PRICE_PROMPT_PER_1K` / `_COMPLETION_PER_1K` (defaults 0.00015 / 0.0006).
    var prices: ModelPrices
    /// `META_BUILDER_OPENAI_TIMEOUT_MS`: per-call cap (default 120000).
    var timeoutMilliseconds: Int
    /// `META_BUILDER_AGENT_CACHE_TTL_SECONDS`: response cache lifetime (default 86400).
    var cacheTTLSeconds: Int

    /// Reads the settings.
    init(reader: ConfigReader = ConfigReader()) throws {
        defaultProvider = reader.string("META_BUILDER_PROVIDER") ?? "deterministic"
        guard ["deterministic", "openai"].contains(defaultProvider) else {
            throw ConfigError(key: "META_BUILDER_PROVIDER", reason: "must be deterministic or openai")
        }
        openAIBaseURL = reader.string("META_BUILDER_OPENAI_BASE_URL") ?? "https://api.openai.com/v1"
        // An http(s) URL of a host, without credentials: the service calls nothing else (its
        // HTTP client refuses other schemes and follows no redirect). A loopback or private host
        // is the operator's choice (a model server beside the service).
        let base = URLComponents(string: openAIBaseURL)
        guard let scheme = base?.scheme?.lowercased(), ["http", "https"].contains(scheme), base?.host?.isEmpty == false,
              base?.user == nil, base?.password == nil, base?.query == nil, base?.fragment == nil else {
            throw ConfigError(key: "META_BUILDER_OPENAI_BASE_URL", reason: "must be an http or https URL of a host, without credentials, query or fragment")
        }
        openAIModel = reader.string("META_BUILDER_OPENAI_MODEL") ?? "gpt-4o-mini"
        openAIKey = reader.string("META_BUILDER_OPENAI_API_KEY")
        prices = try ModelPrices(
            fallback: .init(
                prompt: Double(reader.string("META_BUILDER_OPENAI_PRICE_PROMPT_PER_1K") ?? "") ?? 0.00015,
                completion: Double(reader.string("META_BUILDER_OPENAI_PRICE_COMPLETION_PER_1K") ?? "") ?? 0.0006
            ),
            parsing: reader.string("META_BUILDER_MODEL_PRICES")
        )
        timeoutMilliseconds = try reader.int("META_BUILDER_OPENAI_TIMEOUT_MS", default: 120_000, range: 100...600_000)
        cacheTTLSeconds = try reader.int("META_BUILDER_AGENT_CACHE_TTL_SECONDS", default: 86_400, range: 1...2_592_000)
        if defaultProvider == "openai", openAIKey == nil {
            throw ConfigError(key: "META_BUILDER_OPENAI_API_KEY", reason: "is required when META_BUILDER_PROVIDER=openai")
        }
    }
}
