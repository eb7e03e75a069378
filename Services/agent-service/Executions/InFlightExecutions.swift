import Foundation
import Synchronization

/// The agent executions in flight on this instance, by tenant and idempotency key, so their
/// caller can cancel them (`POST /internal/v1/executions/cancel`): the running agent is
/// cancelled as a Swift task (its subprocess groups killed) and the execution ends CANCELLED.
/// Per instance: an agent-service instance knows, and cancels, only the executions it runs.
final class InFlightExecutions: Sendable {
    /// Tenant → execution id → execution (keyed by id: two roles may share an idempotency key).
    private let executions = Mutex<[UUID: [UUID: InFlightExecution]]>([:])

    /// Creates an empty registry.
    init() {}

    /// Registers execution `id` of `tenant`, under idempotency key `key`, as running: it can be
    /// cancelled from now until `finish`.
    func start(tenant: UUID, key: String, id: UUID) -> InFlightExecution {
        let execution = InFlightExecution(tenant: tenant, key: key, id: id)
        executions.withLock { $0[tenant, default: [:]][id] = execution }
        return execution
    }

    /// Forgets an execution that has ended (its outcome recorded), ending its cancellers' waits.
    func finish(_ execution: InFlightExecution) {
        executions.withLock { executions in
            executions[execution.tenant]?[execution.id] = nil
            if executions[execution.tenant]?.isEmpty == true { executions[execution.tenant] = nil }
        }
        execution.end.open()
    }

    /// Cancels the tenant's executions whose idempotency key starts with `keyPrefix` and waits
    /// until they have ended, at most `bound`. Returns how many this call cancelled: one
    /// cancelled before, or settling its own outcome, is waited for but not counted.
    func cancel(tenant: UUID, keyPrefix: String, waitingAtMost bound: Duration) async -> Int {
        let matching = executions.withLock { executions in
            executions[tenant, default: [:]].values.filter { $0.key.hasPrefix(keyPrefix) }
        }
        guard !matching.isEmpty else { return 0 }
        var cancelled = 0
        for execution in matching where execution.cancel() { cancelled += 1 }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for execution in matching { await execution.end.wait() }
            }
            group.addTask { try? await Task.sleep(for: bound) }
            await group.next()
            group.cancelAll()
        }
        return cancelled
    }
}
