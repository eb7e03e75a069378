import Foundation
import Shared

/// What a model's tokens cost: USD per 1000 prompt and per 1000 completion tokens, by model, with
/// the provider's default for a model not listed. `META_BUILDER_MODEL_PRICES` lists models as
/// `model=prompt/completion` pairs separated by commas, e.g.
/// `gpt-4o=0.0025/0.01,gpt-4o-mini=0.00015/0.0006`.
struct ModelPrices: Sendable, Equatable {
    /// One model's prices, USD per 1000 tokens.
    struct Price: Sendable, Equatable {
        var prompt: Double
        var completion: Double
    }

    /// The price of a model not listed.
    var fallback: Price
    /// Prices by model name.
    var models: [String: Price] = [:]

    /// Reads `text` (the environment's value); a malformed entry is a configuration error naming it.
    init(fallback: Price, parsing text: String?, key: String = "META_BUILDER_MODEL_PRICES") throws {
        self.fallback = fallback
        for entry in (text ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let prices = parts.count == 2 ? parts[1].split(separator: "/").map { Double($0) } : []
            guard parts.count == 2, !parts[0].isEmpty, prices.count == 2, let prompt = prices[0], let completion = prices[1],
                  prompt >= 0, completion >= 0, prompt.isFinite, completion.isFinite else {
                throw ConfigError(key: key, reason: "entry '\(entry)' must be model=prompt/completion (USD per 1000 tokens, not negative)")
            }
            models[parts[0]] = Price(prompt: prompt, completion: completion)
        }
    }

    /// The estimated cost in USD of `promptTokens` and `completionTokens` of `model`.
    func cost(promptTokens: Int, completionTokens: Int, model: String) -> Double {
        let price = models[model] ?? fallback
        return (Double(promptTokens) * price.prompt + Double(completionTokens) * price.completion) / 1000
    }
}
