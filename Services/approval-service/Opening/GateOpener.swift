import Foundation
import Shared

/// Opens the gate of a run waiting for approval, from what the run-service and the spec-service
/// say about it: the run (it must be `awaiting_approval`), each iteration's diff, the reviewed
/// iteration's evaluation report, and the plan's migrations. Whichever asks first — the
/// run-service's request or the `run.awaiting_approval` event — opens it; the other finds it
/// open: a gate is never opened twice (`UNIQUE (tenant_id, run_id, iteration)`).
struct GateOpener: Sendable {
    let runs: RunServiceClient
    let specs: SpecServiceClient
    let repository: GateRepository
    let defaults: ApprovalPolicy
    /// Records the events it handled, so a delivery to several instances, or a redelivery,
    /// opens nothing twice and mostly calls nobody twice.
    let consumer: EventConsumer

    /// The consumer name events are recorded under.
    static let consumerName = "approval-service.gate-opener"

    /// Opens (or finds) the gate of `run`'s iteration `iteration`, for the internal request of
    /// the run-service, acting for the principal of the current request scope. NOT_FOUND when
    /// the run is not the caller's tenant's; FAILED_PRECONDITION when it does not wait for
    /// approval or is at another iteration.
    func open(run id: UUID, iteration: Int, tenant: UUID) async throws -> GateRepository.Opening {
        if let existing = try await repository.gate(run: id, iteration: iteration, tenant: tenant) {
            return GateRepository.Opening(created: false, json: existing)
        }
        let run = try await runs.run(id)
        guard run.iteration == iteration else {
            throw WireError(.failedPrecondition, "run \(id.lowercaseText) is at iteration \(run.iteration), not \(iteration)", details: [.init(field: "iteration", reason: "is not the run's iteration")])
        }
        switch try await gather(run, tenant: tenant) {
        case .open(let opening):
            return opening
        case .draft(let draft):
            return try await repository.pool.withTenant(tenant) { session in
                try await repository.open(draft, defaults: defaults, requester: .request, tenant: tenant, on: session)
            }
        }
    }

    /// Opens (or finds) the gate a `run.awaiting_approval` event asks for; nil when this
    /// consumer handled the event already. Acts with the service's own identity for the event's
    /// tenant to read the run, then for the run's creator (the `viewer` role: it only reads).
    func open(announcedBy event: CloudEvent) async throws -> GateRepository.Opening? {
        guard let tenant = event.tenantid.flatMap(UUID.init(text:)),
              let id = event.data["run_id"]?.stringValue.flatMap(UUID.init(text:)) else {
            throw WireError(.invalidArgument, "a run.awaiting_approval event without its tenant or run id")
        }
        if try await consumer.hasProcessed(event) { return nil }
        let deadline = Deadline.after(.seconds(20))
        let run = try await RequestScope.$current.withValue(RequestScope(deadline: deadline, principal: GateRepository.service(tenant: tenant))) {
            try await runs.run(id)
        }
        let creator = Principal(userID: run.createdBy, tenantID: tenant, role: .viewer, callingService: "approval-service")
        return try await RequestScope.$current.withValue(RequestScope(deadline: deadline, principal: creator)) {
            switch try await gather(run, tenant: tenant) {
            case .open(let opening):
                return opening
            case .draft(let draft):
                return try await repository.pool.withTenant(tenant) { session in
                    guard try await consumer.record(event, on: session) else { return nil }
                    return try await repository.open(draft, defaults: defaults, requester: .event, tenant: tenant, on: session)
                }
            }
        }
    }

    /// What `gather` found: the gate open already, or everything to open it with.
    private enum Gathered {
        case open(GateRepository.Opening)
        case draft(GateDraft)
    }

    /// The gate of a fetched run when it is open already; else its evidence, read concurrently
    /// from the run-service and the spec-service in the current request scope.
    private func gather(_ run: RunServiceClient.Run, tenant: UUID) async throws -> Gathered {
        let id = run.id.uuid
        guard run.status == "awaiting_approval" else {
            throw WireError(.failedPrecondition, "run \(id.lowercaseText) is \(run.status), not awaiting_approval: it has no gate to open")
        }
        if let existing = try await repository.gate(run: id, iteration: run.iteration, tenant: tenant) {
            return .open(GateRepository.Opening(created: false, json: existing))
        }
        guard run.iteration >= 1, let score = run.risk.score else {
            throw WireError(.internal, "the run-service answered a run awaiting approval without its iteration or risk score")
        }
        async let report = runs.report(of: id, iteration: run.iteration)
        async let plan = specs.plan(run.planID.uuid, of: run.specID.uuid)
        let diffs = try await withThrowingTaskGroup(of: RunServiceClient.Diff.self) { group in
            for iteration in 1...run.iteration {
                group.addTask { try await runs.diff(of: id, iteration: iteration) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let (evaluation, planned) = try await (report, plan)
        return .draft(GateDraft(
            runID: id, specID: run.specID.uuid, planID: run.planID.uuid, iteration: run.iteration,
            risk: GateRisk(score: score, planScore: run.risk.planScore, threshold: run.risk.threshold, reasons: run.gate?.reasons ?? [], flags: planned.risk.flags),
            pullRequest: run.pullRequest, diff: DiffSummary(diffs), evaluation: GateEvalSummary(evaluation),
            rollback: RollbackEvidence(evaluation.checks), rollbackPlan: RollbackPlan(run: id, migrations: planned.plan.migrations),
            runCreatedBy: run.createdBy
        ))
    }
}
