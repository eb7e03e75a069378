import Foundation
import Logging
import Shared

/// Builds claimed runs: Codegen → DevOps apply → QA evaluate → while failures and caps allow:
/// Auto-Fixer → apply → evaluate … → Reviewer → risk score → `awaiting_approval` or
/// `finalizing` → `succeeded`. Every agent call goes to the agent-service with the run's
/// remaining time as its deadline and the step's key as its idempotency key, acting for the run's
/// creator. The walk starts from the beginning on every claim: finished steps are replayed from
/// their stored output, so a run taken over after its worker died continues from its last
/// finished step, and a step left running is called again with the same key (the agent-service
/// replays or takes over its execution instead of running it twice).
struct BuildLoop: Sendable {
    let journal: RunJournal
    let agents: AgentClient
    let catalogue: AgentCatalogue
    /// Asks the approval-service for gates.
    let gates: ApprovalClient
    /// Builds a finalizing run's artifacts (ZIP, branch, manifest).
    let artifacts: ArtifactBuilder
    let settings: RunSettings
    let metrics: RunMetrics
    let logger: Logger

    /// Builds the claimed run until it ends, waits for approval, or the claim is lost
    /// (`LostClaim`, with nothing written).
    func build(_ claim: RunClaim) async throws {
        guard let (run, steps) = try await journal.load(claim) else { return }
        guard !run.status.isTerminal, run.status != .awaitingApproval || run.approval == .approved else {
            // Ended (a cancel raced the claim), or still waiting for a person: nothing to build.
            try await journal.forget(claim)
            return
        }
        var build = RunBuild(loop: self, claim: claim, run: run, steps: steps)
        try await build.run()
    }

    /// Removes the run's sandbox (workspaces and preview schema), acting for its creator; what
    /// was removed, or nil when the agent-service could not be told (logged, not fatal).
    @discardableResult
    func cleanSandbox(_ run: UUID, creator: Principal, failed: Bool) async -> JSONValue? {
        do {
            return try await RequestScope.$current.withValue(RequestScope(deadline: .after(.seconds(30)), principal: creator)) {
                try await agents.cleanSandbox(run: run.lowercaseText, failed: failed)
            }
        } catch {
            logger.warning("could not clean the run's sandbox", metadata: ["run.id": "\(run.lowercaseText)", "error": "\(error)"])
            return nil
        }
    }

    /// The commit the `HEAD` of a run's base repository is at; nil without one, or when it
    /// cannot be resolved or read.
    func baseCommit(of repository: String?) async -> String? {
        guard let path = try? await artifacts.repositories.resolve(repository, field: "base_repository") else { return nil }
        return try? await GitWorkspace(path: path).commit("HEAD")
    }

    /// Asks the approval-service for the gate of a run that now waits for approval, acting for
    /// its creator. Best effort: the `run.awaiting_approval` event asks too, and the reconciler
    /// asks again for a run that still has no gate.
    func requestGate(_ run: UUID, iteration: Int, creator: Principal) async {
        do {
            try await RequestScope.$current.withValue(RequestScope(deadline: .after(.seconds(15)), principal: creator)) {
                try await gates.requestGate(run: run, iteration: iteration)
            }
        } catch {
            logger.warning("could not ask the approval-service for the run's gate; the event and the reconciler will", metadata: ["run.id": "\(run.lowercaseText)", "error": "\(error)"])
        }
    }

    /// Cancels the run's agent executions in flight, acting for its creator; false when the
    /// agent-service could not be told.
    @discardableResult
    func cancelExecutions(_ run: UUID, creator: Principal, keyPrefix: String? = nil) async -> Bool {
        do {
            try await RequestScope.$current.withValue(RequestScope(deadline: .after(.seconds(15)), principal: creator)) {
                try await agents.cancel(keyPrefix: keyPrefix ?? StepRecord.keyPrefix(run: run))
            }
            return true
        } catch {
            logger.warning("could not cancel the run's agent executions", metadata: ["run.id": "\(run.lowercaseText)", "error": "\(error)"])
            return false
        }
    }
}
