import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Ends the runs whose pause at a budget expired untouched (`META_BUILDER_BUDGET_PAUSE_SECONDS`):
/// every few seconds it reads the expired pauses across tenants (`run_budget_pauses` holds no
/// tenant data), fails each run with its cap's reason in the run's tenant transaction, and
/// removes its sandbox acting for its creator. Instances sweep side by side: the transaction that
/// takes a pause row is the one that ends its run. Runs paused at a monthly budget before this
/// month began are queued again: the new month has a new budget. Starts once the migrations ran.
struct BudgetPauseSweeper: Service {
    let repository: RunRepository
    let loop: BuildLoop
    let gate: StartupGate
    let interval: Duration
    let logger: Logger

    /// Pauses ended per round.
    static let batchSize = 50

    /// How often to sweep when pauses last `pause`: every 5 s, or sooner for shorter pauses.
    static func interval(for pause: Duration) -> Duration { min(.seconds(5), pause) }

    func run() async throws {
        guard await gate.waitUntilOpen() else { return }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await sweepOnce()
            } catch {
                logger.warning("sweeping expired budget pauses failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }

    /// One round: the runs paused in an earlier month go on, then every expired pause found, up
    /// to the batch size, ends its run.
    func sweepOnce() async throws {
        for tenant in try await BudgetPauses.tenantsPausedLastMonth(on: repository.pool, limit: Self.batchSize) {
            let resumed = try await repository.pool.withTenant(tenant, deadline: .after(.seconds(15))) { session in
                try await RunRepository.resumeMonthlyPauses(tenant: tenant, on: session)
            }
            logger.info("the month turned: runs paused at the tenant's monthly budget go on", metadata: ["tenant.id": "\(tenant.lowercaseText)", "runs": "\(resumed)"])
        }
        for (run, tenant) in try await BudgetPauses.expired(on: repository.pool, limit: Self.batchSize) {
            do {
                guard let (creator, reason) = try await repository.expirePause(run, tenant: tenant) else { continue }
                loop.metrics.failed(reason: reason.rawValue)
                logger.info("a run's pause at its budget expired; it failed", metadata: ["run.id": "\(run.lowercaseText)"])
                await loop.cleanSandbox(run, creator: creator, failed: true)
            } catch {
                logger.warning("could not end a run whose budget pause expired", metadata: ["run.id": "\(run.lowercaseText)", "error": "\(error)"])
            }
        }
    }
}
