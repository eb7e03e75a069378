import Foundation
import Shared

/// What building a run cost, as its manifest states it: tokens (prompt and completion), the
/// provider cost the agent-service estimated (USD, by model price), the build time (first claim
/// until it was reviewed, pauses at a budget left out), and the same by provider and model.
/// Every figure is fixed once the run was reviewed, so the manifest's bytes do not depend on
/// when it is written.
struct RunCost: Codable, Sendable, Equatable {
    /// One provider and model's share.
    struct ModelShare: Codable, Sendable, Equatable {
        var provider: String
        var model: String
        var steps: Int
        var promptTokens: Int
        var completionTokens: Int
        var costUSD: Double

        enum CodingKeys: String, CodingKey {
            case provider, model, steps
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case costUSD = "cost_usd"
        }
    }

    var promptTokens: Int
    var completionTokens: Int
    var costUSD: Double
    /// Seconds, rounded to milliseconds.
    var buildSeconds: Double
    /// By provider, then model.
    var models: [ModelShare]

    enum CodingKeys: String, CodingKey {
        case models
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case costUSD = "cost_usd"
        case buildSeconds = "build_seconds"
    }

    /// The statement reading a run's cost (in its tenant): one row per provider and model of its
    /// succeeded steps, each with the run's build seconds.
    static func query(run: UUID) -> SQL {
        """
        SELECT coalesce(s.provider, '') AS provider, coalesce(s.model, '') AS model, count(*) AS steps,
               coalesce(sum(s.prompt_tokens), 0)::int8 AS prompt_tokens, coalesce(sum(s.completion_tokens), 0)::int8 AS completion_tokens,
               round(coalesce(sum(s.cost_usd), 0)::numeric, 6)::float8 AS cost_usd,
               (SELECT round((extract(epoch FROM coalesce(r.built_at, clock_timestamp()) - r.started_at) - r.paused_seconds::numeric), 3)::float8
                FROM runs r WHERE r.id = \(run)) AS build_seconds
        FROM run_steps s WHERE s.run_id = \(run) AND s.status = 'succeeded'
        GROUP BY 1, 2 ORDER BY 1, 2
        """
    }

    /// The cost from the rows of `query`.
    init(rows: [PostgresRow]) throws {
        models = try rows.map {
            ModelShare(
                provider: try $0.decode("provider"), model: try $0.decode("model"), steps: try $0.decode("steps"),
                promptTokens: try $0.decode("prompt_tokens"), completionTokens: try $0.decode("completion_tokens"), costUSD: try $0.decode("cost_usd")
            )
        }
        promptTokens = models.reduce(0) { $0 + $1.promptTokens }
        completionTokens = models.reduce(0) { $0 + $1.completionTokens }
        costUSD = (models.reduce(0) { $0 + $1.costUSD } * 1_000_000).rounded() / 1_000_000
        buildSeconds = try rows.first?.decode("build_seconds", as: Double?.self) ?? 0
    }
}
