import Foundation
import Shared

/// Plans a spec through the agent-service: Product Architect → System Designer →
/// Security/Compliance, each an idempotent call keyed by the attempt, so a planning request
/// retried with the same `Idempotency-Key` (the same attempt) reuses the agents' recorded results
/// instead of running them again.
struct PlanningPipeline: Sendable {
    let agents: AgentClient

    /// The three agents' outputs.
    struct Result: Sendable {
        var formalSpec: FormalSpec
        var plan: ScaffoldPlan
        var usage: [AgentUsage]
    }

    /// Runs the pipeline; `attempt` scopes the agents' idempotency keys (one per plan request).
    func plan(_ spec: ScaffoldSpec, attempt: String) async throws -> Result {
        let keyPrefix = "spec:\(spec.id.description):\(attempt)"
        let (formal, architect) = try await agents.execute(.productArchitect, input: spec.architectInput, idempotencyKey: "\(keyPrefix):architect", as: FormalSpec.self)
        let (designed, designer) = try await agents.execute(.systemDesigner, input: DesignInput(spec: formal), idempotencyKey: "\(keyPrefix):designer", as: ScaffoldPlan.self)
        let (reviewed, security) = try await agents.execute(
            .securityCompliance,
            input: SecurityReviewInput(plan: designed, description: spec.description, targetRepository: spec.targetRepository),
            idempotencyKey: "\(keyPrefix):security",
            as: ScaffoldPlan.self
        )
        guard reviewed.security != nil else {
            throw WireError(.unavailable, "security review returned no risk assessment")
        }
        return Result(formalSpec: formal, plan: reviewed, usage: [architect.usage, designer.usage, security.usage])
    }

    private struct DesignInput: Encodable, Sendable {
        var spec: FormalSpec
    }

    private struct SecurityReviewInput: Encodable, Sendable {
        var plan: ScaffoldPlan
        var description: String
        var targetRepository: String?

        enum CodingKeys: String, CodingKey {
            case plan, description
            case targetRepository = "target_repository"
        }
    }
}
