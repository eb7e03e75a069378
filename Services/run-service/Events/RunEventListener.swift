import Foundation
import Synchronization

/// One event stream's doorbell: rung when its run publishes an event, waited on between reads.
/// Rings while nobody waits are kept (one is enough), so none is lost between a read and the
/// next wait.
final class RunEventListener: Sendable {
    /// What ended a wait.
    enum Wakeup: Sendable, Equatable {
        /// An event of the run was published.
        case published
        /// Nothing came before the timeout.
        case timeout
        /// The hub closed (shutdown).
        case closed
    }

    private struct State {
        var rung = false
        var closed = false
        /// The wait in progress, and its number (a late timer of an earlier wait resumes nothing).
        var waiter: CheckedContinuation<Wakeup, Never>?
        var generation = 0
    }

    private let state = Mutex(State())
    /// The tenant whose stream this is (the hub counts streams per tenant).
    let tenant: UUID

    init(tenant: UUID) {
        self.tenant = tenant
    }

    /// Waits for the next ring, at most `timeout`.
    func next(timeout: Duration) async -> Wakeup {
        await withCheckedContinuation { continuation in
            let (answer, generation) = state.withLock { state -> (Wakeup?, Int) in
                if state.closed { return (.closed, state.generation) }
                if state.rung {
                    state.rung = false
                    return (.published, state.generation)
                }
                state.generation += 1
                state.waiter = continuation
                return (nil, state.generation)
            }
            if let answer {
                continuation.resume(returning: answer)
                return
            }
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.resume(.timeout, generation: generation)
            }
        }
    }

    /// Rings: wakes the wait in progress, or the next one.
    func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Wakeup, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: .published)
    }

    /// Ends every wait, now and later.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Wakeup, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .closed)
    }

    private func resume(_ wakeup: Wakeup, generation: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Wakeup, Never>? in
            guard state.generation == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: wakeup)
    }
}
