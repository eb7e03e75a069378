import Foundation
import Metrics
import Shared

/// Takes reviewers' decisions for both front doors, the JSON API and the review page: the
/// tenant's hourly limit, `Idempotency-Key`, and one transaction holding the decision, the
/// gate's new status, the audit record and (when the gate closes) `approval.decided`.
struct DecisionDesk: Sendable {
    let repository: GateRepository
    let rateLimiter: RateLimiter
    /// `meta_builder_approval_decisions_total{decision="approve"}`.
    let approvals: Counter
    /// `meta_builder_approval_decisions_total{decision="reject"}`.
    let rejections: Counter

    /// The operation decisions' idempotency keys are stored under.
    static let operation = "approval.decide"

    /// Creates the desk; its counters are registered in `metrics`.
    init(repository: GateRepository, rateLimiter: RateLimiter, metrics: MetricsRegistry) {
        self.repository = repository
        self.rateLimiter = rateLimiter
        approvals = Counter(label: "meta_builder_approval_decisions_total", dimensions: [("decision", Decision.approve.rawValue)], factory: metrics.factory)
        rejections = Counter(label: "meta_builder_approval_decisions_total", dimensions: [("decision", Decision.reject.rawValue)], factory: metrics.factory)
    }

    /// Decides the pending gate of `run`'s latest iteration as `principal` (an owner or admin:
    /// checked here). `raw` is the request as JSON, hashed for the idempotency key; the outcome
    /// holds the gate as JSON (200), or the stored answer of an earlier request with `key`.
    func decide(_ decision: Decision, comment: String?, raw: JSONValue, run: UUID, by principal: Principal, key: String?) async throws -> IdempotentCreate.Outcome {
        try RBAC.authorize(principal, .decideApproval)
        let (tenant, repository, rateLimiter) = (principal.tenantID, repository, rateLimiter)
        let outcome = try await IdempotentCreate.run(
            pool: repository.pool, tenant: tenant, operation: Self.operation, key: key,
            requestHash: try IdempotentCreate.hash(.object(["run_id": .string(run.lowercaseText), "decision": .string(decision.rawValue), "body": raw])),
            status: 200,
            admit: { try await rateLimiter.enforce(tenant: tenant, action: .approvals).headers }
        ) { session in
            Data(try await repository.decide(decision, comment: comment, run: run, by: principal, on: session).utf8)
        }
        if !outcome.replayed { (decision == .approve ? approvals : rejections).increment() }
        return outcome
    }
}
