import Synchronization

/// A result one caller waits for, settled once by whichever comes first: the work, or the
/// caller's deadline. A later result is refused (`finish` returns false), so the work can tell
/// that nobody waits for it any more and clean up (hand a connection opened too late back to
/// its pool, skip a command whose caller gave up).
public final class OneShotReply<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var result: Result<Value, any Error>?
    }
    private let state = Mutex(State())

    /// Creates an unsettled reply.
    public init() {}

    /// Whether the reply is settled.
    public var isSettled: Bool { state.withLock { $0.result != nil } }

    /// Settles the reply; false when it was already settled (this result is then dropped).
    @discardableResult
    public func finish(_ result: Result<Value, any Error>) -> Bool {
        let outcome = state.withLock { state -> (Bool, CheckedContinuation<Value, any Error>?) in
            guard state.result == nil else { return (false, nil) }
            state.result = result
            defer { state.continuation = nil }
            return (true, state.continuation)
        }
        outcome.1?.resume(with: result)
        return outcome.0
    }

    /// Waits for the reply, settling it with DEADLINE_EXCEEDED (naming `what`) at `deadline`.
    /// `start` begins the work; it runs once, before the wait.
    public func value(by deadline: Deadline?, while what: String, start: () -> Void) async throws -> Value {
        let timer = deadline.map { deadline in
            Task { [self] in
                try await Task.sleep(until: deadline.instant, clock: .continuous)
                finish(.failure(WireError(.deadlineExceeded, "deadline exceeded while \(what)")))
            }
        }
        defer { timer?.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let settled = state.withLock { state -> Result<Value, any Error>? in
                if state.result == nil { state.continuation = continuation }
                return state.result
            }
            if let settled { continuation.resume(with: settled) }
            start()
        }
    }
}
