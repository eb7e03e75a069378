import Foundation
import Synchronization

/// One agent execution while it runs on this instance: its caller may cancel it until it
/// settles (its own outcome is about to be recorded), and a canceller may wait for its end.
final class InFlightExecution: Sendable {
    /// Who decides how the execution ends.
    private enum Phase {
        /// Undecided: the agent is running.
        case running
        /// The caller cancelled it: it ends CANCELLED, whatever the agent produced.
        case cancelled
        /// Its own outcome (output or failure) stands: a cancellation comes too late.
        case settled
    }

    /// The caller's tenant.
    let tenant: UUID
    /// The execution's idempotency key.
    let key: String
    /// The execution's id (two roles may share an idempotency key).
    let id: UUID
    /// Opens when the caller cancels the execution: the running agent races it.
    let cancellation = Latch()
    /// Opens when the execution has ended, its outcome recorded.
    let end = Latch()
    private let phase = Mutex(Phase.running)

    /// Creates the execution, running.
    init(tenant: UUID, key: String, id: UUID) {
        self.tenant = tenant
        self.key = key
        self.id = id
    }

    /// Cancels it unless it was cancelled already or has settled: true when this call did.
    func cancel() -> Bool {
        let cancelled = phase.withLock { phase in
            guard phase == .running else { return false }
            phase = .cancelled
            return true
        }
        if cancelled { cancellation.open() }
        return cancelled
    }

    /// Settles it before its outcome is recorded: true when its own outcome stands, false when
    /// its caller cancelled it first (it must then end CANCELLED). Asking again gives the same answer.
    func settle() -> Bool {
        phase.withLock { phase in
            if phase == .running { phase = .settled }
            return phase == .settled
        }
    }
}
