import Foundation
import Shared

extension AgentCatalogue {
    /// One role's statistics as the agent-service's `GET /agents` reports them for the caller's
    /// tenant: over all of the tenant's finished executions (the endpoint takes no window).
    struct RoleStatistics: Sendable, Codable, Equatable {
        /// The statistics' own fields, as the agent-service writes them.
        struct Figures: Sendable, Codable, Equatable {
            var executions: Int
            var failedExecutions: Int
            var p50Milliseconds: Double
            var p95Milliseconds: Double
            var cacheHitRate: Double
            var promptTokens: Int
            var completionTokens: Int

            enum CodingKeys: String, CodingKey {
                case executions
                case failedExecutions = "failed_executions"
                case p50Milliseconds = "p50_ms"
                case p95Milliseconds = "p95_ms"
                case cacheHitRate = "cache_hit_rate"
                case promptTokens = "prompt_tokens"
                case completionTokens = "completion_tokens"
            }
        }

        /// The role (kept as text, so a role this service does not know yet is still shown).
        var role: String
        var statistics: Figures
    }

    private struct Roles: Decodable {
        var roles: [RoleStatistics]
    }

    /// The per-role statistics of the agent-service for the tenant of the current request (its
    /// caller's identity travels as a service token), by `deadline`. Throws the call's wire error.
    func roleStatistics(deadline: Deadline) async throws -> [RoleStatistics] {
        try await http.call("GET", "\(baseURL)/api/meta/v2/agents", as: Roles.self, deadline: deadline).roles
    }
}
