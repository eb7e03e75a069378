import Synchronization

/// A one-time event that tasks wait for: once opened it stays open. A waiting task also stops
/// waiting when it is cancelled, so a wait can be raced against a deadline or another event.
final class Latch: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a closed latch.
    init() {}

    /// Whether it has been opened.
    var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Opens it, ending every wait; opening it again does nothing.
    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once it is open, or once the calling task is cancelled.
    func wait() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // The flag is set before the cancellation handler runs: checked under the lock,
                // a cancellation either finds the waiter stored or is seen here.
                let resumeNow = state.withLock { state in
                    guard !state.isOpen, !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
